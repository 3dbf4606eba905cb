package config

import (
	"fmt"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// CheckSeverity accepts "" (no threshold) or one of audit.Severities.
func CheckSeverity(s string) error {
	if s != "" && audit.SeverityRank(s) >= len(audit.Severities) {
		return fmt.Errorf("%q is not a severity: use one of %s", s,
			strings.Join(audit.Severities, ", "))
	}
	return nil
}

// ApplyFailOn lowers the exit code of a non-compliant scan to 0 when every finding
// that fails it (open, in a failing control that is not an observation) is less severe
// than threshold. It never touches an undecided scan (exit 2): what could not be
// checked cannot be called below the threshold. The verdict stays non-compliant, and
// Summary.FailOn records the threshold, so reports still tell the whole truth.
//
// Finalize recomputes the exit code, so call this after every Finalize.
func ApplyFailOn(r *audit.Results, threshold string) {
	r.Summary.FailOn = threshold
	if threshold == "" || r.Summary.ExitCode != audit.ExitFailed {
		return
	}
	limit := audit.SeverityRank(threshold)
	failing := map[string]bool{}
	for _, c := range r.Controls {
		if c.Status == audit.Fail && !c.Observation {
			failing[c.ID] = true
		}
	}
	for _, f := range r.Findings {
		if f.Waived == nil && failing[f.Control] && audit.SeverityRank(f.Severity) <= limit {
			return
		}
	}
	r.Summary.ExitCode = audit.ExitCompliant
}
