package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// Scan is one recorded scan.
type Scan struct {
	ID          int64                              `json:"id"`
	ScannedAt   time.Time                          `json:"scannedAt"`
	ToolVersion string                             `json:"toolVersion"`
	TenantID    string                             `json:"tenantId,omitempty"`
	Complete    bool                               `json:"complete"`
	ExitCode    int                                `json:"exitCode"`
	Verdict     string                             `json:"verdict"`
	FailOn      string                             `json:"failOn,omitempty"`
	Evidence    map[audit.SourceName]SourceSummary `json:"evidence"`
	Controls    map[audit.ControlStatus]int        `json:"controls"`
	Findings    map[string]int                     `json:"findings"`
	Waived      int                                `json:"waived"`
}

// FindingRow is one finding as the history keeps it.
type FindingRow struct {
	ID       string         `json:"id"`
	Control  string         `json:"control"`
	Severity string         `json:"severity"`
	Resource audit.Resource `json:"resource"`
	Waived   bool           `json:"waived"`
	WaiverID string         `json:"waiverId,omitempty"`
}

// ErrNoScan is returned when a scan id is not in the history.
var ErrNoScan = errors.New("no such scan")

// List returns the last limit scans (all when limit <= 0), newest first.
func (s *Store) List(ctx context.Context, limit int) ([]Scan, error) {
	if limit <= 0 {
		limit = -1
	}
	return s.scans(ctx, `ORDER BY id DESC LIMIT ?`, limit)
}

// scans reads the scans that the query tail selects, with their counts.
func (s *Store) scans(ctx context.Context, tail string, args ...any) ([]Scan, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT id, scanned_at, tool_version, tenant_id,
		complete, exit_code, verdict, fail_on, evidence FROM scans `+tail, args...)
	if err != nil {
		return nil, fmt.Errorf("list scans: %w", err)
	}
	var scans []Scan
	for rows.Next() {
		var sc Scan
		var at, ev string
		if err := rows.Scan(&sc.ID, &at, &sc.ToolVersion, &sc.TenantID, &sc.Complete,
			&sc.ExitCode, &sc.Verdict, &sc.FailOn, &ev); err != nil {
			rows.Close()
			return nil, fmt.Errorf("list scans: %w", err)
		}
		sc.ScannedAt = parseTime(at)
		if err := json.Unmarshal([]byte(ev), &sc.Evidence); err != nil {
			rows.Close()
			return nil, fmt.Errorf("scan %d: evidence summary: %w", sc.ID, err)
		}
		scans = append(scans, sc)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list scans: %w", err)
	}
	for i := range scans {
		if err := s.counts(ctx, &scans[i]); err != nil {
			return nil, err
		}
	}
	return scans, nil
}

// counts fills a scan's control and finding counts.
func (s *Store) counts(ctx context.Context, sc *Scan) error {
	sc.Controls, sc.Findings = map[audit.ControlStatus]int{}, map[string]int{}
	controls, err := s.Controls(ctx, sc.ID)
	if err != nil {
		return err
	}
	for _, st := range controls {
		sc.Controls[st]++
	}
	findings, err := s.Findings(ctx, sc.ID)
	if err != nil {
		return err
	}
	for _, f := range findings {
		if f.Waived {
			sc.Waived++
		} else {
			sc.Findings[f.Severity]++
		}
	}
	return nil
}

// Get returns one scan.
func (s *Store) Get(ctx context.Context, id int64) (*Scan, error) {
	found, err := s.scans(ctx, `WHERE id = ?`, id)
	if err != nil {
		return nil, err
	}
	if len(found) == 0 {
		return nil, fmt.Errorf("scan %d: %w", id, ErrNoScan)
	}
	return &found[0], nil
}

// Controls returns the status of every control of a scan, by control id.
func (s *Store) Controls(ctx context.Context, id int64) (map[string]audit.ControlStatus, error) {
	rows, err := s.db.QueryContext(ctx,
		`SELECT control, status FROM scan_controls WHERE scan_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("read controls of scan %d: %w", id, err)
	}
	defer rows.Close()
	out := map[string]audit.ControlStatus{}
	for rows.Next() {
		var c, st string
		if err := rows.Scan(&c, &st); err != nil {
			return nil, fmt.Errorf("read controls of scan %d: %w", id, err)
		}
		out[c] = audit.ControlStatus(st)
	}
	return out, rows.Err()
}

// Findings returns the findings of a scan, in severity, control, resource order.
func (s *Store) Findings(ctx context.Context, id int64) ([]FindingRow, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT fingerprint, control, severity, resource_type,
		resource_id, resource_name, waived, waiver_id FROM scan_findings WHERE scan_id = ?
		ORDER BY control, resource_id, fingerprint`, id)
	if err != nil {
		return nil, fmt.Errorf("read findings of scan %d: %w", id, err)
	}
	defer rows.Close()
	var out []FindingRow
	for rows.Next() {
		var f FindingRow
		if err := rows.Scan(&f.ID, &f.Control, &f.Severity, &f.Resource.Type, &f.Resource.ID,
			&f.Resource.Name, &f.Waived, &f.WaiverID); err != nil {
			return nil, fmt.Errorf("read findings of scan %d: %w", id, err)
		}
		out = append(out, f)
	}
	return out, rows.Err()
}

// Trend counts the open findings by severity of the last n scans, oldest first.
func (s *Store) Trend(ctx context.Context, n int) ([]audit.TrendPoint, error) {
	return trend(ctx, s.db, n)
}

// LastTwo returns the ids of the two latest scans, older first.
func (s *Store) LastTwo(ctx context.Context) (int64, int64, error) {
	scans, err := s.db.QueryContext(ctx, `SELECT id FROM scans ORDER BY id DESC LIMIT 2`)
	if err != nil {
		return 0, 0, fmt.Errorf("list scans: %w", err)
	}
	defer scans.Close()
	var ids []int64
	for scans.Next() {
		var id int64
		if err := scans.Scan(&id); err != nil {
			return 0, 0, fmt.Errorf("list scans: %w", err)
		}
		ids = append(ids, id)
	}
	if err := scans.Err(); err != nil && !errors.Is(err, sql.ErrNoRows) {
		return 0, 0, err
	}
	if len(ids) < 2 {
		return 0, 0, fmt.Errorf("the history holds %d scan(s); diff needs two", len(ids))
	}
	return ids[1], ids[0], nil
}
