package reports

import (
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/mattn/go-runewidth"
	"github.com/olekukonko/tablewriter"
	"github.com/olekukonko/tablewriter/renderer"
	"github.com/olekukonko/tablewriter/tw"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func init() {
	register(Format{Name: "table", File: "teamschat-audit.txt", Write: writeTable})
}

// defaultWidth is the table's width when the output is not a terminal (a pipe, a CI
// log), whose width is unknown: generous, since such logs are read in wide windows.
const defaultWidth = 120

// tableFindings is how many findings the terminal table lists; the other formats
// carry them all.
const tableFindings = 50

// writeTable writes the terminal report: the verdict, the controls, the findings most
// severe first, and what was collected. Every tenant string goes through CleanText.
func writeTable(w io.Writer, r *audit.Results, o Options) error {
	width := o.Width
	if width <= 0 {
		width = defaultWidth
	}
	p := &printer{w: w, color: o.Color, width: width}
	p.header(r)
	p.controls(r)
	p.notes(r)
	p.findings(r)
	p.evidence(r)
	return p.err
}

type printer struct {
	w     io.Writer
	color bool
	width int
	err   error
}

func (p *printer) printf(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

// table draws rows within the printer's width: every column but the last gets the
// width of its widest cell, the last the rest, and wraps.
func (p *printer) table(header []string, rows [][]string) {
	if p.err != nil {
		return
	}
	t := tablewriter.NewTable(p.w,
		tablewriter.WithRenderer(renderer.NewBlueprint(tw.Rendition{Symbols: tw.NewSymbols(tw.StyleLight)})),
		tablewriter.WithColumnWidths(p.widths(header, rows)),
		tablewriter.WithRowAutoWrap(tw.WrapNormal),
		tablewriter.WithHeaderAutoFormat(tw.Off),
		tablewriter.WithHeaderAlignment(tw.AlignLeft),
		tablewriter.WithRowAlignment(tw.AlignLeft),
		tablewriter.WithTrimSpace(tw.Off),
	)
	t.Header(header)
	if err := t.Bulk(rows); err != nil {
		p.err = err
		return
	}
	p.err = t.Render()
}

// widths gives each column its cell width including padding. A column is never
// narrower than its longest word, so text only ever wraps at spaces and an identifier,
// a status or a name is never cut. The last column takes what is left of the printer's
// width, keeping at least a third of it when it has that much to show; when the other
// columns are wider than that allows, the widest of them wraps down towards its longest
// word. A table whose words cannot fit is wider than the printer: nothing is lost.
func (p *printer) widths(header []string, rows [][]string) tw.Mapper[int, int] {
	n := len(header)
	want := make([]int, n)  // the widest cell: the column unwrapped
	least := make([]int, n) // the longest word: the column never narrower
	measure := func(i int, cell string) {
		want[i] = max(want[i], displayWidth(cell)+2)
		least[i] = max(least[i], longestWord(cell)+2)
	}
	for i, h := range header {
		measure(i, h)
	}
	for _, row := range rows {
		for i, cell := range row {
			measure(i, cell)
		}
	}

	budget := p.width - (n + 1) // the borders
	w := slices.Clone(want)
	last := min(want[n-1], max(budget/3, least[n-1]))
	for fixed(w[:n-1]) > budget-last {
		widest := -1
		for i := range w[:n-1] {
			floor := max(least[i], min(want[i], minColumn))
			if w[i] > floor && (widest < 0 || w[i] > w[widest]) {
				widest = i
			}
		}
		if widest < 0 {
			break
		}
		w[widest]--
	}
	w[n-1] = min(want[n-1], max(budget-fixed(w[:n-1]), least[n-1]))

	m := tw.NewMapper[int, int]()
	for i, v := range w {
		m.Set(i, v)
	}
	return m
}

// minColumn is the width a column that wraps is not squeezed below while another
// column has room to give.
const minColumn = 12

// longestWord is the display width of the longest run of s without a space.
func longestWord(s string) int {
	longest := 0
	for _, word := range strings.Fields(stripANSI(s)) {
		longest = max(longest, runewidth.StringWidth(word))
	}
	return longest
}

func fixed(w []int) int {
	sum := 0
	for _, v := range w {
		sum += v
	}
	return sum
}

// displayWidth is the width of s on a terminal, without colour codes.
func displayWidth(s string) int {
	return runewidth.StringWidth(stripANSI(s))
}

func stripANSI(s string) string {
	for {
		i := strings.Index(s, "\x1b[")
		if i < 0 {
			return s
		}
		j := strings.IndexByte(s[i:], 'm')
		if j < 0 {
			return s
		}
		s = s[:i] + s[i+j+1:]
	}
}

func (p *printer) header(r *audit.Results) {
	tenant := CleanText(r.Tenant.TenantID)
	if tenant == "" {
		tenant = "(unknown tenant)"
	}
	p.printf("teamschat-audit %s  tenant %s  scanned %s\n", CleanText(r.Tool.Version), tenant,
		r.ScannedAt.UTC().Format(time.RFC3339))
	verdict := strings.ToUpper(r.Summary.Verdict)
	p.printf("Verdict: %s (exit %d)\n", p.paint(verdict, verdictColor(r.Summary.ExitCode)),
		r.Summary.ExitCode)
	p.wrapped("Controls: ", statusCounts(r))
	p.wrapped("Findings: ", severityCounts(r))
	p.printf("\n")
}

func (p *printer) controls(r *audit.Results) {
	rows := make([][]string, 0, len(r.Controls))
	for _, c := range r.Controls {
		count := fmt.Sprint(c.Findings)
		if c.Observation && c.Findings > 0 {
			count += " obs."
		}
		rows = append(rows, []string{c.ID, c.Severity, p.paint(string(c.Status),
			statusColor(c.Status)), count, CleanText(c.Title)})
	}
	p.table([]string{"CONTROL", "SEVERITY", "STATUS", "FINDINGS", "TITLE"}, rows)
}

// notes explains every control that is not a plain pass or fail: why it is in error or
// not applicable, and what a person checks for a manual one.
func (p *printer) notes(r *audit.Results) {
	var lines [][2]string
	for _, c := range r.Controls {
		if c.Reason != "" && c.Status != audit.Manual {
			lines = append(lines, [2]string{fmt.Sprintf("%s %s: ", c.ID, c.Status), c.Reason})
		}
	}
	for _, c := range r.Controls {
		if c.Status == audit.Manual {
			lines = append(lines, [2]string{c.ID + " manual: ", c.Description})
		}
	}
	if len(lines) > 0 {
		p.printf("\n")
	}
	for _, l := range lines {
		p.wrapped(l[0], CleanText(l[1]))
	}
}

// wrapped prints label and text within the printer's width, continuation lines
// indented by four spaces.
func (p *printer) wrapped(label, text string) {
	line := label
	for _, word := range strings.Fields(text) {
		if displayWidth(line) > 4 && displayWidth(line)+1+displayWidth(word) > p.width &&
			strings.TrimSpace(line) != strings.TrimSpace(label) {
			p.printf("%s\n", strings.TrimRight(line, " "))
			line = "    "
		}
		if !strings.HasSuffix(line, " ") {
			line += " "
		}
		line += word
	}
	p.printf("%s\n", strings.TrimRight(line, " "))
}

func (p *printer) findings(r *audit.Results) {
	if len(r.Findings) == 0 {
		p.printf("\nNo findings.\n")
		return
	}
	shown := r.Findings
	if len(shown) > tableFindings {
		shown = shown[:tableFindings]
	}
	p.printf("\nFindings (%d", len(r.Findings))
	if len(shown) < len(r.Findings) {
		p.printf(", the %d most severe shown; --format json, csv or html lists all", len(shown))
	}
	p.printf(")\n")
	rows := make([][]string, 0, len(shown))
	for _, f := range shown {
		res := CleanText(f.Resource.Type + " " + f.Resource.ID)
		if name := CleanText(f.Resource.Name); name != "" {
			res += " (" + truncate(name, 80) + ")"
		}
		rows = append(rows, []string{f.Severity, f.Control, res, CleanText(f.Message)})
	}
	p.table([]string{"SEVERITY", "CONTROL", "RESOURCE", "MESSAGE"}, rows)
}

func (p *printer) evidence(r *audit.Results) {
	p.printf("\nEvidence")
	if r.Complete {
		p.printf(" (complete)\n")
	} else {
		p.printf(" (NOT complete: controls that need the missing sources are in error)\n")
	}
	rows := [][]string{}
	for _, name := range audit.AllSources {
		s := r.Evidence[name]
		if s == nil {
			continue
		}
		wait := time.Duration(s.WaitMS) * time.Millisecond
		rows = append(rows, []string{string(name), p.paint(string(s.Status), sourceColor(s.Status)),
			fmt.Sprint(s.Items), fmt.Sprint(s.Requests), fmt.Sprint(s.Retries),
			fmt.Sprint(s.Pages), wait.String(), CleanText(s.Reason)})
	}
	p.table([]string{"SOURCE", "STATUS", "ITEMS", "REQUESTS", "RETRIES", "PAGES", "WAITED",
		"REASON"}, rows)
	p.reused(r)
}

// reused says which items an incremental scan took from an earlier scan, and which.
func (p *printer) reused(r *audit.Results) {
	for _, name := range audit.AllSources {
		s := r.Evidence[name]
		if s == nil || s.Reused == 0 || s.ReusedFrom == nil {
			continue
		}
		p.printf("%s: %d of %d items reused from scan %d (collected %s); --full reads all\n",
			name, s.Reused, s.Items, s.ReusedFrom.ScanID,
			s.ReusedFrom.CollectedAt.UTC().Format("2006-01-02 15:04 MST"))
	}
}

func statusCounts(r *audit.Results) string {
	var parts []string
	for _, st := range []audit.ControlStatus{audit.Fail, audit.Error, audit.Pass, audit.Manual,
		audit.NotApplicable} {
		if n := r.Summary.Controls[st]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, st))
		}
	}
	return strings.Join(parts, ", ")
}

func severityCounts(r *audit.Results) string {
	var parts []string
	for _, sev := range audit.Severities {
		if n := r.Summary.Findings[sev]; n > 0 {
			parts = append(parts, fmt.Sprintf("%d %s", n, sev))
		}
	}
	if len(parts) == 0 {
		return "none"
	}
	return strings.Join(parts, ", ")
}

const (
	red    = "31"
	green  = "32"
	yellow = "33"
	blue   = "34"
	grey   = "90"
)

func (p *printer) paint(s, color string) string {
	if !p.color || color == "" {
		return s
	}
	return "\x1b[" + color + "m" + s + "\x1b[0m"
}

func statusColor(s audit.ControlStatus) string {
	switch s {
	case audit.Fail:
		return red
	case audit.Error:
		return yellow
	case audit.Pass:
		return green
	case audit.Manual:
		return blue
	}
	return grey
}

func sourceColor(s audit.Status) string {
	if s == audit.StatusComplete {
		return green
	}
	return yellow
}

func verdictColor(code int) string {
	switch code {
	case audit.ExitCompliant:
		return green
	case audit.ExitFailed:
		return red
	}
	return yellow
}
