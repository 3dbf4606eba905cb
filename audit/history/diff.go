package history

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// Diff is what changed between two scans of a tenant.
type Diff struct {
	Old *Scan `json:"old"`
	New *Scan `json:"new"`
	// NewFindings are in New and not in Old; Resolved the reverse; Unchanged in both
	// (as New has them, so a waiver added in between shows).
	NewFindings []FindingRow    `json:"newFindings"`
	Resolved    []FindingRow    `json:"resolvedFindings"`
	Unchanged   []FindingRow    `json:"unchangedFindings"`
	Controls    []ControlChange `json:"controlChanges"`
}

// ControlChange is a control whose status differs; "absent" when a scan lacks it.
type ControlChange struct {
	Control string              `json:"control"`
	Old     audit.ControlStatus `json:"old"`
	New     audit.ControlStatus `json:"new"`
}

// Absent stands for a control one of the scans did not have.
const Absent audit.ControlStatus = "absent"

// Compare diffs scan oldID against scan newID.
func (s *Store) Compare(ctx context.Context, oldID, newID int64) (*Diff, error) {
	d := &Diff{NewFindings: []FindingRow{}, Resolved: []FindingRow{},
		Unchanged: []FindingRow{}, Controls: []ControlChange{}}
	var err error
	if d.Old, err = s.Get(ctx, oldID); err != nil {
		return nil, err
	}
	if d.New, err = s.Get(ctx, newID); err != nil {
		return nil, err
	}
	if a, b := d.Old.TenantID, d.New.TenantID; a != "" && b != "" && !strings.EqualFold(a, b) {
		return nil, fmt.Errorf("scans %d and %d are of different tenants (%s, %s): compare "+
			"two scans of one tenant", oldID, newID, a, b)
	}
	oldF, err := s.Findings(ctx, oldID)
	if err != nil {
		return nil, err
	}
	newF, err := s.Findings(ctx, newID)
	if err != nil {
		return nil, err
	}
	inOld := map[string]bool{}
	for _, f := range oldF {
		inOld[f.ID] = true
	}
	inNew := map[string]bool{}
	for _, f := range newF {
		inNew[f.ID] = true
		if inOld[f.ID] {
			d.Unchanged = append(d.Unchanged, f)
		} else {
			d.NewFindings = append(d.NewFindings, f)
		}
	}
	for _, f := range oldF {
		if !inNew[f.ID] {
			d.Resolved = append(d.Resolved, f)
		}
	}
	for _, list := range [][]FindingRow{d.NewFindings, d.Resolved, d.Unchanged} {
		sortRows(list)
	}

	oldC, err := s.Controls(ctx, oldID)
	if err != nil {
		return nil, err
	}
	newC, err := s.Controls(ctx, newID)
	if err != nil {
		return nil, err
	}
	for id, st := range newC {
		if prev, ok := oldC[id]; !ok {
			d.Controls = append(d.Controls, ControlChange{id, Absent, st})
		} else if prev != st {
			d.Controls = append(d.Controls, ControlChange{id, prev, st})
		}
	}
	for id, st := range oldC {
		if _, ok := newC[id]; !ok {
			d.Controls = append(d.Controls, ControlChange{id, st, Absent})
		}
	}
	sort.Slice(d.Controls, func(i, j int) bool { return d.Controls[i].Control < d.Controls[j].Control })
	return d, nil
}

func sortRows(fs []FindingRow) {
	sort.SliceStable(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if ra, rb := audit.SeverityRank(a.Severity), audit.SeverityRank(b.Severity); ra != rb {
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
