package reports

import (
	"fmt"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// redactKey makes redacted goldens reproducible; Redact itself draws a random key.
var redactKey = []byte("golden-test-key")

// emptyResults is a scan of a tenant with nothing in it.
func emptyResults() *audit.Results {
	return &audit.Results{
		SchemaVersion: audit.ResultsSchemaVersion,
		Tool:          audit.Tool{Name: "teamschat-audit", Version: "dev"},
		ScannedAt:     time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC),
		Complete:      true,
		Summary:       audit.Summary{Verdict: "pass"},
	}
}

// TestGolden renders every format from the same results, hostile names included,
// and compares each with its golden file.
func TestGolden(t *testing.T) {
	cases := []struct {
		name string
		r    *audit.Results
	}{
		{"hostile", testResults()},
		{"redacted", redactWithKey(testResults(), redactKey)},
		{"empty", emptyResults()},
	}
	for _, format := range []string{"csv", "md", "junit", "sarif", "html"} {
		for _, tc := range cases {
			name := fmt.Sprintf("%s.%s.golden", tc.name, format)
			t.Run(name, func(t *testing.T) {
				got := render(t, format, tc.r, Options{})
				golden(t, name, got)
			})
		}
	}
}
