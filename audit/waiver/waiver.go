// Package waiver reads the waivers file, the accepted risks of a tenant, and applies it
// to scan results: covered findings stay in every report, marked waived, and no longer
// fail the scan; a waiver past its date stops applying and says so; a waiver that
// matches nothing is reported stale, so accepted risks never silently outlive the
// problem they were written for.
package waiver

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit/config/yamlfile"
)

// MaxAhead is how far ahead an expiry date may lie: a risk is accepted for a year at
// most, then someone must look at it again.
const MaxAhead = 366 * 24 * time.Hour

// dateLayout is the only accepted form of expires: a calendar date.
const dateLayout = "2006-01-02"

// Set is a loaded, checked waivers file.
type Set struct {
	File    string
	Waivers []Waiver
}

// Waiver is one accepted risk.
type Waiver struct {
	// ID names the waiver in reports; the file's id, or "waiver-N" by position.
	ID      string `yaml:"id"`
	Control string `yaml:"control"`
	// Findings lists finding fingerprints (findings[].id). With neither Findings nor
	// Resource the waiver covers every finding of the control.
	Findings []string       `yaml:"findings"`
	Resource *ResourceMatch `yaml:"resource"`
	Reason   string         `yaml:"reason"`
	Owner    string         `yaml:"owner"`
	Expires  string         `yaml:"expires"`
	Ticket   string         `yaml:"ticket"`

	// expires is the first instant the waiver no longer applies: the day after the
	// expiry date, in UTC, so the date itself is still covered.
	expiresAt time.Time
	findings  map[string]bool
}

// ResourceMatch selects findings by what they are about. Every field that is set must
// match; id and name are case-insensitive patterns where * is any run of characters
// and ? one character.
type ResourceMatch struct {
	Type string `yaml:"type"`
	ID   string `yaml:"id"`
	Name string `yaml:"name"`

	id, name *regexp.Regexp
}

type file struct {
	Waivers []Waiver `yaml:"waivers"`
}

// Load reads and checks a waivers file; now decides what "more than a year ahead" is.
// Every error is one line naming the file, the line and the key.
func Load(path string, now time.Time) (*Set, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, fmt.Errorf("waivers %s: no such file", path)
		}
		return nil, fmt.Errorf("waivers: %w", err)
	}
	return Parse(path, data, now)
}

// Parse checks the content of a waivers file named name.
func Parse(name string, data []byte, now time.Time) (*Set, error) {
	var f file
	doc, err := yamlfile.Decode(name, data, &f, nil)
	if err != nil {
		return nil, err
	}
	if !doc.Has("waivers") {
		return nil, fmt.Errorf("%s:1: waivers: missing; the file holds a list under 'waivers:'",
			name)
	}
	limit := now.UTC().Add(MaxAhead)
	seen := map[string]string{}
	for i := range f.Waivers {
		w := &f.Waivers[i]
		at := fmt.Sprintf("waivers[%d]", i)
		if err := w.check(doc, at, limit); err != nil {
			return nil, err
		}
		if w.ID == "" {
			w.ID = fmt.Sprintf("waiver-%d", i+1)
		}
		if prev, dup := seen[w.ID]; dup {
			return nil, doc.Errorf(at+".id", "id %q is used by %s too", w.ID, prev)
		}
		seen[w.ID] = at
	}
	return &Set{File: name, Waivers: f.Waivers}, nil
}

// check validates one entry and prepares its matchers.
func (w *Waiver) check(doc *yamlfile.Doc, at string, limit time.Time) error {
	required := []struct{ key, val, hint string }{
		{"control", w.Control, "the control id, e.g. SCOPE-01"},
		{"reason", w.Reason, "why the risk is accepted"},
		{"owner", w.Owner, "who answers for it"},
		{"expires", w.Expires, "a date (YYYY-MM-DD) at most a year ahead"},
	}
	for _, r := range required {
		if strings.TrimSpace(r.val) == "" {
			return doc.Errorf(at+"."+r.key, "missing: set %s", r.hint)
		}
	}
	end, err := endOf(w.Expires)
	if err != nil {
		return doc.Errorf(at+".expires", "%q is not a date; write YYYY-MM-DD", w.Expires)
	}
	w.expiresAt = end
	if day := end.AddDate(0, 0, -1); day.After(limit) {
		return doc.Errorf(at+".expires", "%s is more than a year ahead; accept a risk "+
			"for a year at most and renew it", w.Expires)
	}
	w.Control = strings.TrimSpace(w.Control)
	w.findings = map[string]bool{}
	for j, fp := range w.Findings {
		fp = strings.ToLower(strings.TrimSpace(fp))
		if fp == "" {
			return doc.Errorf(fmt.Sprintf("%s.findings[%d]", at, j), "empty fingerprint")
		}
		w.findings[fp] = true
	}
	if w.Resource != nil {
		m := w.Resource
		if m.Type == "" && m.ID == "" && m.Name == "" {
			return doc.Errorf(at+".resource", "set at least one of type, id, name")
		}
		m.id, m.name = pattern(m.ID), pattern(m.Name)
	}
	return nil
}

// pattern compiles a glob (* and ?) into an anchored, case-insensitive expression.
func pattern(glob string) *regexp.Regexp {
	if glob == "" {
		return nil
	}
	var b strings.Builder
	b.WriteString("(?is)^")
	for _, r := range glob {
		switch r {
		case '*':
			b.WriteString(".*")
		case '?':
			b.WriteString(".")
		default:
			b.WriteString(regexp.QuoteMeta(string(r)))
		}
	}
	b.WriteString("$")
	return regexp.MustCompile(b.String())
}

// endOf reads an expiry date and gives the first instant it no longer covers: the day
// after it, in UTC, so the date itself is still covered.
func endOf(expires string) (time.Time, error) {
	day, err := time.Parse(dateLayout, strings.TrimSpace(expires))
	if err != nil {
		return time.Time{}, err
	}
	return day.AddDate(0, 0, 1), nil
}

// Expired reports whether the waiver no longer applies at now.
func (w *Waiver) Expired(now time.Time) bool {
	return !now.Before(w.expiresAt)
}
