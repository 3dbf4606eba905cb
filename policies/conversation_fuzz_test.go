package policies_test

import (
	"context"
	"regexp"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

// chatIDShapes are the chat ID shapes of DOMAIN.md, written apart from the Rego so the
// two can be compared: group and meeting chats, and one-to-one chats of two GUIDs.
var chatIDShapes = []*regexp.Regexp{
	regexp.MustCompile(`^19:[A-Za-z0-9_-]+@thread\.v2$`),
	regexp.MustCompile(`^19:[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}_` +
		`[0-9A-Fa-f]{8}(-[0-9A-Fa-f]{4}){3}-[0-9A-Fa-f]{12}@unq\.gbl\.spaces$`),
}

func wellFormedChatID(id string) bool {
	for _, re := range chatIDShapes {
		if re.MatchString(id) {
			return true
		}
	}
	return false
}

// FuzzConversationID puts an arbitrary value in a chat link's conversation ID column
// and evaluates the built-in controls: STORE-01 reports the link exactly when the
// value is not a chat ID, and then never repeats the value.
func FuzzConversationID(f *testing.F) {
	for _, s := range []string{"19:abc_DEF-1@thread.v2", "19:meeting_Zx9@thread.v2",
		"19:6f1b9a3e-0c1d-4c39-9d7a-1b2c3d4e5f60_0b1b9a3e-0c1d-4c39-9d7a-1b2c3d4e5f60@unq.gbl.spaces",
		"19:abc@thread.tacv2", "19:abc@thread.skype", "", " ", "19:abc@thread.v2\n",
		"19:@thread.v2", "19:a b@thread.v2", "<p>hello</p>", "19:abc@thread.v2.evil",
		"19:\u0430bc@thread.v2", "19:abc@thread\u2024v2", strings.Repeat("19:", 200)} {
		f.Add(s)
	}
	ps, err := audit.LoadPolicies(policies.FS)
	if err != nil {
		f.Fatal(err)
	}
	engine, err := audit.NewEngine(context.Background(), ps)
	if err != nil {
		f.Fatal(err)
	}
	snap, _ := tenantgen.Generate(tenantgen.Options{Links: 2, MembersPerChat: 2, Seed: 5})
	link := &snap.ChatLinks[0]
	f.Fuzz(func(t *testing.T, id string) {
		link.ChatID = id
		r, err := engine.Evaluate(context.Background(), snap, audit.EvalOptions{Workers: 1})
		if err != nil {
			t.Fatal(err)
		}
		var found *audit.Finding
		for i, fd := range r.Findings {
			if fd.Control == "STORE-01" && fd.Resource.ID == link.ID {
				found = &r.Findings[i]
			}
		}
		if want := !wellFormedChatID(id); (found != nil) != want {
			t.Fatalf("%q: STORE-01 finding %v, want %v", id, found != nil, want)
		}
		if found == nil || len(strings.TrimSpace(id)) < 4 {
			return
		}
		if _, echoed := found.Evidence["conversationId"]; echoed && !wellFormedAnyKind(id) {
			t.Errorf("%q: the finding repeats a malformed value", id)
		}
		if strings.Contains(found.Message, id) {
			t.Errorf("%q: the message repeats the value", id)
		}
	})
}

// wellFormedAnyKind also accepts channel IDs, which STORE-01 may name on a chat link.
func wellFormedAnyKind(id string) bool {
	return wellFormedChatID(id) || regexp.MustCompile(`^19:[A-Za-z0-9_-]+@thread\.(tacv2|skype)$`).MatchString(id)
}
