package reports

import (
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// CleanText makes a tenant-controlled string inert on one line: it drops ANSI and
// other terminal escape sequences, control characters (C0, C1, DEL), Unicode
// bidirectional overrides and isolates, and invalid UTF-8, and turns line breaks and
// tabs into single spaces. The terminal table and every text format call it on each
// string that came from the tenant.
func CleanText(s string) string {
	return strings.Join(strings.Fields(cleanLines(s)), " ")
}

// cleanLines is CleanText that keeps line breaks, for multi-line text such as a
// description; runs of spaces inside a line are kept.
func cleanLines(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); {
		if s[i] == 0x1b {
			i += escapeLen(s[i:])
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		i += size
		switch {
		case r == utf8.RuneError && size <= 1:
			continue
		case r == '\r':
			if i < len(s) && s[i] == '\n' {
				continue
			}
			b.WriteByte('\n')
		case r == '\n':
			b.WriteByte('\n')
		case r == '\t':
			b.WriteByte(' ')
		case r == 0x9b:
			// A C1 CSI starts an escape sequence just as ESC [ does.
			i += csiLen(s[i:])
		case unicode.IsControl(r), isBidiControl(r):
			continue
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// escapeLen is the length of the escape sequence at the start of s (s[0] is ESC).
func escapeLen(s string) int {
	if len(s) < 2 {
		return len(s)
	}
	switch s[1] {
	case '[':
		return 2 + csiLen(s[2:])
	case ']', 'P', 'X', '^', '_':
		// OSC, DCS, SOS, PM and APC run to BEL or to ST (ESC \).
		for j := 2; j < len(s); j++ {
			if s[j] == 0x07 {
				return j + 1
			}
			if s[j] == 0x1b && j+1 < len(s) && s[j+1] == '\\' {
				return j + 2
			}
		}
		return len(s)
	default:
		// Two-byte sequences (ESC c, ESC 7, ...); intermediates 0x20-0x2f come first.
		j := 1
		for j < len(s) && s[j] >= 0x20 && s[j] <= 0x2f {
			j++
		}
		if j < len(s) {
			j++
		}
		return j
	}
}

// csiLen is the length of a CSI body: parameter and intermediate bytes, then one
// final byte in 0x40-0x7e.
func csiLen(s string) int {
	for j := 0; j < len(s); j++ {
		if s[j] >= 0x40 && s[j] <= 0x7e {
			return j + 1
		}
		if s[j] < 0x20 || s[j] > 0x3f {
			return j
		}
	}
	return len(s)
}

// isBidiControl reports the characters that reorder displayed text (Trojan Source):
// embeddings, overrides, isolates and the directional marks.
func isBidiControl(r rune) bool {
	switch {
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return true
	case r == 0x200e, r == 0x200f, r == 0x061c:
		return true
	}
	return false
}

// truncate cuts s to at most n runes, marking the cut with an ellipsis.
func truncate(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	runes := []rune(s)
	return string(runes[:n-1]) + "…"
}

// evidenceItem is one evidence key and its value, rendered as clean text.
type evidenceItem struct {
	Key   string
	Value string
}

// evidenceItems lists a finding's evidence in key order. Scalars are written as they
// are; lists and objects as compact JSON.
func evidenceItems(ev map[string]any) []evidenceItem {
	keys := make([]string, 0, len(ev))
	for k := range ev {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]evidenceItem, 0, len(keys))
	for _, k := range keys {
		out = append(out, evidenceItem{Key: CleanText(k), Value: CleanText(valueText(ev[k]))})
	}
	return out
}

func valueText(v any) string {
	switch v := v.(type) {
	case nil:
		return ""
	case string:
		return v
	case bool, float64, float32, int, int64, json.Number:
		return fmt.Sprint(v)
	}
	// Every format escapes the text for itself, so JSON's own HTML escaping would
	// only make values harder to read.
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return fmt.Sprint(v)
	}
	return strings.TrimSuffix(b.String(), "\n")
}

// evidenceLine is the evidence on one line: "key=value; key=value".
func evidenceLine(ev map[string]any) string {
	items := evidenceItems(ev)
	parts := make([]string, len(items))
	for i, it := range items {
		parts[i] = it.Key + "=" + it.Value
	}
	return strings.Join(parts, "; ")
}

// resourceLabel names a resource for a reader: its name when it has one, then its
// type and id.
func resourceLabel(r audit.Resource) string {
	id := CleanText(r.ID)
	if name := CleanText(r.Name); name != "" {
		return fmt.Sprintf("%s (%s %s)", name, CleanText(r.Type), id)
	}
	return strings.TrimSpace(CleanText(r.Type) + " " + id)
}

// waiverText describes the waiver covering a finding, or "" when none does.
func waiverText(f audit.Finding) string {
	w := f.Waived
	if w == nil {
		return ""
	}
	parts := []string{"waived"}
	if w.ID != "" {
		parts = append(parts, w.ID)
	}
	if w.Owner != "" {
		parts = append(parts, "by "+w.Owner)
	}
	if w.Expires != "" {
		parts = append(parts, "until "+w.Expires)
	}
	s := strings.Join(parts, " ")
	if w.Ticket != "" {
		s += " (" + w.Ticket + ")"
	}
	if w.Reason != "" {
		s += ": " + w.Reason
	}
	return CleanText(s)
}

// plural writes a count with its noun: "1 finding", "3 findings".
func plural(n int, noun string) string {
	if n == 1 {
		return fmt.Sprintf("%d %s", n, noun)
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

// remediationOf is the finding's own fix, or its control's default.
func remediationOf(f audit.Finding, c *audit.ControlResult) string {
	if f.Remediation != "" || c == nil {
		return f.Remediation
	}
	return c.Remediation
}

// controlGroup is a control with its findings, most severe first.
type controlGroup struct {
	audit.ControlResult
	Items []audit.Finding
}

// groupFindings attaches every finding to its control, keeping the order of
// r.Controls. Findings of a control the results do not list are dropped here; the
// per-finding formats (CSV, SARIF) still write them.
func groupFindings(r *audit.Results) []controlGroup {
	groups := make([]controlGroup, len(r.Controls))
	index := map[string]int{}
	for i, c := range r.Controls {
		groups[i].ControlResult = c
		index[c.ID] = i
	}
	for _, f := range sortedFindings(r.Findings) {
		if i, ok := index[f.Control]; ok {
			groups[i].Items = append(groups[i].Items, f)
		}
	}
	return groups
}

// sortedFindings orders findings most severe first, then by control and ID, so every
// report lists them the same way whatever order the engine produced them in.
func sortedFindings(in []audit.Finding) []audit.Finding {
	out := append([]audit.Finding(nil), in...)
	sort.SliceStable(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if ra, rb := audit.SeverityRank(a.Severity), audit.SeverityRank(b.Severity); ra != rb {
			return ra < rb
		}
		if a.Control != b.Control {
			return a.Control < b.Control
		}
		return a.ID < b.ID
	})
	return out
}

// controlIndex maps control IDs to their results.
func controlIndex(r *audit.Results) map[string]*audit.ControlResult {
	m := make(map[string]*audit.ControlResult, len(r.Controls))
	for i := range r.Controls {
		m[r.Controls[i].ID] = &r.Controls[i]
	}
	return m
}

// statusOrder lists control statuses in the order reports show them.
var statusOrder = []audit.ControlStatus{
	audit.Fail, audit.Error, audit.Manual, audit.Pass, audit.NotApplicable,
}
