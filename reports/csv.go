package reports

import (
	"encoding/csv"
	"encoding/json"
	"io"
	"strconv"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func init() {
	register(Format{Name: "csv", File: "teamschat-audit.csv", Write: writeCSV})
}

// csvColumns are the fixed columns of the CSV report, documented in docs/reports.md.
// Add columns only at the end: spreadsheets and ticket importers map them by position.
var csvColumns = []string{
	"finding_id", "control_id", "control_title", "control_status", "severity",
	"observation", "resource_type", "resource_id", "resource_name", "message",
	"evidence", "remediation", "waived", "waiver", "new",
}

// writeCSV writes one row per finding, most severe first.
func writeCSV(w io.Writer, r *audit.Results, _ Options) error {
	cw := csv.NewWriter(w)
	if err := cw.Write(csvColumns); err != nil {
		return err
	}
	controls := controlIndex(r)
	for _, f := range sortedFindings(r.Findings) {
		c := controls[f.Control]
		var title, status string
		var observation bool
		if c != nil {
			title, status, observation = c.Title, string(c.Status), c.Observation
		}
		evidence := ""
		if len(f.Evidence) > 0 {
			b, err := json.Marshal(cleanValue(f.Evidence))
			if err != nil {
				return err
			}
			evidence = string(b)
		}
		row := []string{
			f.ID, f.Control, title, status, f.Severity, strconv.FormatBool(observation),
			f.Resource.Type, f.Resource.ID, f.Resource.Name, f.Message, evidence,
			remediationOf(f, c), strconv.FormatBool(f.Waived != nil), waiverText(f),
			strconv.FormatBool(f.New),
		}
		for i := range row {
			row[i] = csvCell(row[i])
		}
		if err := cw.Write(row); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// csvCell makes a cell inert: one clean line, and a leading quote on anything a
// spreadsheet would run as a formula (OWASP's list: = + - @ tab CR). The check looks
// past leading spaces because some spreadsheets trim them before parsing.
func csvCell(s string) string {
	s = CleanText(s)
	if t := strings.TrimLeft(s, " "); t != "" && strings.ContainsRune("=+-@\t\r", rune(t[0])) {
		return "'" + s
	}
	return s
}

// cleanValue copies an evidence value with every string cleaned, for the formats
// that keep evidence structured (CSV's JSON cell, SARIF properties).
func cleanValue(v any) any {
	switch v := v.(type) {
	case string:
		return CleanText(v)
	case map[string]any:
		out := make(map[string]any, len(v))
		for k, x := range v {
			out[CleanText(k)] = cleanValue(x)
		}
		return out
	case []any:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = cleanValue(x)
		}
		return out
	case []string:
		out := make([]any, len(v))
		for i, x := range v {
			out[i] = CleanText(x)
		}
		return out
	}
	return v
}
