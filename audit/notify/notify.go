// Package notify tells people about a scheduled scan that found new failing findings
// or could not complete: it posts a short summary to a webhook, as a Microsoft Teams
// card or as plain JSON. The summary holds counts and control ids only: never resource
// names (chat topics are chosen by users), conversation text or secrets.
package notify

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"

	"github.com/hashicorp/go-retryablehttp"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// Event is why a summary is sent.
type Event string

const (
	// EventNewFindings: the scan found failing findings the previous scan did not have.
	EventNewFindings Event = "new-failing-findings"
	// EventIncomplete: the scan ran but could not decide everything (exit 2).
	EventIncomplete Event = "incomplete"
	// EventError: the scan could not run at all.
	EventError Event = "error"
)

// Summary is what a notification says.
type Summary struct {
	Tool      string    `json:"tool"`
	Tenant    string    `json:"tenant"`
	Event     Event     `json:"event"`
	ScannedAt time.Time `json:"scannedAt,omitzero"`
	Verdict   string    `json:"verdict,omitempty"`
	ExitCode  int       `json:"exitCode"`
	// NewFailing counts open findings, new since the previous scan, in failing controls.
	NewFailing      int            `json:"newFailingFindings"`
	NewByControl    []ControlCount `json:"newByControl,omitempty"`
	FailingControls []string       `json:"failingControls,omitempty"`
	Incomplete      []string       `json:"incompleteSources,omitempty"`
	// Error is the one-line reason a scan could not run.
	Error string `json:"error,omitempty"`
}

// ControlCount is how many new failing findings one control has.
type ControlCount struct {
	Control  string `json:"control"`
	Severity string `json:"severity"`
	Count    int    `json:"count"`
}

// maxErrorLen keeps an error line short in a chat card.
const maxErrorLen = 300

// Decide says whether a scan deserves a notification and builds it. r is nil when the
// scan could not run; err is why.
func Decide(tenant string, r *audit.Results, err error) (*Summary, bool) {
	s := &Summary{Tool: "teamschat-audit", Tenant: tenant}
	if r == nil {
		s.Event, s.ExitCode = EventError, audit.ExitUndecided
		if err != nil {
			s.Error = truncate(firstLine(err.Error()), maxErrorLen)
		}
		return s, true
	}
	s.ScannedAt, s.Verdict, s.ExitCode = r.ScannedAt, r.Summary.Verdict, r.Summary.ExitCode
	failing := map[string]bool{}
	for _, c := range r.Controls {
		if c.Status == audit.Fail && !c.Observation {
			failing[c.ID] = true
			s.FailingControls = append(s.FailingControls, c.ID)
		}
	}
	byControl := map[string]*ControlCount{}
	for _, f := range r.Findings {
		if !f.New || f.Waived != nil || !failing[f.Control] {
			continue
		}
		s.NewFailing++
		cc := byControl[f.Control]
		if cc == nil {
			cc = &ControlCount{Control: f.Control, Severity: f.Severity}
			byControl[f.Control] = cc
		}
		if audit.SeverityRank(f.Severity) < audit.SeverityRank(cc.Severity) {
			cc.Severity = f.Severity
		}
		cc.Count++
	}
	for _, cc := range byControl {
		s.NewByControl = append(s.NewByControl, *cc)
	}
	sort.Slice(s.NewByControl, func(i, j int) bool {
		return s.NewByControl[i].Control < s.NewByControl[j].Control
	})
	for _, name := range r.Summary.Incomplete {
		s.Incomplete = append(s.Incomplete, string(name))
	}
	switch {
	case r.Summary.ExitCode == audit.ExitUndecided:
		s.Event = EventIncomplete
	case s.NewFailing > 0:
		s.Event = EventNewFindings
	default:
		return s, false
	}
	return s, true
}

// Format is the payload shape.
type Format string

const (
	FormatTeams Format = "teams"
	FormatJSON  Format = "json"
)

// GuessFormat picks teams for Teams incoming webhooks and Power Automate / Logic Apps
// workflow URLs, json for anything else.
func GuessFormat(rawURL string) Format {
	u, err := url.Parse(rawURL)
	if err != nil {
		return FormatJSON
	}
	host := strings.ToLower(u.Hostname())
	for _, suffix := range []string{".webhook.office.com", ".logic.azure.com",
		".api.powerplatform.com", ".powerautomate.com"} {
		if strings.HasSuffix(host, suffix) {
			return FormatTeams
		}
	}
	if host == "outlook.office.com" && strings.HasPrefix(u.Path, "/webhook") {
		return FormatTeams
	}
	return FormatJSON
}

// Sender posts summaries. Its zero retry settings are replaced by sane defaults.
type Sender struct {
	URL    string
	Format Format
	// Retries after the first attempt; waits grow from MinWait up to MaxWait.
	Retries          int
	MinWait, MaxWait time.Duration
	Timeout          time.Duration
	Logger           *slog.Logger
}

// Send posts s and logs the outcome; it never returns an error, because a failed
// notification must not change what the scan reports or its exit code. It reports
// whether the webhook accepted the summary.
func (snd *Sender) Send(ctx context.Context, s *Summary) bool {
	log := snd.Logger
	if log == nil {
		log = slog.Default()
	}
	format := snd.Format
	if format == "" {
		format = GuessFormat(snd.URL)
	}
	body, err := Payload(s, format)
	if err != nil {
		log.Error("notification not sent", "tenant", s.Tenant, "reason", err.Error())
		return false
	}
	attempts, err := snd.post(ctx, body)
	if err != nil {
		// The URL is a credential (Teams webhook URLs carry a signature): log its host only.
		log.Error("notification not delivered", "tenant", s.Tenant, "host", host(snd.URL),
			"attempts", attempts, "reason", err.Error())
		return false
	}
	log.Info("notification delivered", "tenant", s.Tenant, "event", string(s.Event),
		"host", host(snd.URL), "attempts", attempts)
	return true
}

func (snd *Sender) post(ctx context.Context, body []byte) (int, error) {
	c := retryablehttp.NewClient()
	c.Logger = nil
	c.RetryMax = 3
	if snd.Retries > 0 {
		c.RetryMax = snd.Retries
	}
	c.RetryWaitMin, c.RetryWaitMax = 500*time.Millisecond, 4*time.Second
	if snd.MinWait > 0 {
		c.RetryWaitMin = snd.MinWait
	}
	if snd.MaxWait > 0 {
		c.RetryWaitMax = snd.MaxWait
	}
	c.HTTPClient.Timeout = 15 * time.Second
	if snd.Timeout > 0 {
		c.HTTPClient.Timeout = snd.Timeout
	}
	attempts := 0
	c.RequestLogHook = func(retryablehttp.Logger, *http.Request, int) { attempts++ }
	// The library's own final error quotes the URL; replace it with one that does not.
	c.ErrorHandler = func(resp *http.Response, err error, tries int) (*http.Response, error) {
		if resp != nil {
			resp.Body.Close()
			return nil, fmt.Errorf("webhook answered %s after %d attempt(s)", resp.Status, tries)
		}
		return nil, fmt.Errorf("webhook unreachable after %d attempt(s): %s", tries,
			describe(err))
	}
	req, err := retryablehttp.NewRequestWithContext(ctx, http.MethodPost, snd.URL, body)
	if err != nil {
		return 0, errors.New("invalid webhook URL")
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.Do(req)
	if err != nil {
		return attempts, err
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		return attempts, fmt.Errorf("webhook answered %s", resp.Status)
	}
	return attempts, nil
}

// describe names a transport error without the URL it carries.
func describe(err error) string {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	if err == nil {
		return "no answer"
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		return "timed out"
	}
	return firstLine(err.Error())
}

func host(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "?"
	}
	return u.Host
}

// Payload renders s in the given format.
func Payload(s *Summary, f Format) ([]byte, error) {
	switch f {
	case FormatJSON:
		return json.Marshal(s)
	case FormatTeams:
		return json.Marshal(teamsMessage(s))
	}
	return nil, fmt.Errorf("notification format %q: use teams or json", f)
}

func firstLine(s string) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
