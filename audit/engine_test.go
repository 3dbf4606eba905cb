package audit

import (
	"context"
	"strings"
	"testing"
	"testing/fstest"
)

// A small policy set of our own keeps the engine's tests independent of the built-in
// rules: one tenant control, one batch control, one observation, one manual control.
const tenantControl = `# METADATA
# title: Tenant rule
# custom:
#   id: T-01
#   severity: high
#   scope: tenant
#   sources: [delegatedGrants]
package teamschat.controls.test.t01

not_applicable := "no integration" if not input.tenant.integration.found

findings contains {"resource": {"type": "delegatedGrant", "id": g.id}, "key": p.name,
	"message": sprintf("extra %s", [p.name])} if {
	some g in input.tenant.delegatedGrants
	some p in g.permissions
	not p.name in data.fixture.allowed
}
`

const batchControl = `# METADATA
# title: Batch rule
# custom:
#   id: B-01
#   severity: medium
#   scope: batch
#   sources: [chatLinks, members]
package teamschat.controls.test.b01

findings contains {"resource": {"type": "chatLink", "id": l.id}, "key": "name",
	"message": "named bad", "severity": "low"} if {
	some l in input.links
	l.name == "bad"
}

errors contains sprintf("members of %s unknown", [l.id]) if {
	some l in input.links
	not l.members.known
}
`

const observationControl = `# METADATA
# title: Observation
# custom:
#   id: O-01
#   severity: info
#   scope: batch
#   sources: [chatLinks]
#   observation: true
package teamschat.controls.test.o01

findings contains {"resource": {"type": "chatLink", "id": l.id}, "key": "seen"} if {
	some l in input.links
}
`

const manualControl = `# METADATA
# title: Manual
# description: Check it by hand.
# custom:
#   id: M-01
#   severity: info
#   manual: true
package teamschat.controls.test.m01

guidance := "look"
`

func testPolicies(extra map[string]string) fstest.MapFS {
	fsys := fstest.MapFS{
		"t01.rego":  {Data: []byte(tenantControl)},
		"b01.rego":  {Data: []byte(batchControl)},
		"o01.rego":  {Data: []byte(observationControl)},
		"m01.rego":  {Data: []byte(manualControl)},
		"data.json": {Data: []byte(`{"fixture": {"allowed": ["Chat.ReadWrite.All"]}}`)},
	}
	for name, src := range extra {
		fsys[name] = &fstest.MapFile{Data: []byte(src)}
	}
	return fsys
}

func newTestEngine(t *testing.T) *Engine {
	t.Helper()
	ps, err := LoadPolicies(testPolicies(nil))
	if err != nil {
		t.Fatal(err)
	}
	e, err := NewEngine(context.Background(), ps)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func completeSnapshot() *Snapshot {
	s := &Snapshot{SchemaVersion: SchemaVersion, Sources: map[SourceName]*Source{}}
	for _, name := range AllSources {
		s.Sources[name] = &Source{Status: StatusComplete}
	}
	s.Integration = &ServicePrincipal{ID: "sp", AppID: IntegrationAppID}
	s.Resources = []ServicePrincipal{{ID: "graph", AppID: GraphAppID}}
	s.DelegatedGrants = []DelegatedGrant{{ID: "g1", ConsentType: "AllPrincipals",
		ResourceID: "graph", Scope: " chat.readwrite.all  Mail.Read "}}
	return s
}

func statusOf(r *Results, id string) ControlResult {
	for _, c := range r.Controls {
		if c.ID == id {
			return c
		}
	}
	return ControlResult{}
}

func TestEvaluateStatuses(t *testing.T) {
	e := newTestEngine(t)
	ctx := context.Background()

	s := completeSnapshot()
	for i := 0; i < 7; i++ {
		name := "good"
		if i%3 == 0 {
			name = "bad"
		}
		id := string(rune('a' + i))
		s.ChatLinks = append(s.ChatLinks, ChatLink{ID: id, Name: name, ChatID: "19:x@thread.v2"})
		s.Members = append(s.Members, Conversation{ConversationID: "19:x@thread.v2"})
	}
	r, err := e.Evaluate(ctx, s, EvalOptions{BatchSize: 2, Workers: 3})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]ControlStatus{"T-01": Fail, "B-01": Fail, "O-01": Pass, "M-01": Manual}
	for id, st := range want {
		if got := statusOf(r, id).Status; got != st {
			t.Errorf("%s: status %s, want %s (%s)", id, got, st, statusOf(r, id).Reason)
		}
	}
	// "chat.readwrite.all" resolves to the canonical name; only Mail.Read is extra.
	if c := statusOf(r, "T-01"); c.Findings != 1 {
		t.Errorf("T-01: %d findings, want 1", c.Findings)
	}
	if c := statusOf(r, "B-01"); c.Findings != 3 {
		t.Errorf("B-01: %d findings over batches of 2, want 3", c.Findings)
	}
	if c := statusOf(r, "O-01"); c.Findings != 7 {
		t.Errorf("O-01: %d observations, want 7", c.Findings)
	}
	if r.Summary.ExitCode != ExitFailed {
		t.Errorf("exit code %d, want %d", r.Summary.ExitCode, ExitFailed)
	}
	for _, f := range r.Findings {
		if f.Control == "B-01" && f.Severity != "low" {
			t.Errorf("finding severity %s, want the rule's low", f.Severity)
		}
	}

	// An incomplete source makes its controls error, whatever they found, and the
	// scan undecided; a control not reading it is unaffected.
	s.Sources[SourceMembers] = &Source{Status: StatusIncomplete, Reason: "403"}
	r, _ = e.Evaluate(ctx, s, EvalOptions{})
	if c := statusOf(r, "B-01"); c.Status != Error || !strings.Contains(c.Reason, "403") {
		t.Errorf("B-01 with incomplete members: %s %q", c.Status, c.Reason)
	}
	if c := statusOf(r, "T-01"); c.Status != Fail {
		t.Errorf("T-01: %s, want fail", c.Status)
	}
	if r.Summary.ExitCode != ExitUndecided || r.Complete {
		t.Errorf("exit %d complete %v, want 2 and false", r.Summary.ExitCode, r.Complete)
	}

	// Item-level evidence gaps make the control error even on complete sources.
	s.Sources[SourceMembers] = &Source{Status: StatusComplete}
	s.Members = nil
	r, _ = e.Evaluate(ctx, s, EvalOptions{})
	if c := statusOf(r, "B-01"); c.Status != Error || !strings.Contains(c.Reason, "and 4 more") {
		t.Errorf("B-01 with unknown members: %s %q", c.Status, c.Reason)
	}

	// No integration: not applicable, not pass.
	s.Integration = nil
	r, _ = e.Evaluate(ctx, s, EvalOptions{})
	// Whatever its rules found then is not reported: a control that does not apply has
	// no findings.
	if c := statusOf(r, "T-01"); c.Status != NotApplicable || c.Findings != 0 ||
		c.Reason != "no integration; 1 finding on this evidence set aside unreported" {
		t.Errorf("T-01 without integration: %s %q, %d findings", c.Status, c.Reason, c.Findings)
	}
}

func TestFingerprintStable(t *testing.T) {
	e := newTestEngine(t)
	s := completeSnapshot()
	a, _ := e.Evaluate(context.Background(), s, EvalOptions{})
	s.DelegatedGrants[0].Scope = "Mail.Read Chat.ReadWrite.All"
	b, _ := e.Evaluate(context.Background(), s, EvalOptions{})
	if len(a.Findings) != 1 || len(b.Findings) != 1 || a.Findings[0].ID != b.Findings[0].ID {
		t.Fatalf("fingerprints differ between equivalent scans: %+v %+v", a.Findings, b.Findings)
	}
}

func TestPolicyErrors(t *testing.T) {
	cases := []struct {
		name, file, src, want string
	}{
		{"pre-1.0 syntax", "old.rego", "package teamschat.controls.x\n\nfindings[x] { x := 1 }\n",
			"pre-1.0 Rego"},
		{"parse error names the line", "broken.rego", "package teamschat.controls.x\n\nfindings contains x if {\n",
			"broken.rego:"},
		{"no metadata", "nometa.rego", "package teamschat.controls.x\n\nfindings contains 1 if true\n",
			"no package-scope METADATA"},
		{"bad severity", "sev.rego", strings.Replace(tenantControl, "severity: high", "severity: urgent", 1),
			"not one of"},
		{"duplicate id", "dup.rego", strings.Replace(tenantControl, "test.t01", "test.t02", 1),
			"already used"},
		{"compile error", "comp.rego", strings.NewReplacer("test.b01", "test.b02", "B-01", "B-02").
			Replace(batchControl) + "\nx := undefined_function(1)\n", "undefined_function"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ps, err := LoadPolicies(testPolicies(map[string]string{tc.file: tc.src}))
			if err == nil {
				_, err = NewEngine(context.Background(), ps)
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want one containing %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error spans lines: %q", err)
			}
		})
	}
}

func TestNoControlsIsAnError(t *testing.T) {
	ps, err := LoadPolicies(fstest.MapFS{"lib.rego": {Data: []byte("package teamschat.lib.x\n\ny := 1\n")}})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := NewEngine(context.Background(), ps); err == nil {
		t.Fatal("an engine with no controls was built")
	}
}
