package waiver

import (
	"strings"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// Apply marks the findings of r that an unexpired waiver of s covers, records the state
// of every waiver in r.Waivers and settles r again (Finalize). It starts from scratch,
// so results that were waived before (a results file read back) get the waivers of s
// as they stand at now, and nothing else. A nil s clears every waiver mark.
//
// When several waivers match one finding, the first in the file wins; the others still
// count it, so none of them looks stale.
func Apply(r *audit.Results, s *Set, now time.Time) {
	r.Waivers = nil
	for i := range r.Findings {
		r.Findings[i].Waived = nil
	}
	if s == nil {
		r.Finalize()
		return
	}
	for i := range s.Waivers {
		w := &s.Waivers[i]
		expired := w.Expired(now)
		matched := 0
		for j := range r.Findings {
			f := &r.Findings[j]
			if !w.Matches(f) {
				continue
			}
			matched++
			if !expired && f.Waived == nil {
				f.Waived = &audit.WaiverRef{ID: w.ID, Reason: w.Reason, Owner: w.Owner,
					Expires: w.Expires, Ticket: w.Ticket}
			}
		}
		st := audit.WaiverStatus{
			WaiverRef: audit.WaiverRef{ID: w.ID, Reason: w.Reason, Owner: w.Owner,
				Expires: w.Expires, Ticket: w.Ticket},
			Control: w.Control,
			Matched: matched,
			State:   audit.WaiverActive,
		}
		switch {
		case expired:
			st.State = audit.WaiverExpired
		case matched == 0:
			st.State = audit.WaiverStale
		}
		r.Waivers = append(r.Waivers, st)
	}
	r.Finalize()
}

// Matches reports whether the waiver names finding f: same control, and, when the
// waiver narrows it, one of its fingerprints or a resource that fits its match.
func (w *Waiver) Matches(f *audit.Finding) bool {
	if !strings.EqualFold(w.Control, f.Control) {
		return false
	}
	if len(w.findings) > 0 && !w.findings[strings.ToLower(f.ID)] {
		return false
	}
	if m := w.Resource; m != nil {
		if m.Type != "" && !strings.EqualFold(m.Type, f.Resource.Type) {
			return false
		}
		if m.id != nil && !m.id.MatchString(f.Resource.ID) {
			return false
		}
		if m.name != nil && !m.name.MatchString(f.Resource.Name) {
			return false
		}
	}
	return true
}

// Counts tells how many waivers are in each state, for a one-line summary.
func Counts(r *audit.Results) map[string]int {
	n := map[string]int{}
	for _, w := range r.Waivers {
		n[w.State]++
	}
	return n
}
