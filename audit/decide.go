package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// Exit codes of a scan, from the most to the least urgent.
const (
	ExitCompliant = 0
	ExitFailed    = 1
	// ExitUndecided: evidence incomplete, a control in error, or bad input.
	ExitUndecided = 2
)

// Version is the tool's version, set at build time.
var Version = "dev"

// maxReasons is how many item-level errors a control's reason quotes.
const maxReasons = 3

// results turns what the rules returned into the outcome of every control.
func (e *Engine) results(snap *Snapshot, out []outcome) *Results {
	r := &Results{
		SchemaVersion: ResultsSchemaVersion,
		Tool:          Tool{Name: "teamschat-audit", Version: Version},
		ScannedAt:     now(),
		Tenant:        snap.Tenant,
		Evidence:      snap.Sources,
		Findings:      []Finding{},
	}
	r.SettleEvidence()
	for i, c := range e.Controls {
		cr, judged := c.decide(snap, out[i])
		if judged {
			for _, raw := range out[i].findings {
				r.Findings = append(r.Findings, c.finding(raw))
			}
		} else if n := len(out[i].findings); n > 0 {
			noun := "findings"
			if n == 1 {
				noun = "finding"
			}
			cr.Reason += fmt.Sprintf("; %d %s on this evidence set aside unreported", n, noun)
		}
		r.Controls = append(r.Controls, cr)
	}
	r.Finalize()
	return r
}

// SettleEvidence says from the evidence records whether the evidence is complete, and
// which sources are not.
func (r *Results) SettleEvidence() {
	r.Complete, r.Summary.Incomplete = true, nil
	for _, name := range AllSources {
		if src := r.Evidence[name]; src == nil || src.Status != StatusComplete {
			r.Complete = false
			r.Summary.Incomplete = append(r.Summary.Incomplete, name)
		}
	}
}

// Finalize settles what depends on the findings: the pass or fail of every control
// decided by its findings, the counts, the order of findings, the verdict. Whatever
// changes findings afterwards (waivers, history) calls it again.
func (r *Results) Finalize() {
	open := map[string]int{}
	total := map[string]int{}
	waived := map[string]int{}
	r.Summary.Findings = map[string]int{}
	for _, f := range r.Findings {
		total[f.Control]++
		if f.Waived != nil {
			waived[f.Control]++
			continue
		}
		open[f.Control]++
		r.Summary.Findings[f.Severity]++
	}
	r.Summary.Controls = map[ControlStatus]int{}
	for i := range r.Controls {
		c := &r.Controls[i]
		c.Findings, c.Waived = total[c.ID], waived[c.ID]
		if c.Status == Pass || c.Status == Fail {
			c.Status = Pass
			if open[c.ID] > 0 && !c.Observation {
				c.Status = Fail
			}
		}
		r.Summary.Controls[c.Status]++
	}
	sortFindings(r.Findings)
	r.Summary.ExitCode, r.Summary.Verdict = verdict(r)
}

// decide gives a control its status, and says whether its findings stand: a control
// that does not apply has none. The order matters: evidence that is not complete wins
// over everything, so a control never passes on evidence it did not see. What it found
// on that evidence is still reported; rules that find something missing require the
// evidence of it complete (policies/lib/graph.rego, grants_known).
// Pass and fail are provisional here: Finalize settles them from the findings.
func (c *Control) decide(snap *Snapshot, o outcome) (cr ControlResult, judged bool) {
	cr = ControlResult{
		ID: c.ID, Title: c.Title, Description: c.Description, Severity: c.Severity,
		Remediation: c.Remediation, URL: c.URL, Sources: c.Sources,
		Observation: c.Observation, Policy: c.Package,
	}
	var missing []string
	for _, name := range c.Sources {
		if src := snap.Sources[name]; src.Status != StatusComplete {
			missing = append(missing, sourceProblem(name, src))
		}
	}
	switch {
	case c.Manual:
		cr.Status, cr.Reason = Manual, "cannot be checked automatically; see the guidance"
	case len(missing) > 0:
		cr.Status = Error
		cr.Reason = "evidence not complete: " + strings.Join(missing, "; ")
	case len(o.notApplicable) > 0:
		cr.Status, cr.Reason = NotApplicable, fmt.Sprint(o.notApplicable[0])
		return cr, false
	case len(o.errors) > 0:
		cr.Status, cr.Reason = Error, errorReason(o.errors)
	default:
		cr.Status = Pass
	}
	return cr, true
}

func sourceProblem(name SourceName, src *Source) string {
	s := fmt.Sprintf("%s is %s", name, src.Status)
	if src.Reason != "" {
		s += " (" + src.Reason + ")"
	}
	return s
}

// errorReason quotes the first item-level errors, sorted so the text is stable.
func errorReason(errs []any) string {
	msgs := make([]string, 0, len(errs))
	for _, e := range errs {
		msgs = append(msgs, fmt.Sprint(e))
	}
	sort.Strings(msgs)
	msgs = slices.Compact(msgs) // batches may each say the same
	n := len(msgs)
	if n > maxReasons {
		msgs = msgs[:maxReasons]
	}
	s := "evidence missing: " + strings.Join(msgs, "; ")
	if n > maxReasons {
		s += fmt.Sprintf("; and %d more", n-maxReasons)
	}
	return s
}

// finding reads one finding object returned by a rule. Missing parts are filled from
// the control rather than dropped: a malformed finding still shows.
func (c *Control) finding(raw any) Finding {
	obj, _ := raw.(map[string]any)
	f := Finding{Control: c.ID, Severity: c.Severity, Remediation: c.Remediation}
	if s, ok := obj["severity"].(string); ok && SeverityRank(s) < len(Severities) {
		f.Severity = s
	}
	if s, ok := obj["remediation"].(string); ok && s != "" {
		f.Remediation = s
	}
	f.Message, _ = obj["message"].(string)
	if f.Message == "" {
		f.Message = c.Title
	}
	if res, ok := obj["resource"].(map[string]any); ok {
		f.Resource.Type = fmt.Sprint(orEmpty(res["type"]))
		f.Resource.ID = fmt.Sprint(orEmpty(res["id"]))
		f.Resource.Name = fmt.Sprint(orEmpty(res["name"]))
	}
	f.Evidence, _ = obj["evidence"].(map[string]any)
	key := fmt.Sprint(orEmpty(obj["key"]))
	f.ID = Fingerprint(c.ID, f.Resource, key)
	return f
}

func orEmpty(v any) any {
	if v == nil {
		return ""
	}
	return v
}

// Fingerprint identifies a finding across scans: the control, the resource and the
// rule's key, never anything that changes from one scan to the next.
func Fingerprint(control string, res Resource, key string) string {
	h := sha256.New()
	for _, part := range []string{control, res.Type, strings.ToLower(res.ID), key} {
		h.Write([]byte(part))
		h.Write([]byte{0})
	}
	return hex.EncodeToString(h.Sum(nil))[:20]
}

func sortFindings(fs []Finding) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if ra, rb := SeverityRank(a.Severity), SeverityRank(b.Severity); ra != rb {
			return ra < rb
		}
		if a.Control != b.Control {
			return a.Control < b.Control
		}
		if a.Resource.ID != b.Resource.ID {
			return a.Resource.ID < b.Resource.ID
		}
		return a.ID < b.ID
	})
}

// verdict gives the exit code: undecided wins over failed, failed over compliant.
// With Summary.FailOn set, a non-compliant scan exits 0 when every open finding of its
// failing controls is less severe than the threshold; the verdict stays non-compliant,
// so every report still tells the whole truth, and an undecided scan stays 2.
func verdict(r *Results) (int, string) {
	if !r.Complete || r.Summary.Controls[Error] > 0 {
		return ExitUndecided, "undecided"
	}
	if r.Summary.Controls[Fail] == 0 {
		return ExitCompliant, "compliant"
	}
	if r.Summary.FailOn == "" {
		return ExitFailed, "non-compliant"
	}
	failing := map[string]bool{}
	for _, c := range r.Controls {
		failing[c.ID] = c.Status == Fail
	}
	limit := SeverityRank(r.Summary.FailOn)
	for _, f := range r.Findings {
		if f.Waived == nil && failing[f.Control] && SeverityRank(f.Severity) <= limit {
			return ExitFailed, "non-compliant"
		}
	}
	return ExitCompliant, "non-compliant"
}
