package reports

import (
	"crypto/sha256"
	"embed"
	"encoding/base64"
	"fmt"
	"html/template"
	"io"
	"sort"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func init() {
	register(Format{Name: "html", File: "teamschat-audit.html", Write: writeHTML})
}

//go:embed html/report.tmpl html/report.css html/report.js
var htmlAssets embed.FS

var (
	htmlTemplate = template.Must(template.ParseFS(htmlAssets, "html/report.tmpl"))
	htmlCSS      = mustAsset("html/report.css")
	htmlJS       = mustAsset("html/report.js")
	// htmlCSP allows exactly the page's own style sheet and script, by hash, and
	// nothing else: no network, no other inline code, no forms, no base URL.
	htmlCSP = fmt.Sprintf("default-src 'none'; style-src '%s'; script-src '%s'; "+
		"base-uri 'none'; form-action 'none'", cspHash(htmlCSS), cspHash(htmlJS))
)

func mustAsset(name string) string {
	b, err := htmlAssets.ReadFile(name)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func cspHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256-" + base64.StdEncoding.EncodeToString(sum[:])
}

// htmlView is what the template renders. Every string in it is clean text;
// html/template escapes it for the context it lands in.
type htmlView struct {
	CSP          string
	CSS          template.CSS
	JS           template.JS
	Tool         string
	ScannedAt    string
	TenantID     string
	DataverseURL string
	Verdict      string
	VerdictClass string
	Headline     string
	Subline      string
	ExitCode     int
	StatusTiles  []htmlTile
	Chart        htmlChart
	Sources      []htmlSource
	Controls     []htmlControl
	Trend        *htmlTrend
	Waivers      []htmlWaiver
}

type htmlTile struct {
	Key, Label string
	Count      int
}

type htmlChart struct {
	Height int
	Label  string
	Bars   []htmlBar
}

type htmlBar struct {
	Key, Label             string
	Count, Y, TextY, Width int
}

type htmlSource struct {
	Name, Status, Reason string
	Items                int
}

type htmlControl struct {
	Anchor, ID, Title, Description, Severity, Status, StatusLabel string
	Reason, ReasonLabel, URL, ControlFix                          string
	Sources                                                       []string
	Findings                                                      []htmlFinding
}

type htmlFinding struct {
	ID, Severity, Message, ResourceType, ResourceID, ResourceName, Remediation string
	Waiver                                                                     string
	New                                                                        bool
	Evidence                                                                   []evidenceItem
}

var statusLabels = map[audit.ControlStatus]string{
	audit.Pass: "pass", audit.Fail: "fail", audit.Error: "error", audit.Manual: "manual",
	audit.NotApplicable: "not applicable",
}

// writeHTML writes one self-contained page: summary first, then a section per control.
func writeHTML(w io.Writer, r *audit.Results, _ Options) error {
	v := htmlView{
		CSP: htmlCSP, CSS: template.CSS(htmlCSS), JS: template.JS(htmlJS),
		Tool:         CleanText(strings.TrimSpace(r.Tool.Name + " " + r.Tool.Version)),
		ScannedAt:    r.ScannedAt.UTC().Format("2 January 2006 15:04 MST"),
		TenantID:     CleanText(r.Tenant.TenantID),
		DataverseURL: CleanText(r.Tenant.DataverseURL),
		Verdict:      CleanText(r.Summary.Verdict),
		ExitCode:     r.Summary.ExitCode,
	}
	if v.Verdict == "" {
		v.Verdict = "unknown"
	}
	v.VerdictClass, v.Headline, v.Subline = verdictText(r)

	for _, st := range statusOrder {
		v.StatusTiles = append(v.StatusTiles, htmlTile{
			Key: string(st), Label: statusLabels[st], Count: r.Summary.Controls[st]})
	}
	v.Chart = severityChart(r.Summary.Findings)
	v.Sources = htmlSources(r.Evidence)
	v.Controls = htmlControls(r)
	v.Trend = trendChart(r.History)
	v.Waivers = htmlWaivers(r.Waivers)

	if err := htmlTemplate.Execute(w, v); err != nil {
		return fmt.Errorf("render html: %w", err)
	}
	return nil
}

// verdictText is the banner: its colour class, a headline and a line of detail.
func verdictText(r *audit.Results) (class, headline, subline string) {
	c := r.Summary.Controls
	switch {
	case c[audit.Fail] > 0:
		class = "fail"
		headline = fmt.Sprintf("%d of %d controls failed", c[audit.Fail], len(r.Controls))
	case c[audit.Error] > 0:
		class = "warn"
		headline = plural(c[audit.Error], "control") + " could not be decided"
	default:
		class = "pass"
		headline = "No control failed"
	}
	total := 0
	for _, n := range r.Summary.Findings {
		total += n
	}
	subline = fmt.Sprintf("%s; %s, %d to check by hand.", plural(total, "finding"),
		plural(c[audit.Error], "error"), c[audit.Manual])
	if r.Summary.FailOn != "" {
		subline += " Only findings of severity " + CleanText(r.Summary.FailOn) +
			" or above fail the scan (--fail-on)."
	}
	if len(r.Summary.Incomplete) > 0 {
		names := make([]string, len(r.Summary.Incomplete))
		for i, s := range r.Summary.Incomplete {
			names[i] = CleanText(string(s))
		}
		subline += " Evidence incomplete: " + strings.Join(names, ", ") + "."
	}
	return class, headline, subline
}

// severityChart lays out one horizontal bar per severity, scaled to the largest count.
func severityChart(counts map[string]int) htmlChart {
	const barMax, step = 240, 26
	most := 0
	for _, s := range audit.Severities {
		most = max(most, counts[s])
	}
	ch := htmlChart{Height: step*len(audit.Severities) + 4}
	var parts []string
	for i, s := range audit.Severities {
		b := htmlBar{Key: s, Label: s, Count: counts[s], Y: 4 + i*step, TextY: 17 + i*step}
		if most > 0 && counts[s] > 0 {
			b.Width = max(3, counts[s]*barMax/most)
		}
		ch.Bars = append(ch.Bars, b)
		parts = append(parts, fmt.Sprintf("%d %s", counts[s], s))
	}
	ch.Label = "findings by severity: " + strings.Join(parts, ", ")
	return ch
}

// htmlSources lists the evidence sources in the order of audit.AllSources, then any
// the build does not know, by name.
func htmlSources(ev map[audit.SourceName]*audit.Source) []htmlSource {
	rank := map[audit.SourceName]int{}
	for i, s := range audit.AllSources {
		rank[s] = i + 1
	}
	names := make([]audit.SourceName, 0, len(ev))
	for n, s := range ev {
		if s != nil {
			names = append(names, n)
		}
	}
	sort.Slice(names, func(i, j int) bool {
		ri, rj := rank[names[i]], rank[names[j]]
		if ri == 0 || rj == 0 {
			if ri != rj {
				return rj == 0
			}
			return names[i] < names[j]
		}
		return ri < rj
	})
	out := make([]htmlSource, len(names))
	for i, n := range names {
		s := ev[n]
		out[i] = htmlSource{Name: CleanText(string(n)), Status: CleanText(string(s.Status)),
			Items: s.Items, Reason: CleanText(s.Reason)}
	}
	return out
}

// htmlControls orders the controls for a reviewer: failures first, then errors,
// manual checks, passes and the rest; within a status, most severe first.
func htmlControls(r *audit.Results) []htmlControl {
	groups := groupFindings(r)
	rank := map[audit.ControlStatus]int{}
	for i, s := range statusOrder {
		rank[s] = i + 1
	}
	sort.SliceStable(groups, func(i, j int) bool {
		a, b := groups[i], groups[j]
		if rank[a.Status] != rank[b.Status] {
			return rank[a.Status] > 0 && (rank[b.Status] == 0 || rank[a.Status] < rank[b.Status])
		}
		return audit.SeverityRank(a.Severity) < audit.SeverityRank(b.Severity)
	})

	out := make([]htmlControl, len(groups))
	for i, g := range groups {
		c := htmlControl{
			Anchor: fmt.Sprintf("control-%d", i+1), ID: CleanText(g.ID),
			Title: CleanText(g.Title), Description: cleanLines(g.Description),
			Severity: CleanText(g.Severity), Status: CleanText(string(g.Status)),
			StatusLabel: statusLabels[g.Status], Reason: cleanLines(g.Reason),
			URL: safeURL(g.URL),
		}
		if c.StatusLabel == "" {
			c.StatusLabel = c.Status
		}
		if g.Observation {
			c.StatusLabel += " · observation"
		}
		c.ReasonLabel = map[audit.ControlStatus]string{
			audit.Error: "Why it could not be decided", audit.Manual: "What to check",
			audit.NotApplicable: "Why it does not apply",
		}[g.Status]
		if c.ReasonLabel == "" {
			c.ReasonLabel = "Note"
		}
		if (g.Status == audit.Fail || g.Status == audit.Error) && len(g.Items) == 0 {
			c.ControlFix = cleanLines(g.Remediation)
		}
		for _, s := range g.Sources {
			c.Sources = append(c.Sources, CleanText(string(s)))
		}
		for _, f := range g.Items {
			c.Findings = append(c.Findings, htmlFinding{
				ID: CleanText(f.ID), Severity: CleanText(f.Severity),
				Message:      CleanText(f.Message),
				ResourceType: CleanText(f.Resource.Type), ResourceID: CleanText(f.Resource.ID),
				ResourceName: CleanText(f.Resource.Name), Evidence: evidenceItems(f.Evidence),
				Remediation: cleanLines(remediationOf(f, &g.ControlResult)),
				Waiver:      waiverText(f), New: f.New,
			})
		}
		out[i] = c
	}
	return out
}
