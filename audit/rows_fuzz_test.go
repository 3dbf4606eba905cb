package audit

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
)

// FuzzColumnValue holds the direct reading of plain strings and numbers to what a
// decoder makes of the same JSON value.
func FuzzColumnValue(f *testing.F) {
	for _, s := range []string{`"plain"`, `""`, `"é"`, `"a\"b"`, `"\u00e9"`, `"<p>x</p>"`,
		`0`, `-1`, `1.5`, `12345678901234567890`, `1e400`, `-0.0e-7`, `true`, `null`,
		`[1,"a"]`, `{"k":"v"}`, "\"\xff\"", `"\ud800"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		v := json.RawMessage(bytes.TrimSpace(b))
		if !json.Valid(v) {
			return
		}
		got, err := columnValue(v)
		var want any
		d := json.NewDecoder(bytes.NewReader(v))
		d.UseNumber()
		werr := d.Decode(&want)
		if n, ok := want.(json.Number); ok {
			want = numberValue(n)
		}
		if (err != nil) != (werr != nil) || !reflect.DeepEqual(got, want) {
			t.Fatalf("columnValue(%s) = %#v, %v; a decoder gives %#v, %v", v, got, err, want, werr)
		}
		var s string
		if ps, ok := plainString(v); ok && (json.Unmarshal(v, &s) != nil || ps != s) {
			t.Fatalf("plainString(%s) = %q; encoding/json gives %q", v, ps, s)
		}
	})
}
