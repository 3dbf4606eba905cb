package audit_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

// BenchmarkEvaluate measures a scan of generated tenants with the built-in policies;
// links/s and the ratio between sizes show whether cost grows linearly, and allocs/op
// divided by the links is the garbage each link makes. scripts/bench.sh measures whole
// runs against opa eval; this is the figure to compare before and after an engine change.
func BenchmarkEvaluate(b *testing.B) {
	ps, err := audit.LoadPolicies(policies.FS)
	if err != nil {
		b.Fatal(err)
	}
	e, err := audit.NewEngine(context.Background(), ps)
	if err != nil {
		b.Fatal(err)
	}
	for _, n := range []int{1000, 10000} {
		snap, _ := tenantgen.Generate(tenantgen.Options{Links: n, Seed: 1,
			Violations: []string{"all"}, Rate: 0.01})
		b.Run(fmt.Sprintf("links=%d", n), func(b *testing.B) {
			for b.Loop() {
				if _, err := e.Evaluate(context.Background(), snap, audit.EvalOptions{}); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "links/s")
		})
	}
}

// BenchmarkDecodeSnapshot measures loading a 10k-link snapshot; B/op and allocs/op show
// what decoding costs beside the rows it keeps.
func BenchmarkDecodeSnapshot(b *testing.B) {
	snap, _ := tenantgen.Generate(tenantgen.Options{Links: 10000, Seed: 1,
		Violations: []string{"all"}, Rate: 0.01})
	text, err := json.Marshal(snap)
	if err != nil {
		b.Fatal(err)
	}
	b.SetBytes(int64(len(text)))
	for b.Loop() {
		if _, err := audit.DecodeSnapshot(bytes.NewReader(text)); err != nil {
			b.Fatal(err)
		}
	}
}
