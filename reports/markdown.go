package reports

import (
	"fmt"
	"io"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func init() {
	register(Format{Name: "md", File: "teamschat-audit.md", Write: writeMarkdown})
}

// mdTopFindings caps the findings listed, so the report fits a CI job summary or a
// ticket; the full list is in the other formats.
const mdTopFindings = 20

// mdCellRunes caps one table cell.
const mdCellRunes = 200

// writeMarkdown writes a summary table, the controls that need attention and the most
// severe findings, in GitHub-flavoured Markdown without raw HTML or links from data.
func writeMarkdown(w io.Writer, r *audit.Results, _ Options) error {
	var b strings.Builder
	b.WriteString("# teamschat-audit report\n\n")
	fmt.Fprintf(&b, "**Verdict: %s** (exit code %d) · scanned %s · %s %s\n\n",
		mdEscape(r.Summary.Verdict), r.Summary.ExitCode, r.ScannedAt.UTC().Format("2006-01-02 15:04 MST"),
		mdEscape(r.Tool.Name), mdEscape(r.Tool.Version))
	if len(r.Summary.Incomplete) > 0 {
		names := make([]string, len(r.Summary.Incomplete))
		for i, s := range r.Summary.Incomplete {
			names[i] = mdEscape(string(s))
		}
		fmt.Fprintf(&b, "> Evidence is incomplete for: %s. Controls that depend on it are "+
			"reported as errors, not passes.\n\n", strings.Join(names, ", "))
	}

	var stHead, stCount, sevHead, sevCount []string
	for _, st := range statusOrder {
		stHead = append(stHead, statusLabels[st])
		stCount = append(stCount, fmt.Sprint(r.Summary.Controls[st]))
	}
	for _, sev := range audit.Severities {
		sevHead = append(sevHead, sev)
		sevCount = append(sevCount, fmt.Sprint(r.Summary.Findings[sev]))
	}
	mdCountTable(&b, "controls", stHead, stCount)
	b.WriteString("\n")
	mdCountTable(&b, "findings", sevHead, sevCount)

	writeMarkdownControls(&b, r)
	writeMarkdownFindings(&b, r)
	_, err := io.WriteString(w, b.String())
	return err
}

// mdCountTable writes a one-row table of counts.
func mdCountTable(b *strings.Builder, what string, head, counts []string) {
	fmt.Fprintf(b, "| %s | %s |\n|---|%s\n", what, strings.Join(head, " | "),
		strings.Repeat("---:|", len(head)))
	fmt.Fprintf(b, "| | %s |\n", strings.Join(counts, " | "))
}

// writeMarkdownControls lists the controls that are not a clean pass.
func writeMarkdownControls(b *strings.Builder, r *audit.Results) {
	var rows []string
	for _, st := range statusOrder[:3] {
		for _, c := range r.Controls {
			if c.Status != st {
				continue
			}
			note := c.Reason
			if st == audit.Fail {
				note = plural(c.Findings, "finding")
			}
			rows = append(rows, fmt.Sprintf("| %s | %s | %s | %s | %s |", st,
				mdEscape(c.ID), mdEscape(c.Severity), mdCell(c.Title), mdCell(note)))
		}
	}
	if len(rows) == 0 {
		b.WriteString("\nEvery control passed or did not apply.\n")
		return
	}
	b.WriteString("\n## Controls that need attention\n\n")
	b.WriteString("| status | control | severity | title | detail |\n|---|---|---|---|---|\n")
	b.WriteString(strings.Join(rows, "\n") + "\n")
}

// writeMarkdownFindings lists the most severe findings, up to mdTopFindings.
func writeMarkdownFindings(b *strings.Builder, r *audit.Results) {
	findings := sortedFindings(r.Findings)
	if len(findings) == 0 {
		return
	}
	shown := min(len(findings), mdTopFindings)
	fmt.Fprintf(b, "\n## Top findings (%d of %d)\n\n", shown, len(findings))
	b.WriteString("| severity | control | resource | finding |\n|---|---|---|---|\n")
	for _, f := range findings[:shown] {
		sev := mdEscape(f.Severity)
		if f.Waived != nil {
			sev += " (waived)"
		} else if f.New {
			sev += " (new)"
		}
		fmt.Fprintf(b, "| %s | %s | %s | %s |\n", sev, mdEscape(f.Control),
			mdCell(resourceLabel(f.Resource)), mdCell(f.Message))
	}
	if len(findings) > shown {
		fmt.Fprintf(b, "\n%d more findings are not listed here; --format json, html, csv "+
			"or sarif lists them all.\n", len(findings)-shown)
	}
}

// mdCell is one escaped, length-capped table cell.
func mdCell(s string) string { return mdEscape(truncate(CleanText(s), mdCellRunes)) }

// mdEscape makes s inert Markdown on one line: it cannot end a table cell, start
// emphasis, code, a link, an image, raw HTML or an entity, and cannot be auto-linked
// (the ':' of "://", the '@' of an address and the '.' after "www" are escaped).
func mdEscape(s string) string {
	s = CleanText(s)
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch c {
		case '\\', '|', '*', '_', '`', '[', ']', '<', '>', '~', '!', '#', '&', '@', ':':
			b.WriteByte('\\')
		case '.':
			if i >= 3 && strings.EqualFold(s[i-3:i], "www") {
				b.WriteByte('\\')
			}
		}
		b.WriteByte(c)
	}
	return b.String()
}
