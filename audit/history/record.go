package history

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// TrendScans is how many scans the trend in the results covers.
const TrendScans = 20

// SourceSummary is what a scan recorded of one evidence source.
type SourceSummary struct {
	Status audit.Status `json:"status"`
	Items  int          `json:"items"`
}

// Record stores the scan r and sets r.History: it marks every finding New that the
// baseline scan did not have, and gives the trend of the recent scans. The baseline is
// the latest complete scan, or the latest scan when none was complete: an interrupted
// collection must not make every finding of the next run look new. The first scan of a
// tenant marks nothing new.
//
// Reading the baseline and writing the scan happen in one transaction, so two runs at
// once each compare with a scan that really came before them.
func (s *Store) Record(ctx context.Context, r *audit.Results) (*audit.History, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("record scan: %w", err)
	}
	defer tx.Rollback()

	if err := sameTenant(ctx, tx, r.Tenant.TenantID); err != nil {
		return nil, err
	}
	h := &audit.History{}
	prev, err := baseline(ctx, tx)
	if err != nil {
		return nil, err
	}
	if prev != nil {
		h.PreviousID, h.PreviousAt = prev.id, prev.at
		for i := range r.Findings {
			f := &r.Findings[i]
			f.New = !prev.fingerprints[f.ID]
			if f.New {
				h.NewFindings++
			}
		}
	} else {
		for i := range r.Findings {
			r.Findings[i].New = false
		}
	}

	if h.ScanID, err = insertScan(ctx, tx, r); err != nil {
		return nil, fmt.Errorf("record scan: %w", err)
	}
	if h.Trend, err = trend(ctx, tx, TrendScans); err != nil {
		return nil, err
	}
	if err := tx.Commit(); err != nil {
		return nil, fmt.Errorf("record scan: %w", err)
	}
	r.History = h
	return h, nil
}

// OtherTenantError is a scan of one tenant offered to a history that holds scans of
// another: compared, every finding of either would look new or resolved.
type OtherTenantError struct {
	Recorded, Scanned string
}

func (e *OtherTenantError) Error() string {
	return fmt.Sprintf("it holds scans of tenant %s and this scan is of tenant %s, so the "+
		"scan was not recorded: pass another --tenant NAME to keep this tenant's history "+
		"apart", e.Recorded, e.Scanned)
}

// CheckTenant tells, before a scan of tenantID starts, whether Record would refuse it
// as another tenant's: an *OtherTenantError when the history holds scans of another
// tenant. Record checks again in its transaction.
func (s *Store) CheckTenant(ctx context.Context, tenantID string) error {
	return sameTenant(ctx, s.db, tenantID)
}

// sameTenant refuses a scan whose tenant id differs from the earlier scans'. A scan or
// snapshot that names no tenant cannot be told apart and is let through.
func sameTenant(ctx context.Context, q querier, tenantID string) error {
	if tenantID == "" {
		return nil
	}
	var other string
	err := q.QueryRowContext(ctx, `SELECT tenant_id FROM scans WHERE tenant_id != ''
		AND lower(tenant_id) != lower(?) ORDER BY id DESC LIMIT 1`, tenantID).Scan(&other)
	if err == sql.ErrNoRows {
		return nil
	}
	if err != nil {
		return fmt.Errorf("read earlier scans' tenant: %w", err)
	}
	return &OtherTenantError{Recorded: other, Scanned: tenantID}
}

type prevScan struct {
	id           int64
	at           time.Time
	fingerprints map[string]bool
}

func baseline(ctx context.Context, tx *sql.Tx) (*prevScan, error) {
	var id int64
	var at string
	err := tx.QueryRowContext(ctx, `SELECT id, scanned_at FROM scans
		ORDER BY complete DESC, id DESC LIMIT 1`).Scan(&id, &at)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("read previous scan: %w", err)
	}
	p := &prevScan{id: id, at: parseTime(at), fingerprints: map[string]bool{}}
	rows, err := tx.QueryContext(ctx,
		`SELECT fingerprint FROM scan_findings WHERE scan_id = ?`, id)
	if err != nil {
		return nil, fmt.Errorf("read previous findings: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var fp string
		if err := rows.Scan(&fp); err != nil {
			return nil, fmt.Errorf("read previous findings: %w", err)
		}
		p.fingerprints[fp] = true
	}
	return p, rows.Err()
}

func insertScan(ctx context.Context, tx *sql.Tx, r *audit.Results) (int64, error) {
	ev := map[audit.SourceName]SourceSummary{}
	for name, src := range r.Evidence {
		if src != nil {
			ev[name] = SourceSummary{Status: src.Status, Items: src.Items}
		}
	}
	evJSON, err := json.Marshal(ev)
	if err != nil {
		return 0, err
	}
	res, err := tx.ExecContext(ctx, `INSERT INTO scans (scanned_at, tool_version, tenant_id,
		complete, exit_code, verdict, evidence, fail_on) VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
		formatTime(r.ScannedAt), r.Tool.Version, r.Tenant.TenantID, r.Complete,
		r.Summary.ExitCode, r.Summary.Verdict, string(evJSON), r.Summary.FailOn)
	if err != nil {
		return 0, err
	}
	id, err := res.LastInsertId()
	if err != nil {
		return 0, err
	}
	for _, c := range r.Controls {
		if _, err := tx.ExecContext(ctx, `INSERT INTO scan_controls (scan_id, control, status,
			findings, waived) VALUES (?, ?, ?, ?, ?)`, id, c.ID, string(c.Status), c.Findings,
			c.Waived); err != nil {
			return 0, err
		}
	}
	stmt, err := tx.PrepareContext(ctx, `INSERT INTO scan_findings (scan_id, fingerprint,
		control, severity, resource_type, resource_id, resource_name, waived, waiver_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO NOTHING`)
	if err != nil {
		return 0, err
	}
	defer stmt.Close()
	for _, f := range r.Findings {
		waiverID := ""
		if f.Waived != nil {
			waiverID = f.Waived.ID
		}
		if _, err := stmt.ExecContext(ctx, id, f.ID, f.Control, f.Severity, f.Resource.Type,
			f.Resource.ID, f.Resource.Name, f.Waived != nil, waiverID); err != nil {
			return 0, err
		}
	}
	return id, nil
}

// trend counts the open findings by severity of the last n scans, oldest first.
func trend(ctx context.Context, q querier, n int) ([]audit.TrendPoint, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, scanned_at, exit_code FROM
		(SELECT * FROM scans ORDER BY id DESC LIMIT ?) ORDER BY id`, n)
	if err != nil {
		return nil, fmt.Errorf("read trend: %w", err)
	}
	var points []audit.TrendPoint
	for rows.Next() {
		var p audit.TrendPoint
		var at string
		if err := rows.Scan(&p.ScanID, &at, &p.ExitCode); err != nil {
			rows.Close()
			return nil, fmt.Errorf("read trend: %w", err)
		}
		p.ScannedAt = parseTime(at)
		p.Findings = map[string]int{}
		points = append(points, p)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read trend: %w", err)
	}
	for i := range points {
		counts, err := q.QueryContext(ctx, `SELECT severity, waived, COUNT(*) FROM scan_findings
			WHERE scan_id = ? GROUP BY severity, waived`, points[i].ScanID)
		if err != nil {
			return nil, fmt.Errorf("read trend: %w", err)
		}
		for counts.Next() {
			var sev string
			var waived bool
			var n int
			if err := counts.Scan(&sev, &waived, &n); err != nil {
				counts.Close()
				return nil, fmt.Errorf("read trend: %w", err)
			}
			if waived {
				points[i].Waived += n
			} else {
				points[i].Findings[sev] += n
			}
		}
		counts.Close()
	}
	return points, nil
}

// querier is what the read queries need: a database or a transaction.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

func formatTime(t time.Time) string { return t.UTC().Format(time.RFC3339Nano) }

func parseTime(s string) time.Time {
	t, _ := time.Parse(time.RFC3339Nano, s)
	return t
}
