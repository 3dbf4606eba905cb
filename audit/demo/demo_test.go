package demo

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"os"
	"slices"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

var update = flag.Bool("update", false, "rewrite snapshot.json from the generator")

// render encodes a snapshot as audit.SaveSnapshot writes it.
func render(t *testing.T, s *audit.Snapshot) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetIndent("", "  ")
	if err := enc.Encode(s); err != nil {
		t.Fatalf("encode: %v", err)
	}
	return buf.Bytes()
}

// TestGolden checks that snapshot.json is what the generator makes of Options; run
// with -update to rewrite it after a change to the generator.
func TestGolden(t *testing.T) {
	s, _ := tenantgen.Generate(Options())
	want := render(t, s)
	if *update {
		if err := os.WriteFile("snapshot.json", want, 0o644); err != nil {
			t.Fatalf("update: %v", err)
		}
		return
	}
	if !bytes.Equal(snapshotJSON, want) {
		t.Fatal("snapshot.json differs from the generator's output; " +
			"run go test ./audit/demo -update and review the diff")
	}
}

func TestSnapshotDecodes(t *testing.T) {
	s, err := Snapshot()
	if err != nil {
		t.Fatalf("Snapshot: %v", err)
	}
	if err := s.Validate(); err != nil {
		t.Fatalf("validate: %v", err)
	}
	if len(s.ChatLinks) != 12 || len(s.ChannelLinks) != 4 {
		t.Errorf("got %d chat and %d channel links, want 12 and 4", len(s.ChatLinks), len(s.ChannelLinks))
	}
	for _, name := range audit.AllSources {
		if got := s.Sources[name].Status; got != audit.StatusComplete {
			t.Errorf("source %s is %s, want complete", name, got)
		}
	}
	again, _ := Snapshot()
	again.ChatLinks[0].Name = "changed"
	if s.ChatLinks[0].Name == "changed" {
		t.Error("Snapshot returned shared state")
	}
}

// TestEveryControlFails scans the sample tenant with the built-in policies: every
// automated control fails, ACCESS-02 records observations, and the findings are
// exactly the planted violations.
func TestEveryControlFails(t *testing.T) {
	if testing.Short() {
		t.Skip("compiles the built-in policies")
	}
	ctx := context.Background()
	ps, err := audit.LoadPolicies(policies.FS)
	if err != nil {
		t.Fatalf("load policies: %v", err)
	}
	engine, err := audit.NewEngine(ctx, ps)
	if err != nil {
		t.Fatalf("compile policies: %v", err)
	}
	s, err := Snapshot()
	if err != nil {
		t.Fatal(err)
	}
	res, err := engine.Evaluate(ctx, s, audit.EvalOptions{})
	if err != nil {
		t.Fatalf("evaluate: %v", err)
	}

	for _, c := range res.Controls {
		switch {
		case c.Status == audit.Manual:
		case c.Observation:
			if c.Status != audit.Pass || c.Findings == 0 {
				t.Errorf("%s: %s with %d findings, want pass with observations", c.ID, c.Status, c.Findings)
			}
		case c.Status != audit.Fail:
			t.Errorf("%s: %s (%s), want fail", c.ID, c.Status, c.Reason)
		}
	}

	_, planted := tenantgen.Generate(Options())
	var want, got []string
	for _, p := range planted {
		want = append(want, p.Control+" "+p.ResourceType+" "+p.Fingerprint())
	}
	for _, f := range res.Findings {
		got = append(got, f.Control+" "+f.Resource.Type+" "+f.ID)
	}
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("findings differ from the planted violations\n got: %q\nwant: %q", got, want)
	}
}
