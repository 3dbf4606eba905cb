package e2e

import (
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
)

// The retry budget is "the total time the run may wait on throttling and retries": a
// run whose requests wait together for a few seconds has waited a few seconds, however
// many requests were waiting. Each access check here is throttled once with a
// one-second Retry-After, so the run waits a few seconds of wall time in all.
func TestRetryBudgetIsWallTime(t *testing.T) {
	f, err := faketenant.ParseFault("route=D6,kind=429,retry-after=1")
	if err != nil {
		t.Fatal(err)
	}
	opts, _ := fakeTenant(t, smallTenant(), f)
	opts.RetryBudget = 20 * time.Second
	out := collectAndScan(t, opts, caseDeadline)
	if out.err != nil {
		t.Fatal(out.err)
	}
	src := out.snap.Sources[audit.SourceAccess]
	if src.Status != audit.StatusComplete {
		t.Errorf("access is %s after %s of wall time with a budget of %s: %s (waitMs %d)",
			src.Status, out.elapsed.Round(time.Millisecond), opts.RetryBudget, src.Reason,
			src.WaitMS)
	}
}
