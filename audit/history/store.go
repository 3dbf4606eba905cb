// Package history keeps the scans of one tenant in an embedded SQLite database, so a
// scheduled scan can say what changed since the last run: which findings are new,
// which were resolved, which controls changed status, and how the counts trend.
//
// One database per tenant keeps tenants apart by construction. Every scan is written in
// one transaction on a database in WAL mode with a busy timeout, so two runs for the
// same tenant at once wait for each other instead of corrupting anything.
package history

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"

	_ "modernc.org/sqlite" // the pure-Go SQLite driver, registered as "sqlite"
)

// FileName is the database's name inside a tenant's state directory.
const FileName = "history.db"

// busyTimeoutMS is how long a writer waits for another run's transaction to finish.
const busyTimeoutMS = 30000

// Store is one tenant's scan history.
type Store struct {
	db   *sql.DB
	path string
}

var tenantName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// DefaultBase is where state lives when no state directory is configured:
// $XDG_STATE_HOME/teamschat-audit, else ~/.local/state/teamschat-audit.
func DefaultBase() (string, error) {
	if d := os.Getenv("XDG_STATE_HOME"); d != "" && filepath.IsAbs(d) {
		return filepath.Join(d, "teamschat-audit"), nil
	}
	home, err := os.UserHomeDir()
	if err != nil {
		return "", fmt.Errorf("state directory: %w; set --state-dir", err)
	}
	return filepath.Join(home, ".local", "state", "teamschat-audit"), nil
}

// TenantDir is a tenant's state directory under base. The name must be a plain name,
// so no tenant can reach into another's directory.
func TenantDir(base, tenant string) (string, error) {
	if !tenantName.MatchString(tenant) {
		return "", fmt.Errorf("tenant name %q: use letters, digits, '.', '_' and '-'", tenant)
	}
	return filepath.Join(base, tenant), nil
}

// Open opens (creating and migrating as needed) the history database in dir, a
// tenant's state directory.
func Open(ctx context.Context, dir string) (*Store, error) {
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("history: %w", err)
	}
	path := filepath.Join(dir, FileName)
	s, err := openFile(path)
	if err != nil {
		return nil, err
	}
	if err := migrate(ctx, s.db, len(migrations)); err != nil {
		s.db.Close()
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	return s, nil
}

// openFile opens the database without migrating it.
func openFile(path string) (*Store, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeoutMS))
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "synchronous(NORMAL)")
	// Immediate transactions take the write lock at BEGIN, so two writers queue on the
	// busy timeout instead of one failing when it upgrades a read lock.
	q.Set("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	if err := db.Ping(); err != nil {
		db.Close()
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	// History files hold resource names of the tenant: readable by the owner only.
	if err := os.Chmod(path, 0o600); err != nil && !errors.Is(err, os.ErrNotExist) {
		db.Close()
		return nil, fmt.Errorf("history %s: %w", path, err)
	}
	return &Store{db: db, path: path}, nil
}

// Path is the database file.
func (s *Store) Path() string { return s.path }

// Close closes the database.
func (s *Store) Close() error { return s.db.Close() }
