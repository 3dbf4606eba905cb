package history

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// scanOf builds results with one finding per resource id; a resource id ending in "!"
// is waived, one starting with "L" is low severity.
func scanOf(complete bool, resources ...string) *audit.Results {
	r := &audit.Results{
		ScannedAt: time.Now().UTC(), Complete: complete,
		Tool:   audit.Tool{Version: "test"},
		Tenant: audit.Tenant{TenantID: "tenant-a"},
		Evidence: map[audit.SourceName]*audit.Source{
			audit.SourceChatLinks: {Status: audit.StatusComplete, Items: len(resources)},
		},
		Controls: []audit.ControlResult{{ID: "ACCESS-01", Status: audit.Fail},
			{ID: "SCOPE-01", Status: audit.Pass}},
	}
	for _, id := range resources {
		waived := id[len(id)-1] == '!'
		id = trimBang(id)
		sev := "high"
		if id[0] == 'L' {
			sev = "low"
		}
		res := audit.Resource{Type: "chatLink", ID: id, Name: "link " + id}
		f := audit.Finding{ID: audit.Fingerprint("ACCESS-01", res, ""), Control: "ACCESS-01",
			Severity: sev, Resource: res}
		if waived {
			f.Waived = &audit.WaiverRef{ID: "w1", Reason: "r", Owner: "o", Expires: "2027-01-01"}
		}
		r.Findings = append(r.Findings, f)
	}
	r.Finalize()
	return r
}

func trimBang(s string) string {
	if s[len(s)-1] == '!' {
		return s[:len(s)-1]
	}
	return s
}

func newIDs(r *audit.Results) []string {
	var out []string
	for _, f := range r.Findings {
		if f.New {
			out = append(out, f.Resource.ID)
		}
	}
	slices.Sort(out)
	return out
}

func resourceIDs(rows []FindingRow) []string {
	var out []string
	for _, f := range rows {
		out = append(out, f.Resource.ID)
	}
	slices.Sort(out)
	return out
}

func open(t *testing.T, dir string) *Store {
	t.Helper()
	s, err := Open(context.Background(), dir)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func TestRecordMarksNewAndDiffs(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())

	first := scanOf(true, "a", "b", "c")
	h1, err := s.Record(ctx, first)
	if err != nil {
		t.Fatal(err)
	}
	if len(newIDs(first)) != 0 || h1.PreviousID != 0 || first.History != h1 {
		t.Fatalf("first scan marked new %v, previous %d", newIDs(first), h1.PreviousID)
	}

	second := scanOf(true, "b", "c!", "d", "e")
	second.Controls[1].Status = audit.Error
	h2, err := s.Record(ctx, second)
	if err != nil {
		t.Fatal(err)
	}
	if got := newIDs(second); !slices.Equal(got, []string{"d", "e"}) || h2.NewFindings != 2 {
		t.Errorf("new %v (%d), want [d e]", got, h2.NewFindings)
	}
	if h2.PreviousID != h1.ScanID {
		t.Errorf("previous %d, want %d", h2.PreviousID, h1.ScanID)
	}

	d, err := s.Compare(ctx, h1.ScanID, h2.ScanID)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		got  []string
		want []string
	}{
		{"new", resourceIDs(d.NewFindings), []string{"d", "e"}},
		{"resolved", resourceIDs(d.Resolved), []string{"a"}},
		{"unchanged", resourceIDs(d.Unchanged), []string{"b", "c"}},
	} {
		if !slices.Equal(tc.got, tc.want) {
			t.Errorf("%s: %v, want %v", tc.name, tc.got, tc.want)
		}
	}
	want := []ControlChange{{"SCOPE-01", audit.Pass, audit.Error}}
	if !slices.Equal(d.Controls, want) {
		t.Errorf("control changes %v, want %v", d.Controls, want)
	}
	if o, n, err := s.LastTwo(ctx); err != nil || o != h1.ScanID || n != h2.ScanID {
		t.Errorf("LastTwo %d %d %v", o, n, err)
	}
	if _, err := s.Compare(ctx, 999, h2.ScanID); err == nil {
		t.Error("unknown scan id accepted")
	}
}

func TestBaselineSkipsIncompleteScans(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	if _, err := s.Record(ctx, scanOf(true, "a", "b")); err != nil {
		t.Fatal(err)
	}
	// A failed collection saw almost nothing.
	if _, err := s.Record(ctx, scanOf(false)); err != nil {
		t.Fatal(err)
	}
	third := scanOf(true, "a", "b", "c")
	if _, err := s.Record(ctx, third); err != nil {
		t.Fatal(err)
	}
	if got := newIDs(third); !slices.Equal(got, []string{"c"}) {
		t.Errorf("new %v, want only c", got)
	}
}

func TestTrendAndList(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	inputs := [][]string{{"a"}, {"a", "Lb"}, {"a!", "Lb", "c"}}
	for _, in := range inputs {
		if _, err := s.Record(ctx, scanOf(true, in...)); err != nil {
			t.Fatal(err)
		}
	}
	r := scanOf(true, "a", "Lb", "Lc", "d!")
	h, err := s.Record(ctx, r)
	if err != nil {
		t.Fatal(err)
	}
	if len(h.Trend) != 4 {
		t.Fatalf("trend has %d points", len(h.Trend))
	}
	wantHigh, wantLow, wantWaived := []int{1, 1, 1, 1}, []int{0, 1, 1, 2}, []int{0, 0, 1, 1}
	for i, p := range h.Trend {
		if p.Findings["high"] != wantHigh[i] || p.Findings["low"] != wantLow[i] ||
			p.Waived != wantWaived[i] {
			t.Errorf("point %d: %v waived %d", i, p.Findings, p.Waived)
		}
		if i > 0 && p.ScanID <= h.Trend[i-1].ScanID {
			t.Error("trend not oldest first")
		}
	}
	scans, err := s.List(ctx, 2)
	if err != nil {
		t.Fatal(err)
	}
	if len(scans) != 2 || scans[0].ID != h.ScanID || scans[0].Waived != 1 ||
		scans[0].Findings["low"] != 2 || scans[0].Evidence[audit.SourceChatLinks].Items != 4 {
		t.Errorf("list %+v", scans)
	}
	if scans[0].Controls[audit.Fail] != 1 || scans[0].ExitCode != r.Summary.ExitCode {
		t.Errorf("list counts %+v", scans[0])
	}
}

func TestMigratesOlderDatabase(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	old, err := openFile(filepath.Join(dir, FileName))
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, old.db, 1); err != nil {
		t.Fatal(err)
	}
	// What a version-1 build wrote: no fail_on, no waiver_id.
	_, err = old.db.Exec(`INSERT INTO scans (scanned_at, tool_version, tenant_id, complete,
		exit_code, verdict, evidence) VALUES ('2026-11-01T02:00:00Z', 'v0', 'tenant-a', 1, 1,
		'non-compliant', '{}')`)
	if err == nil {
		_, err = old.db.Exec(`INSERT INTO scan_findings VALUES (1, 'fp1', 'ACCESS-01', 'high',
			'chatLink', 'a', 'n', 0)`)
	}
	if err != nil {
		t.Fatal(err)
	}
	old.Close()

	s := open(t, dir)
	if v, err := s.SchemaVersion(ctx); err != nil || v != len(migrations) {
		t.Fatalf("schema version %d %v, want %d", v, err, len(migrations))
	}
	scans, err := s.List(ctx, 0)
	if err != nil || len(scans) != 1 || scans[0].ToolVersion != "v0" || scans[0].Findings["high"] != 1 {
		t.Fatalf("old scan after migration: %+v %v", scans, err)
	}
	r := scanOf(true, "a")
	r.Findings[0].ID = "fp1"
	if _, err := s.Record(ctx, r); err != nil || r.Findings[0].New {
		t.Errorf("record on migrated database: %v, new %v", err, r.Findings[0].New)
	}
}

func TestRefusesNewerDatabase(t *testing.T) {
	dir := t.TempDir()
	s := open(t, dir)
	if _, err := s.db.Exec(`UPDATE schema_version SET version = 99`); err != nil {
		t.Fatal(err)
	}
	s.Close()
	if _, err := Open(context.Background(), dir); err == nil {
		t.Fatal("a database from a newer build opened")
	}
}

func TestTenantDir(t *testing.T) {
	cases := []struct {
		name string
		ok   bool
	}{
		{"contoso", true}, {"contoso-prod.eu_1", true}, {"../other", false},
		{"a/b", false}, {"", false}, {".hidden", false},
	}
	for _, tc := range cases {
		_, err := TenantDir("/state", tc.name)
		if (err == nil) != tc.ok {
			t.Errorf("TenantDir(%q): %v", tc.name, err)
		}
	}
	t.Setenv("XDG_STATE_HOME", "/xdg")
	if b, _ := DefaultBase(); b != "/xdg/teamschat-audit" {
		t.Errorf("DefaultBase %q", b)
	}
}

// perWriter scans are recorded by each of two writers at once, each on its own
// connection as a separate process would; checkIntact proves none was lost or torn.
const perWriter = 12

func TestConcurrentWriters(t *testing.T) {
	dir := t.TempDir()
	var wg sync.WaitGroup
	errs := make(chan error, 2)
	for w := 0; w < 2; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs <- writeScans(dir, fmt.Sprintf("g%d", w))
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkIntact(t, dir, 2*perWriter)
}

func TestConcurrentProcesses(t *testing.T) {
	if dir := os.Getenv("HISTORY_WRITER_DIR"); dir != "" {
		if err := writeScans(dir, os.Getenv("HISTORY_WRITER_NAME")); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		return
	}
	dir := t.TempDir()
	var cmds []*exec.Cmd
	for i := 0; i < 2; i++ {
		cmd := exec.Command(os.Args[0], "-test.run=^TestConcurrentProcesses$")
		cmd.Env = append(os.Environ(), "HISTORY_WRITER_DIR="+dir,
			"HISTORY_WRITER_NAME=p"+strconv.Itoa(i))
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds = append(cmds, cmd)
	}
	for _, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("writer process: %v", err)
		}
	}
	checkIntact(t, dir, 2*perWriter)
}

func writeScans(dir, name string) error {
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	s, err := Open(ctx, dir)
	if err != nil {
		return err
	}
	defer s.Close()
	for i := 0; i < perWriter; i++ {
		ids := []string{"shared", fmt.Sprintf("%s-%d", name, i)}
		if _, err := s.Record(ctx, scanOf(true, ids...)); err != nil {
			return fmt.Errorf("%s scan %d: %w", name, i, err)
		}
	}
	return nil
}

func checkIntact(t *testing.T, dir string, want int) {
	t.Helper()
	s := open(t, dir)
	var check string
	if err := s.db.QueryRow(`PRAGMA integrity_check`).Scan(&check); err != nil || check != "ok" {
		t.Fatalf("integrity_check %q %v", check, err)
	}
	scans, err := s.List(context.Background(), 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(scans) != want {
		t.Fatalf("%d scans recorded, want %d", len(scans), want)
	}
	for _, sc := range scans {
		if sc.Findings["high"] != 2 {
			t.Errorf("scan %d has %v findings, want 2 high", sc.ID, sc.Findings)
		}
	}
}

// TestRefusesOtherTenant: a history keeps one tenant's scans; a scan of another tenant
// is not recorded and says so, while a scan naming no tenant, or the same tenant in
// other letter case, is.
func TestRefusesOtherTenant(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	if _, err := s.Record(ctx, scanOf(true, "a", "b")); err != nil {
		t.Fatal(err)
	}

	var ote *OtherTenantError
	if err := s.CheckTenant(ctx, "tenant-b"); !errors.As(err, &ote) ||
		ote.Recorded != "tenant-a" || ote.Scanned != "tenant-b" {
		t.Errorf("CheckTenant of another tenant: %v", err)
	}
	for _, id := range []string{"tenant-a", "TENANT-A", ""} {
		if err := s.CheckTenant(ctx, id); err != nil {
			t.Errorf("CheckTenant(%q): %v", id, err)
		}
	}

	other := scanOf(true, "c")
	other.Tenant.TenantID = "tenant-b"
	_, err := s.Record(ctx, other)
	if !errors.As(err, &ote) || ote.Recorded != "tenant-a" || ote.Scanned != "tenant-b" {
		t.Fatalf("scan of another tenant: %v", err)
	}
	if other.History != nil {
		t.Error("the refused scan was given a history")
	}
	if scans, _ := s.List(ctx, 10); len(scans) != 1 {
		t.Errorf("history holds %d scans after the refusal, want 1", len(scans))
	}

	same := scanOf(true, "a")
	same.Tenant.TenantID = "TENANT-A"
	unnamed := scanOf(true, "a")
	unnamed.Tenant.TenantID = ""
	for _, r := range []*audit.Results{same, unnamed} {
		if _, err := s.Record(ctx, r); err != nil {
			t.Errorf("tenant %q: %v", r.Tenant.TenantID, err)
		}
	}
}

// TestCompareRefusesOtherTenant: a history mixed before tenants were checked does not
// diff two tenants' scans.
func TestCompareRefusesOtherTenant(t *testing.T) {
	ctx := context.Background()
	s := open(t, t.TempDir())
	for range 2 {
		if _, err := s.Record(ctx, scanOf(true, "a")); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := s.db.ExecContext(ctx,
		`UPDATE scans SET tenant_id = 'tenant-b' WHERE id = 2`); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Compare(ctx, 1, 2); err == nil {
		t.Error("compared scans of two tenants")
	}
}
