package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// decodeWhole is how snapshots were decoded before streaming: one Decode of the whole
// object (with the trailing-data check that rejects a stray closing bracket too). The
// streaming decoder must accept and reject the same files, with the same words.
func decodeWhole(text string) (*Snapshot, error) {
	d := json.NewDecoder(strings.NewReader(text))
	var s Snapshot
	if err := d.Decode(&s); err != nil {
		return nil, describeJSONError(err)
	}
	if _, err := d.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("unexpected data after the snapshot object")
	}
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return &s, nil
}

func TestDecodeSnapshotMatchesWholeDecode(t *testing.T) {
	valid := `{"schemaVersion": 1, "sources": {"chatLinks": {"status": "complete", "items": 1}},
		"Tenant": {"tenantId": "t1"}, "unknownKey": {"a": [1, 2]},
		"chatLinks": [{"msdyn_teamschatassociationid": "l1", "statecode": 0, "new_col": "x"}],
		"channelLinks": [], "chatSync": null,
		"members": [{"conversationId": "19:a@thread.v2", "members": [{"userId": "u", "roles": ["owner"]}]}],
		"access": [{"systemUserId": "s", "recordId": "r", "accessRights": "ReadAccess"}],
		"shares": [{"objectid": "r", "principalid": "s", "accessrightsmask": 1}],
		"users": [{"systemuserid": "s", "isdisabled": false}],
		"licences": [{"userId": "u", "teamsEnabled": true}]}`
	// Arrays longer than a chunk, with a mistake in a later chunk: rows are decoded a
	// chunk at a time on every core, and the first mistake in the array must still win.
	access := func(n int, bad map[int]string) string {
		rows := make([]string, n)
		for i := range rows {
			rows[i] = fmt.Sprintf(`{"systemUserId": "s%d", "recordId": "r%d", "accessRights": "ReadAccess"}`, i, i%7)
			if b, ok := bad[i]; ok {
				rows[i] = b
			}
		}
		return `{"schemaVersion": 1, "access": [` + strings.Join(rows, ", ") + `]}`
	}
	typeErr, syntaxErr := `{"systemUserId": 1}`, `{"systemUserId": x}`
	cases := []struct{ name, text string }{
		{"long array", access(3*chunkLen+5, nil)},
		{"type error in a later chunk", access(3*chunkLen+5, map[int]string{2*chunkLen + 3: typeErr})},
		{"syntax error before a type error", access(3*chunkLen+5,
			map[int]string{chunkLen + 1: syntaxErr, chunkLen + 2: typeErr})},
		{"two type errors", access(3*chunkLen+5,
			map[int]string{chunkLen: `{"recordId": 2}`, 2 * chunkLen: typeErr})},
		{"valid", valid},
		{"valid with trailing space", valid + "\n \n"},
		{"empty", ""},
		{"not JSON", "hello"},
		{"null", "null"},
		{"array", "[]"},
		{"string", `"snapshot"`},
		{"truncated between keys", `{"schemaVersion": 1,`},
		{"truncated after a key", `{"schemaVersion"`},
		{"truncated in rows", valid[:strings.Index(valid, `"statecode"`)]},
		{"truncated in an element", `{"schemaVersion": 1, "chatLinks": [{"a": "b"`},
		{"bad syntax in rows", `{"schemaVersion": 1, "chatLinks": [{"a": }]}`},
		{"rows not an array", `{"schemaVersion": 1, "chatLinks": "x"}`},
		{"rows an object", `{"schemaVersion": 1, "users": {}}`},
		{"row not an object", `{"schemaVersion": 1, "chatLinks": [1]}`},
		{"nested type error", `{"schemaVersion": 1, "members": [{"members": [{"roles": "owner"}]}]}`},
		{"version type error", `{"schemaVersion": "1"}`},
		{"trailing data", `{"schemaVersion": 1} x`},
		{"trailing bracket", `{"schemaVersion": 1}}`},
		{"future version", `{"schemaVersion": 99}`},
		{"bad status", `{"schemaVersion": 1, "sources": {"users": {"status": "done"}}}`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			want, wantErr := decodeWhole(tc.text)
			got, gotErr := DecodeSnapshot(strings.NewReader(tc.text))
			if (wantErr == nil) != (gotErr == nil) || wantErr != nil && wantErr.Error() != gotErr.Error() {
				t.Fatalf("error %v, want %v", gotErr, wantErr)
			}
			if wantErr != nil {
				return
			}
			a, _ := json.Marshal(want)
			b, _ := json.Marshal(got)
			if string(a) != string(b) {
				t.Errorf("decoded\n%s\nwant\n%s", b, a)
			}
		})
	}
}

func TestDecodeSnapshotSyntaxOffsets(t *testing.T) {
	for _, text := range []string{
		`{"schemaVersion": 1, "tenant": {"tenantId": }}`,
		`{"schemaVersion": 1, "users": [{}, {"systemuserid": x}]}`,
		`{"schemaVersion": 1, "unknown": [1, 2,, 3]}`,
	} {
		_, want := decodeWhole(text)
		_, got := DecodeSnapshot(strings.NewReader(text))
		if want == nil || got == nil || want.Error() != got.Error() {
			t.Errorf("%s: error %v, want %v", text, got, want)
		}
	}
}

// A complete source whose rows in a snapshot file are not as many as its record says is
// not complete: rows removed from a file must not pass for a clean tenant.
func TestDecodeSnapshotChecksCounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "snapshot.json")
	if err := os.WriteFile(path, []byte(`{"schemaVersion": 1, "sources": {
		"chatLinks": {"status": "complete", "items": 30},
		"users": {"status": "complete", "items": 1}},
		"chatLinks": [], "users": [{"systemuserid": "s"}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if src := s.Sources[SourceChatLinks]; src.Status != StatusIncomplete ||
		!strings.Contains(src.Reason, "holds 0 items where its record says 30") {
		t.Errorf("chatLinks: %s %q, want incomplete naming the counts", src.Status, src.Reason)
	}
	if src := s.Sources[SourceUsers]; src.Status != StatusComplete {
		t.Errorf("users: %s %q, want complete", src.Status, src.Reason)
	}
}

func TestLoadSnapshotRefusesATwiceListedConversation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "snapshot.json")
	if err := os.WriteFile(path, []byte(`{"schemaVersion": 1, "sources": {
		"members": {"status": "complete", "items": 2}},
		"members": [{"conversationId": "19:a@thread.v2", "members": [{"userId": "u1"}]},
			{"conversationId": "19:a@thread.v2", "members": []}]}`), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := LoadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	if src := s.Sources[SourceMembers]; src.Status != StatusIncomplete ||
		!strings.Contains(src.Reason, "listed twice") {
		t.Errorf("members: %s %q, want incomplete", src.Status, src.Reason)
	}
}
