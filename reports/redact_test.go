package reports

import (
	"regexp"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

var pseudonymPattern = regexp.MustCompile(`user-[0-9a-f]{6}`)

// personal lists what the fixture says about people; none of it may survive.
var personal = []string{
	"alice@contoso.com", "Alice Example", "bob@contoso.com", "Bob Builder",
	"carol@fabrikam.com", "Carol Jones", "dana@contoso.com",
}

func TestRedactRemovesPeopleFromEveryFormat(t *testing.T) {
	r := Redact(testResults())
	for _, format := range Names() {
		out := strings.ToLower(string(render(t, format, r, Options{})))
		for _, p := range personal {
			if strings.Contains(out, strings.ToLower(p)) {
				t.Errorf("%s report still names %q", format, p)
			}
		}
		if emailPattern.MatchString(out) {
			t.Errorf("%s report holds an address: %q", format, emailPattern.FindString(out))
		}
	}
}

func TestRedactSamePersonSamePseudonym(t *testing.T) {
	r := redactWithKey(testResults(), redactKey)
	byID := map[string]audit.Finding{}
	for _, f := range r.Findings {
		byID[f.ID] = f
	}

	alice := byID["f-share-alice"]
	names := []string{
		alice.Evidence["email"].(string), alice.Evidence["userPrincipalName"].(string),
		pseudonymPattern.FindString(alice.Evidence["displayName"].(string)),
		pseudonymPattern.FindString(alice.Resource.Name),
		pseudonymPattern.FindString(alice.Message),
	}
	for _, n := range names {
		if n != names[0] || !pseudonymPattern.MatchString(n) {
			t.Errorf("Alice appears as %v; want one pseudonym", names)
			break
		}
	}

	bob := byID["f-share-bob"]
	if bob.Resource.Name != bob.Evidence["fullname"] {
		t.Errorf("Bob's resource name %q and evidence name %q differ", bob.Resource.Name,
			bob.Evidence["fullname"])
	}
	if bob.Resource.Name == names[0] {
		t.Error("Alice and Bob got the same pseudonym")
	}
	if !strings.Contains(bob.Message, bob.Resource.Name) {
		t.Errorf("Bob's name in the message was not replaced by his pseudonym: %q", bob.Message)
	}
	if w := byID["f-scope-low"].Waived; w == nil || !pseudonymPattern.MatchString(w.Owner) {
		t.Errorf("waiver owner not redacted: %+v", w)
	}
}

func TestRedactLeavesInputAlone(t *testing.T) {
	r := testResults()
	Redact(r)
	if r.Findings[3].Evidence["email"] != "alice@contoso.com" {
		t.Error("Redact changed its input")
	}
}

func TestRedactKeyIsPerReport(t *testing.T) {
	a := Redact(testResults()).Findings[3].Evidence["email"]
	b := Redact(testResults()).Findings[3].Evidence["email"]
	if a == b {
		t.Errorf("two reports gave Alice the same pseudonym %v; the key must be random", a)
	}
}

func TestRedactKeepsNonPersonalData(t *testing.T) {
	r := redactWithKey(testResults(), redactKey)
	f := r.Findings[0]
	if f.Evidence["permission"] != "Mail.Read" || f.Resource.ID != "grant-1" {
		t.Errorf("redaction changed ids or permissions: %+v", f)
	}
}
