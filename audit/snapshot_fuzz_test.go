package audit

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"
)

// snapshotSeeds are small snapshots in the shapes the decoder must handle: a complete
// one, rows with unknown and mistyped columns, annotations, nulls, and broken ones.
var snapshotSeeds = []string{
	`{"schemaVersion":1,"sources":{"chatLinks":{"status":"complete","items":1}},` +
		`"chatLinks":[{"msdyn_teamschatid":"19:abc@thread.v2","statecode":0,` +
		`"msdyn_teamschatid@OData.Community.Display.V1.FormattedValue":"x",` +
		`"cr1_notes":"<p>hi</p>","cr1_n":1.5,"cr1_big":12345678901234567890}]}`,
	`{"schemaVersion":1,"channelLinks":[{"statecode":"0","msdyn_channelid":null}],` +
		`"chatSync":[{"activityadditionalparams":{"body":"x"}}],"members":[{"conversationId":` +
		`"19:a@thread.v2","members":[{"userId":"u","roles":["owner"]}]}]}`,
	`{"schemaVersion":1,"sources":{"members":{"status":"bogus"}}}`,
	`{"schemaVersion":2}`, `{}`, `null`, `[]`, `{"schemaVersion":1} {}`,
	`{"schemaVersion":1,"chatLinks":[{"a":[[[[[[[[[[]]]]]]]]]]}]}`,
	`{"schemaVersion":1,"chatLinks":[{"msdyn_teamschatid":"\ud800"}]}`,
	`{"schemaVersion":1,"chatLinks":[`, `{"SchemaVersion":1,"CHATLINKS":[{}]}`,
	`{"schemaVersion":1,"access":[{"systemUserId":1}]}`,
}

// FuzzDecodeSnapshot decodes arbitrary bytes. A snapshot that decodes must validate,
// encode, and decode again to the same snapshot; and it must be what encoding/json
// makes of the same bytes, the reference the decoder promises to follow.
func FuzzDecodeSnapshot(f *testing.F) {
	for _, s := range snapshotSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := DecodeSnapshot(bytes.NewReader(b))
		if err != nil {
			if msg := err.Error(); msg == "" || strings.Contains(msg, "\n") {
				t.Errorf("error %q is not one line", msg)
			}
			return
		}
		if err := s.Validate(); err != nil {
			t.Fatalf("a decoded snapshot does not validate: %v", err)
		}
		var ref Snapshot
		if err := json.Unmarshal(b, &ref); err != nil {
			t.Fatalf("DecodeSnapshot accepted what encoding/json rejects: %v", err)
		}
		if err := ref.Validate(); err != nil {
			t.Fatalf("encoding/json's snapshot does not validate: %v", err)
		}
		once := encode(t, s)
		if want := encode(t, &ref); !bytes.Equal(once, want) {
			t.Fatalf("decoded differently from encoding/json:\n got %.500s\nwant %.500s", once, want)
		}
		again, err := DecodeSnapshot(bytes.NewReader(once))
		if err != nil {
			t.Fatalf("an encoded snapshot does not decode: %v\n%.500s", err, once)
		}
		if twice := encode(t, again); !bytes.Equal(once, twice) {
			t.Fatalf("not stable through a round trip:\n%.500s\n%.500s", once, twice)
		}
	})
}

func encode(t *testing.T, s *Snapshot) []byte {
	t.Helper()
	b, err := json.Marshal(s)
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	return b
}
