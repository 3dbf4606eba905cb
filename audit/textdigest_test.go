package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

const planted = "PLANTED-TEXT-"

// withText is a generated tenant with message-like text in every free-text column of
// its rows, in a column outside the model, and in one chat link's conversation ID.
func withText() *audit.Snapshot {
	s, _ := tenantgen.Generate(tenantgen.Options{Links: 40, Seed: 7, Violations: []string{"all"}})
	n := 0
	text := func() string {
		n++
		return fmt.Sprintf("<p>%s%d: see you at noon</p>\nthanks", planted, n)
	}
	for i := range s.ChatLinks {
		l := &s.ChatLinks[i]
		l.Name = text()
		l.Extra = append(l.Extra, audit.Column{Name: "cr1a2_notes", Value: planted + "plain"},
			audit.Column{Name: "cr1a2_json", Value: map[string]any{"body": text()}})
	}
	s.ChatLinks[0].ChatID = text()
	for i := range s.ChannelLinks {
		s.ChannelLinks[i].ChannelName, s.ChannelLinks[i].TeamName = text(), text()
	}
	for i := range s.ChatSync {
		a := &s.ChatSync[i]
		a.Subject, a.Description = text(), planted+"plain description"
		a.AdditionalParams = fmt.Sprintf(`{"content":%q}`, planted+"plain")
	}
	return s
}

// A saved snapshot holds no text, and evaluating it gives the results evaluating the
// tenant as collected gave: the digests keep what the controls judge by.
func TestSnapshotWithholdsTextAndKeepsResults(t *testing.T) {
	ps, err := audit.LoadPolicies(policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	e, err := audit.NewEngine(context.Background(), ps)
	if err != nil {
		t.Fatal(err)
	}
	collected := withText()
	text, err := json.Marshal(collected)
	if err != nil {
		t.Fatal(err)
	}
	if i := bytes.Index(text, []byte(planted)); i >= 0 {
		t.Fatalf("the snapshot holds planted text: %.120s", text[max(i-60, 0):])
	}
	saved, err := audit.DecodeSnapshot(bytes.NewReader(text))
	if err != nil {
		t.Fatal(err)
	}

	want, err := e.Evaluate(context.Background(), collected, audit.EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Evaluate(context.Background(), saved, audit.EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for i := range want.Controls {
		w, g := want.Controls[i], got.Controls[i]
		if w.Status != g.Status || w.Findings != g.Findings || w.Reason != g.Reason {
			t.Errorf("%s: %s with %d findings (%s) as collected, %s with %d (%s) saved",
				w.ID, w.Status, w.Findings, w.Reason, g.Status, g.Findings, g.Reason)
		}
	}
	w, g := findingsByID(want), findingsByID(got)
	for id, f := range w {
		if g[id] != f {
			t.Errorf("finding as collected:\n%s\nas saved:\n%s", f, g[id])
		}
	}
	if len(w) != len(g) {
		t.Errorf("%d findings as collected, %d as saved", len(w), len(g))
	}
	out, _ := json.Marshal(got)
	if strings.Contains(string(out), planted) {
		t.Errorf("the results of the saved snapshot hold planted text")
	}
}

func findingsByID(r *audit.Results) map[string]string {
	out := map[string]string{}
	for _, f := range r.Findings {
		b, _ := json.Marshal(f)
		out[f.ID] = string(b)
	}
	return out
}
