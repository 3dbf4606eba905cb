package main

import (
	"context"
	"maps"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

// TestFloorFindsWhatTheControlsFind checks that the plain-Go floor counts, per link
// control, as many findings as the Rego controls on a tenant with every violation planted.
func TestFloorFindsWhatTheControlsFind(t *testing.T) {
	snap, _ := tenantgen.Generate(tenantgen.Options{Links: 2000, Seed: 3,
		Violations: []string{"all"}, Rate: 0.03, ChannelFraction: 0.2})
	cfg, err := loadFloorConfig()
	if err != nil {
		t.Fatal(err)
	}
	got := floorEvaluate(snap, cfg)

	ps, err := audit.LoadPolicies(policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	e, err := audit.NewEngine(context.Background(), ps)
	if err != nil {
		t.Fatal(err)
	}
	res, err := e.Evaluate(context.Background(), snap, audit.EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]int{}
	for _, f := range res.Findings {
		if _, link := got[f.Control]; link || f.Control[:5] != "SCOPE" {
			want[f.Control]++
		}
	}
	if len(want) < 8 {
		t.Fatalf("the tenant exercises %d link controls, want 8: %v", len(want), want)
	}
	if !maps.Equal(got, want) {
		t.Errorf("floor counts %v\ncontrols find %v", got, want)
	}
}
