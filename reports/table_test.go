package reports

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/mattn/go-runewidth"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// wideResults has what the table cannot fit in a narrow width: long identifiers in
// the resource and message columns, a long source name and status, a long reason.
func wideResults() *audit.Results {
	r := &audit.Results{
		SchemaVersion: audit.ResultsSchemaVersion,
		Tool:          audit.Tool{Name: "teamschat-audit", Version: "test"},
		ScannedAt:     time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC),
		Evidence:      map[audit.SourceName]*audit.Source{},
		Controls: []audit.ControlResult{{ID: "ACCESS-01", Title: "A long title " +
			strings.Repeat("that goes on ", 12), Severity: "critical", Status: audit.Fail}},
	}
	for _, name := range audit.AllSources {
		r.Evidence[name] = &audit.Source{Status: audit.StatusNotCollected,
			Reason: "not collected because " + strings.Repeat("of a long reason ", 8)}
	}
	for i := range 3 {
		r.Findings = append(r.Findings, audit.Finding{
			ID: fmt.Sprintf("f%d", i), Control: "ACCESS-01", Severity: "critical",
			Resource: audit.Resource{Type: "appRoleAssignment",
				ID:   "BbJAjYgnelSIT9ZGlQaur3mn9qYzWSi6ZIPHwtAAnkF" + fmt.Sprint(i),
				Name: "Microsoft Graph"},
			Message: "member 8fa3e965-1ce5-496b-87c9-0d7b7b47c934 got an explicit share " +
				"(mask 1) on incident 678b6f46-057c-4a7d-bf9f-341cdd7a36d0 120 s after " +
				"the link was made",
		})
	}
	r.Finalize()
	return r
}

// TestTableNeverCutsWords: at any width, and with the width unknown, every identifier,
// status and source name appears whole; text wraps only at spaces. Where the longest
// words fit, the table keeps within the width; where they cannot (60, 80 and 100 here),
// it is wider rather than cut.
func TestTableNeverCutsWords(t *testing.T) {
	r := wideResults()
	whole := []string{"8fa3e965-1ce5-496b-87c9-0d7b7b47c934",
		"678b6f46-057c-4a7d-bf9f-341cdd7a36d0", "BbJAjYgnelSIT9ZGlQaur3mn9qYzWSi6ZIPHwtAAnkF0",
		"appRoleAssignments", "not_collected", "integration", "channelLinks", "ACCESS-01"}
	for _, width := range []int{0, 60, 80, 100, 120, 200} {
		out := string(render(t, "table", r, Options{Width: width}))
		for _, s := range whole {
			if !strings.Contains(out, s) {
				t.Errorf("width %d: %q is cut", width, s)
			}
		}
		for _, s := range []string{"integratio ", "not_collec ", "0d7b7 "} {
			if strings.Contains(out, s) {
				t.Errorf("width %d: cut text %q", width, s)
			}
		}
		limit := width
		if width == 0 {
			limit = defaultWidth
		}
		if width >= 120 || width == 0 {
			for _, line := range strings.Split(out, "\n") {
				if w := runewidth.StringWidth(line); w > limit {
					t.Errorf("width %d: line of %d columns: %s", width, w, line)
				}
			}
		}
	}
}
