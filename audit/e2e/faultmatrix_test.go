package e2e

import (
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
)

// faultKinds are the faults of the matrix in the fake tenant's flag syntax, without
// the route. Retry-After values and delays are small so the matrix stays fast; the
// slow answer waits well past the one-second request timeout of fakeTenant.
var faultKinds = []struct {
	name string
	spec string
	// recovers is true for faults that hit each URL once, which a retrying client
	// must get past with the same evidence.
	recovers bool
}{
	{"429", "kind=429,retry-after=1", true},
	{"429-no-retry-after", "kind=429", true},
	{"429-fractional", "kind=429,retry-after=0.4", true},
	{"502", "kind=502", true},
	{"503", "kind=503", true},
	{"504", "kind=504", true},
	{"drop", "kind=drop", true},
	{"slow", "kind=slow,delay=4s", true},
	{"empty-page", "kind=empty-page", true},
	{"403", "kind=403", false},
	{"repeat-link", "kind=repeat-link", false},
	{"truncate", "kind=truncate", false},
}

// routeSources is the evidence source each route feeds; a persistent fault on the
// route must leave that source short of complete.
var routeSources = map[faketenant.Route]audit.SourceName{
	faketenant.G1: audit.SourceIntegration, faketenant.G2: audit.SourceIntegration,
	faketenant.G3: audit.SourceDelegated, faketenant.G4: audit.SourceAppRoles,
	faketenant.G5: audit.SourceResources, faketenant.G6: audit.SourceMembers,
	faketenant.G7: audit.SourceMembers, faketenant.G8: audit.SourceLicences,
	faketenant.D1: audit.SourceChatLinks, faketenant.D2: audit.SourceChannelLinks,
	faketenant.D3: audit.SourceChatSync, faketenant.D4: audit.SourceUsers,
	faketenant.D5: audit.SourceAccess, faketenant.D6: audit.SourceAccess,
	faketenant.D7: audit.SourceShares,
}

// caseDeadline bounds one collection: a case that needs it has hung.
const caseDeadline = 40 * time.Second

type faultCase struct {
	route    faketenant.Route
	kind     string
	fault    faketenant.Fault
	recovers bool
	// byName collects with an appId the tenant lacks, so the integration is found by
	// its display name (G2), the only way G2 is ever requested.
	byName bool
	out    scanOutcome
	// requested counts the requests the faulted route received.
	requested int
}

func (c *faultCase) name() string { return string(c.route) + "/" + c.kind }

// TestFaultMatrix injects every fault kind on every route, collects, evaluates with
// the built-in policies, and checks that the scan either gives the fault-free results
// or exits 2 naming the source, with the controls that read it in error. It never
// exits 0, and never hangs. Cases run concurrently, since they mostly wait.
func TestFaultMatrix(t *testing.T) {
	if testing.Short() {
		t.Skip("the fault matrix takes about a minute")
	}
	snap := smallTenant()
	builtinEngine(t)

	baseline := map[bool]scanOutcome{}
	for _, byName := range []bool{false, true} {
		opts, srv := fakeTenant(t, snap)
		if byName {
			opts.AppID = "0badc0de-0000-4000-8000-000000000001"
		}
		out := collectAndScan(t, opts, caseDeadline)
		if out.err != nil {
			t.Fatalf("fault-free run: %v", out.err)
		}
		if len(incomplete(out.snap)) > 0 || out.results.Summary.ExitCode != audit.ExitFailed {
			t.Fatalf("fault-free run: incomplete %v, exit %d; want complete evidence and "+
				"exit 1 (violations are planted)", incomplete(out.snap),
				out.results.Summary.ExitCode)
		}
		if byName && out.snap.IntegrationMatchedBy != "displayName" {
			t.Fatalf("the display-name baseline matched the integration by %q",
				out.snap.IntegrationMatchedBy)
		}
		stats := srv.Stats()
		for _, r := range faketenant.Routes {
			if stats.Requests(r) == 0 && (r == faketenant.G2) == byName {
				t.Errorf("fault-free run (byName %v) never requested %s", byName, r)
			}
		}
		baseline[byName] = out
	}

	cases := matrixCases(t)
	start := time.Now()
	runConcurrently(t, snap, cases, 12)
	t.Logf("%d cases in %s", len(cases), time.Since(start).Round(time.Millisecond))

	for _, c := range cases {
		t.Run(c.name(), func(t *testing.T) {
			checkFaultCase(t, c, baseline[c.byName])
		})
	}
	t.Log("outcomes (R: same results as fault-free; 2: exit 2 naming the source):\n" +
		matrixTable(cases))
}

func matrixCases(t *testing.T) []*faultCase {
	var cases []*faultCase
	for _, r := range faketenant.Routes {
		for _, k := range faultKinds {
			f, err := faketenant.ParseFault("route=" + string(r) + "," + k.spec)
			if err != nil {
				t.Fatal(err)
			}
			cases = append(cases, &faultCase{route: r, kind: k.name, fault: f,
				recovers: k.recovers, byName: r == faketenant.G2})
		}
	}
	return cases
}

// runConcurrently runs every case's collection and evaluation on workers goroutines.
func runConcurrently(t *testing.T, snap *audit.Snapshot, cases []*faultCase, workers int) {
	work := make(chan *faultCase)
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for c := range work {
				opts, srv := fakeTenant(t, snap, c.fault)
				if c.byName {
					opts.AppID = "0badc0de-0000-4000-8000-000000000001"
				}
				c.out = collectAndScan(t, opts, caseDeadline)
				c.requested = srv.Stats().Requests(c.route)
			}
		})
	}
	for _, c := range cases {
		work <- c
	}
	close(work)
	wg.Wait()
}

func checkFaultCase(t *testing.T, c *faultCase, base scanOutcome) {
	if c.out.err != nil {
		t.Fatalf("%s: %v (after %s)", c.fault, c.out.err, c.out.elapsed.Round(time.Millisecond))
	}
	r := c.out.results
	if r.Summary.ExitCode == audit.ExitCompliant {
		t.Fatalf("%s: exit 0 on a tenant with planted violations", c.fault)
	}
	if signature(c.out.snap, r) == signature(base.snap, base.results) {
		return
	}
	if c.recovers {
		t.Errorf("%s hits each URL once, yet the results differ from the fault-free run; "+
			"incomplete: %v", c.fault, incomplete(c.out.snap))
	}
	if r.Summary.ExitCode != audit.ExitUndecided {
		t.Errorf("%s: results differ from the fault-free run but exit %d, want 2",
			c.fault, r.Summary.ExitCode)
	}
	bad := incomplete(c.out.snap)
	if want := routeSources[c.route]; !slices.Contains(bad, want) {
		t.Errorf("%s: results differ but source %s is %s; incomplete: %v", c.fault, want,
			c.out.snap.Sources[want].Status, bad)
	}
	for _, name := range bad {
		if c.out.snap.Sources[name].Reason == "" {
			t.Errorf("%s: source %s is %s with no reason", c.fault, name,
				c.out.snap.Sources[name].Status)
		}
		checkControlsInError(t, c.fault, r, name)
	}
}

// checkControlsInError checks that every control reading source is in error and names it.
func checkControlsInError(t *testing.T, f faketenant.Fault, r *audit.Results, source audit.SourceName) {
	t.Helper()
	for _, ctl := range r.Controls {
		if !slices.Contains(ctl.Sources, source) || ctl.Status == audit.Manual {
			continue
		}
		if ctl.Status != audit.Error || !strings.Contains(ctl.Reason, string(source)) {
			t.Errorf("%s: control %s reads %s, which is %s, but is %s (%q)", f, ctl.ID, source,
				r.Evidence[source].Status, ctl.Status, ctl.Reason)
		}
	}
}

// matrixTable renders the outcomes as a Markdown table, routes down, kinds across.
func matrixTable(cases []*faultCase) string {
	var b strings.Builder
	b.WriteString("| route |")
	for _, k := range faultKinds {
		b.WriteString(" " + k.name + " |")
	}
	b.WriteString("\n|---|" + strings.Repeat("---|", len(faultKinds)) + "\n")
	for i, c := range cases {
		if i%len(faultKinds) == 0 {
			b.WriteString("| " + string(c.route) + " |")
		}
		b.WriteString(" " + c.outcome() + " |")
		if i%len(faultKinds) == len(faultKinds)-1 {
			b.WriteString("\n")
		}
	}
	return b.String()
}

func (c *faultCase) outcome() string {
	switch {
	case c.out.err != nil:
		return "ERR"
	case c.out.results.Summary.ExitCode == audit.ExitUndecided:
		return fmt.Sprintf("2 (%s)", strings.Join(sourceNames(incomplete(c.out.snap)), ","))
	}
	return "R"
}

func sourceNames(s []audit.SourceName) []string {
	out := make([]string, len(s))
	for i, n := range s {
		out[i] = string(n)
	}
	return out
}
