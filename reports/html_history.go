package reports

import (
	"fmt"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// The history parts of the HTML report: the trend of open findings over the recent
// scans of the tenant, and what became of each waiver. Both are left out when the
// results carry no history or no waivers.

type htmlTrend struct {
	Width, Height int
	Label         string
	Bars          []htmlTrendBar
	// First and Last label the ends of the time axis.
	First, Last string
	Max         int
}

type htmlTrendBar struct {
	X, Width int
	Title    string
	Segments []htmlBar
}

type htmlWaiver struct {
	ID, Control, State, Owner, Expires, Ticket, Reason string
	Matched                                            int
}

// trendChart stacks each scan's open findings by severity, oldest scan on the left,
// scaled to the busiest scan. It needs two scans to say anything.
func trendChart(h *audit.History) *htmlTrend {
	if h == nil || len(h.Trend) < 2 {
		return nil
	}
	const width, height, gap = 360, 120, 4
	t := &htmlTrend{Width: width, Height: height + 4}
	for _, p := range h.Trend {
		total := 0
		for _, n := range p.Findings {
			total += n
		}
		t.Max = max(t.Max, total)
	}
	step := width / len(h.Trend)
	var parts []string
	for i, p := range h.Trend {
		bar := htmlTrendBar{X: i*step + gap/2, Width: max(step-gap, 2)}
		y := height + 2
		var counts []string
		for _, sev := range audit.Severities {
			n := p.Findings[sev]
			if n == 0 {
				continue
			}
			hgt := 0
			if t.Max > 0 {
				hgt = max(1, n*height/t.Max)
			}
			y -= hgt
			bar.Segments = append(bar.Segments, htmlBar{Key: sev, Count: n, Y: y, Width: hgt})
			counts = append(counts, fmt.Sprintf("%d %s", n, sev))
		}
		if len(counts) == 0 {
			counts = []string{"no open findings"}
		}
		day := p.ScannedAt.UTC().Format("2 Jan 2006 15:04")
		bar.Title = fmt.Sprintf("scan %d, %s: %s", p.ScanID, day, strings.Join(counts, ", "))
		t.Bars = append(t.Bars, bar)
		parts = append(parts, bar.Title)
	}
	t.First = h.Trend[0].ScannedAt.UTC().Format("2 Jan")
	t.Last = h.Trend[len(h.Trend)-1].ScannedAt.UTC().Format("2 Jan")
	t.Label = "open findings by severity over the last scans: " + strings.Join(parts, "; ")
	return t
}

func htmlWaivers(ws []audit.WaiverStatus) []htmlWaiver {
	out := make([]htmlWaiver, 0, len(ws))
	for _, w := range ws {
		out = append(out, htmlWaiver{
			ID: CleanText(w.ID), Control: CleanText(w.Control), State: CleanText(w.State),
			Owner: CleanText(w.Owner), Expires: CleanText(w.Expires),
			Ticket: CleanText(w.Ticket), Reason: CleanText(w.Reason), Matched: w.Matched,
		})
	}
	return out
}
