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

// ApplyFailOn sets the fail-on threshold of r and settles its exit code again: a
// non-compliant scan exits 0 when every finding that fails it (open, in a failing
// control that is not an observation) is less severe than threshold. An undecided scan
// (exit 2) stays undecided. Finalize honours the threshold from then on.
func ApplyFailOn(r *audit.Results, threshold string) {
	r.Summary.FailOn = threshold
	r.Finalize()
}
