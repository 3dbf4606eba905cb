// Package e2e tests the auditor across its packages: a generated tenant served by the
// fake tenant, collected by the collector, evaluated with the built-in policies, and
// reported by the command line, under faults and with hostile data.
package e2e

import (
	"context"
	"fmt"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/collect"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

// smallTenant is a tenant with every violation planted, small enough that a fault
// which costs one retry per request still finishes in seconds.
func smallTenant() *audit.Snapshot {
	s, _ := tenantgen.Generate(tenantgen.Options{Links: 6, MembersPerChat: 3, Seed: 11,
		Violations: []string{"all"}, ChannelFraction: 0.3})
	return s
}

var (
	engineOnce sync.Once
	engine     *audit.Engine
	engineErr  error
)

// builtinEngine compiles the built-in policies once for the whole package.
func builtinEngine(t *testing.T) *audit.Engine {
	t.Helper()
	engineOnce.Do(func() {
		ps, err := audit.LoadPolicies(policies.FS)
		if err != nil {
			engineErr = err
			return
		}
		engine, engineErr = audit.NewEngine(context.Background(), ps)
	})
	if engineErr != nil {
		t.Fatalf("built-in policies: %v", engineErr)
	}
	return engine
}

// fakeTenant serves snap with the given faults and returns collector options for it.
// The server is closed when the test ends.
func fakeTenant(t *testing.T, snap *audit.Snapshot, faults ...faketenant.Fault) (
	collect.Options, *faketenant.Server) {
	t.Helper()
	srv, err := faketenant.New(snap, faketenant.Options{GraphPageSize: 4,
		DataversePageSize: 5, Faults: faults, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return collect.Options{
		TenantID:     snap.Tenant.TenantID,
		GraphURL:     ts.URL + "/graph/v1.0",
		DataverseURL: ts.URL + "/dataverse",
		AppID:        snap.Tenant.AppID,
		// One second is far more than the fake tenant needs, and a quarter of what
		// a slow fault waits. The retry budget is left at its default.
		Timeout: time.Second,
	}, srv
}

// scanOutcome is what one collect-and-evaluate run produced.
type scanOutcome struct {
	snap    *audit.Snapshot
	results *audit.Results
	elapsed time.Duration
	// err is set when collection or evaluation failed outright, or ran out of time.
	err error
}

// collectAndScan collects from opts within deadline and evaluates the snapshot.
func collectAndScan(t *testing.T, opts collect.Options, deadline time.Duration) scanOutcome {
	ctx, cancel := context.WithTimeout(context.Background(), deadline)
	defer cancel()
	start := time.Now()
	snap, err := collect.Collect(ctx, opts, nil)
	out := scanOutcome{snap: snap, elapsed: time.Since(start)}
	if err != nil {
		out.err = fmt.Errorf("collect: %w", err)
		return out
	}
	if ctx.Err() != nil {
		out.err = fmt.Errorf("collect did not finish within %s", deadline)
		return out
	}
	out.results, out.err = builtinEngine(t).Evaluate(ctx, snap, audit.EvalOptions{})
	return out
}

// signature is what must not change when a collection recovers from a fault: the
// status of every control, every finding id, and the item count of every source.
func signature(s *audit.Snapshot, r *audit.Results) string {
	var lines []string
	for _, c := range r.Controls {
		lines = append(lines, fmt.Sprintf("control %s %s", c.ID, c.Status))
	}
	for _, f := range r.Findings {
		lines = append(lines, "finding "+f.ID)
	}
	for _, name := range audit.AllSources {
		src := s.Sources[name]
		lines = append(lines, fmt.Sprintf("source %s %s %d", name, src.Status, src.Items))
	}
	sort.Strings(lines)
	return strings.Join(lines, "\n")
}

// incomplete lists the sources of a snapshot that are not complete.
func incomplete(s *audit.Snapshot) []audit.SourceName {
	var out []audit.SourceName
	for _, name := range audit.AllSources {
		if s.Sources[name].Status != audit.StatusComplete {
			out = append(out, name)
		}
	}
	return out
}
