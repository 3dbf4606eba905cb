package waiver

import (
	"fmt"
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

// Expire holds the waiver marks that results already carry (a results file read back
// without its waivers file) to the rule Apply follows: a mark whose expiry date has
// passed at now is cleared, so its finding fails again, and its waiver is recorded as
// expired in r.Waivers, as a scan at now would record it. r is settled again
// (Finalize). An expiry date that does not read as one is an error: no scan writes it.
func Expire(r *audit.Results, now time.Time) error {
	for _, st := range r.Waivers {
		if _, err := endOf(st.Expires); err != nil {
			return fmt.Errorf("waiver %s expires %q, which is not a date", st.ID, st.Expires)
		}
	}
	var lapsed []*audit.WaiverStatus
	for i := range r.Findings {
		f := &r.Findings[i]
		if f.Waived == nil {
			continue
		}
		end, err := endOf(f.Waived.Expires)
		if err != nil {
			return fmt.Errorf("finding %s is waived until %q, which is not a date",
				f.ID, f.Waived.Expires)
		}
		if now.Before(end) {
			continue
		}
		st := lapsedStatus(r, &lapsed, *f.Waived, f.Control)
		if st != nil {
			st.Matched++
		}
		f.Waived = nil
	}
	for i := range r.Waivers {
		st := &r.Waivers[i]
		if end, _ := endOf(st.Expires); !now.Before(end) {
			st.State = audit.WaiverExpired
		}
	}
	for _, st := range lapsed {
		r.Waivers = append(r.Waivers, *st)
	}
	r.Finalize()
	return nil
}

// lapsedStatus finds the status a cleared mark of ref counts towards: none when
// r.Waivers records the waiver already (its count stands), otherwise one made for it
// in lapsed.
func lapsedStatus(r *audit.Results, lapsed *[]*audit.WaiverStatus, ref audit.WaiverRef,
	control string) *audit.WaiverStatus {
	for _, st := range r.Waivers {
		if st.ID == ref.ID && strings.EqualFold(st.Control, control) {
			return nil
		}
	}
	for _, st := range *lapsed {
		if st.WaiverRef == ref && strings.EqualFold(st.Control, control) {
			return st
		}
	}
	st := &audit.WaiverStatus{WaiverRef: ref, Control: control, State: audit.WaiverExpired}
	*lapsed = append(*lapsed, st)
	return st
}
