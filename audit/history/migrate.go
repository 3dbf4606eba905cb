package history

import (
	"context"
	"database/sql"
	"fmt"
)

// migrations are the schema versions in order: migrations[i] takes a database from
// version i to i+1. Released steps are never edited; a change is a new step, so a
// database written by any older build opens in this one.
var migrations = []string{
	// 1: scans, with the status of every control and every finding's fingerprint.
	`CREATE TABLE scans (
		id INTEGER PRIMARY KEY AUTOINCREMENT,
		scanned_at TEXT NOT NULL,
		tool_version TEXT NOT NULL,
		tenant_id TEXT NOT NULL,
		complete INTEGER NOT NULL,
		exit_code INTEGER NOT NULL,
		verdict TEXT NOT NULL,
		evidence TEXT NOT NULL
	);
	CREATE TABLE scan_controls (
		scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
		control TEXT NOT NULL,
		status TEXT NOT NULL,
		findings INTEGER NOT NULL,
		waived INTEGER NOT NULL,
		PRIMARY KEY (scan_id, control)
	);
	CREATE TABLE scan_findings (
		scan_id INTEGER NOT NULL REFERENCES scans(id) ON DELETE CASCADE,
		fingerprint TEXT NOT NULL,
		control TEXT NOT NULL,
		severity TEXT NOT NULL,
		resource_type TEXT NOT NULL,
		resource_id TEXT NOT NULL,
		resource_name TEXT NOT NULL,
		waived INTEGER NOT NULL,
		PRIMARY KEY (scan_id, fingerprint)
	);`,
	// 2: which waiver covered a finding, the fail-on threshold of the scan, and an index
	// for the trend query.
	`ALTER TABLE scan_findings ADD COLUMN waiver_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE scans ADD COLUMN fail_on TEXT NOT NULL DEFAULT '';
	CREATE INDEX scans_scanned_at ON scans(scanned_at);`,
}

// migrate brings the database to version target in one transaction: two runs that
// open a new database at once do not both create it.
func migrate(ctx context.Context, db *sql.DB, target int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	defer tx.Rollback()

	if _, err := tx.ExecContext(ctx,
		`CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)`); err != nil {
		return fmt.Errorf("migrate: %w", err)
	}
	version, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if version > len(migrations) {
		return fmt.Errorf("schema version %d is newer than this build knows (%d): "+
			"upgrade teamschat-audit", version, len(migrations))
	}
	for v := version; v < target; v++ {
		if _, err := tx.ExecContext(ctx, migrations[v]); err != nil {
			return fmt.Errorf("migrate to schema %d: %w", v+1, err)
		}
	}
	if target > version {
		if _, err := tx.ExecContext(ctx, `DELETE FROM schema_version`); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
		if _, err := tx.ExecContext(ctx,
			`INSERT INTO schema_version (version) VALUES (?)`, target); err != nil {
			return fmt.Errorf("migrate: %w", err)
		}
	}
	return tx.Commit()
}

func schemaVersion(ctx context.Context, q interface {
	QueryRowContext(context.Context, string, ...any) *sql.Row
}) (int, error) {
	var v sql.NullInt64
	if err := q.QueryRowContext(ctx, `SELECT MAX(version) FROM schema_version`).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return int(v.Int64), nil
}

// SchemaVersion is the database's schema version.
func (s *Store) SchemaVersion(ctx context.Context) (int, error) {
	return schemaVersion(ctx, s.db)
}
