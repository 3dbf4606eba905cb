package main

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/config"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
)

// genSnapshot writes a generated tenant to dir/name.json.
func genSnapshot(t *testing.T, dir, name string, seed int64, tenantID string) (string,
	*audit.Snapshot) {
	t.Helper()
	s, _ := tenantgen.Generate(tenantgen.Options{Links: 24, MembersPerChat: 3, Seed: seed,
		TenantID: tenantID, Violations: []string{"all"}, Rate: 0.2, ChannelFraction: 0.25})
	p := filepath.Join(dir, name+".json")
	if err := audit.SaveSnapshot(p, s); err != nil {
		t.Fatal(err)
	}
	return p, s
}

func writeFile(t *testing.T, path, content string) string {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func scanJSON(t *testing.T, args ...string) (int, *audit.Results) {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"scan", "--format", "json"}, args...)...)
	var r audit.Results
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("scan %v: exit %d, not JSON: %v\n%s", args, code, err, errOut)
	}
	return code, &r
}

func fingerprints(r *audit.Results, keep func(audit.Finding) bool) []string {
	var out []string
	for _, f := range r.Findings {
		if keep == nil || keep(f) {
			out = append(out, f.ID)
		}
	}
	slices.Sort(out)
	return out
}

func minus(a, b []string) []string {
	var out []string
	for _, x := range a {
		if !slices.Contains(b, x) {
			out = append(out, x)
		}
	}
	return out
}

// TestSecondScanReportsNewAndResolved runs two scans of one tenant from a
// configuration and checks the new markers, history and diff against the difference
// of the two scans computed directly.
func TestSecondScanReportsNewAndResolved(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	first, snap := genSnapshot(t, dir, "first", 11, "")
	// The second collection: five chat links gone, one delegated grant widened.
	snap.ChatLinks = snap.ChatLinks[:len(snap.ChatLinks)-5]
	snap.DelegatedGrants[0].Scope += " Mail.ReadWrite"
	second := filepath.Join(dir, "second.json")
	if err := audit.SaveSnapshot(second, snap); err != nil {
		t.Fatal(err)
	}
	_, r1 := scanJSON(t, "--snapshot", first)
	_, r2 := scanJSON(t, "--snapshot", second)
	wantNew := minus(fingerprints(r2, nil), fingerprints(r1, nil))
	wantResolved := minus(fingerprints(r1, nil), fingerprints(r2, nil))
	if len(wantNew) == 0 || len(wantResolved) == 0 {
		t.Fatalf("the change makes %d new and %d resolved findings; the test needs both",
			len(wantNew), len(wantResolved))
	}

	cfg := writeFile(t, filepath.Join(dir, "teamschat-audit.yaml"),
		"tenants:\n  - name: contoso\n    snapshot: first.json\nstateDir: state\n")
	_, s1 := scanJSON(t, "--config", cfg)
	if s1.History == nil || s1.History.NewFindings != 0 || len(fingerprints(s1, isNew)) != 0 {
		t.Fatalf("first scan: history %+v", s1.History)
	}
	// The default configuration file is read from the working directory.
	_, s2 := scanJSON(t, "--snapshot", second)
	if got := fingerprints(s2, isNew); !slices.Equal(got, wantNew) {
		t.Errorf("new markers %v, want %v", got, wantNew)
	}
	if s2.History.PreviousID != s1.History.ScanID || len(s2.History.Trend) != 2 {
		t.Errorf("history %+v", s2.History)
	}

	code, out, errOut := runCLI(t, "diff", "--format", "json")
	if code != 0 {
		t.Fatalf("diff exit %d: %s", code, errOut)
	}
	var d struct {
		Diff struct {
			New      []struct{ ID string } `json:"newFindings"`
			Resolved []struct{ ID string } `json:"resolvedFindings"`
		} `json:"diff"`
	}
	if err := json.Unmarshal([]byte(out), &d); err != nil {
		t.Fatal(err)
	}
	ids := func(rows []struct{ ID string }) []string {
		var out []string
		for _, r := range rows {
			out = append(out, r.ID)
		}
		slices.Sort(out)
		return out
	}
	if !slices.Equal(ids(d.Diff.New), wantNew) || !slices.Equal(ids(d.Diff.Resolved), wantResolved) {
		t.Errorf("diff new %v resolved %v, want %v and %v", ids(d.Diff.New),
			ids(d.Diff.Resolved), wantNew, wantResolved)
	}

	code, out, _ = runCLI(t, "diff")
	if code != 0 || !strings.Contains(out, "New findings:") || !strings.Contains(out, "Resolved") {
		t.Errorf("diff table: exit %d\n%s", code, out)
	}
	code, out, _ = runCLI(t, "history")
	if code != 0 || strings.Count(out, "\n") != 3 || !strings.Contains(out, "CRITICAL") {
		t.Errorf("history table: exit %d\n%s", code, out)
	}
	code, _, errOut = runCLI(t, "diff", "1", "99")
	if code != audit.ExitUndecided || !strings.Contains(errOut, "no such scan") {
		t.Errorf("diff with an unknown id: exit %d %q", code, errOut)
	}
}

func isNew(f audit.Finding) bool { return f.New }

func TestWaiversAndFailOn(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	snap, _ := genSnapshot(t, dir, "s", 5, "")
	_, plain := scanJSON(t, "--snapshot", snap)
	controls := map[string]bool{}
	for _, f := range plain.Findings {
		controls[f.Control] = true
	}
	if !controls["SCOPE-01"] || !controls["ACCESS-01"] {
		t.Fatalf("the generated tenant lacks SCOPE-01 or ACCESS-01 findings")
	}
	yesterday := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	nextMonth := time.Now().UTC().AddDate(0, 1, 0).Format("2006-01-02")
	waivers := writeFile(t, filepath.Join(dir, "waivers.yaml"), "waivers:\n"+
		"  - {id: scope, control: SCOPE-01, reason: r, owner: o, expires: "+nextMonth+"}\n"+
		"  - {id: old, control: ACCESS-01, reason: r, owner: o, expires: "+yesterday+"}\n"+
		"  - {id: none, control: NOPE-01, reason: r, owner: o, expires: "+nextMonth+"}\n")
	_, r := scanJSON(t, "--snapshot", snap, "--waivers", waivers)
	states := map[string]string{}
	for _, w := range r.Waivers {
		states[w.ID] = w.State
	}
	if states["scope"] != "active" || states["old"] != "expired" || states["none"] != "stale" {
		t.Errorf("waiver states %v", states)
	}
	for _, f := range r.Findings {
		if (f.Waived != nil) != (f.Control == "SCOPE-01") {
			t.Errorf("%s finding waived=%v", f.Control, f.Waived != nil)
		}
	}
	for _, c := range r.Controls {
		if c.ID == "SCOPE-01" && (c.Status != audit.Pass || c.Waived == 0) {
			t.Errorf("SCOPE-01 %s with %d waived", c.Status, c.Waived)
		}
	}

	bad := writeFile(t, filepath.Join(dir, "bad.yaml"),
		"waivers:\n  - control: SCOPE-01\n    reason: r\n    owner: o\n")
	code, out, errOut := runCLI(t, "scan", "--snapshot", snap, "--waivers", bad)
	if code != audit.ExitUndecided || out != "" ||
		strings.TrimSpace(errOut) != "teamschat-audit: "+bad+":2: waivers[0].expires: "+
			"missing: set a date (YYYY-MM-DD) at most a year ahead" {
		t.Errorf("bad waivers: exit %d stderr %q", code, errOut)
	}

	code, _, _ = runCLI(t, "scan", "--snapshot", snap, "--fail-on", "critical")
	if code != plainExitAt(plain, "critical") {
		t.Errorf("--fail-on critical exit %d, want %d", code, plainExitAt(plain, "critical"))
	}
	code, _, errOut = runCLI(t, "scan", "--snapshot", snap, "--fail-on", "severe")
	if code != audit.ExitUndecided || !strings.Contains(errOut, "--fail-on") {
		t.Errorf("bad --fail-on: %d %q", code, errOut)
	}
}

// plainExitAt computes what --fail-on threshold should give for unwaived results.
func plainExitAt(r *audit.Results, threshold string) int {
	if r.Summary.ExitCode != audit.ExitFailed {
		return r.Summary.ExitCode
	}
	failing := map[string]bool{}
	for _, c := range r.Controls {
		failing[c.ID] = c.Status == audit.Fail && !c.Observation
	}
	for _, f := range r.Findings {
		if failing[f.Control] && audit.SeverityRank(f.Severity) <= audit.SeverityRank(threshold) {
			return audit.ExitFailed
		}
	}
	return audit.ExitCompliant
}

// TestAllTenantsStayApart scans two tenants at once and proves that nothing of one
// reaches the other's reports or history.
func TestAllTenantsStayApart(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	const idA, idB = "aaaaaaaa-1111-4111-8111-aaaaaaaaaaaa", "bbbbbbbb-2222-4222-8222-bbbbbbbbbbbb"
	_, snapA := genSnapshot(t, dir, "a", 101, idA)
	_, snapB := genSnapshot(t, dir, "b", 202, idB)
	cfg := writeFile(t, filepath.Join(dir, "cfg.yaml"), `tenants:
  - name: alpha
    tenantId: `+idA+`
    snapshot: a.json
  - name: beta
    tenantId: `+idB+`
    snapshot: b.json
  - name: gamma
    snapshot: missing.json
outputs:
  formats: [json, md, csv, sarif]
  dir: out
stateDir: state
parallel: 3
`)
	code, out, errOut := runCLI(t, "scan", "--all", "--config", cfg)
	if code != audit.ExitUndecided {
		t.Fatalf("exit %d, want 2 (gamma has no snapshot)\n%s\n%s", code, out, errOut)
	}
	for _, want := range []string{"alpha", "beta", "gamma", "no such file", "TENANT"} {
		if !strings.Contains(out, want) {
			t.Errorf("summary lacks %q:\n%s", want, out)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "out", "summary.json")); err != nil {
		t.Error(err)
	}

	markers := func(s *audit.Snapshot) []string {
		m := []string{s.Tenant.TenantID}
		for _, l := range s.ChatLinks[:5] {
			m = append(m, l.ID)
		}
		for _, u := range s.Users[:5] {
			m = append(m, u.SystemUserID)
		}
		return m
	}
	for _, tc := range []struct {
		tenant string
		own    *audit.Snapshot
		other  *audit.Snapshot
	}{{"alpha", snapA, snapB}, {"beta", snapB, snapA}} {
		files := tenantFiles(t, filepath.Join(dir, "out", tc.tenant),
			filepath.Join(dir, "state", tc.tenant))
		if len(files) < 5 {
			t.Fatalf("%s: only %d report and state files", tc.tenant, len(files))
		}
		all := strings.Join(files, "")
		if !strings.Contains(all, tc.own.Tenant.TenantID) {
			t.Errorf("%s: its own tenant id is not in its files; the check would prove nothing",
				tc.tenant)
		}
		for _, m := range markers(tc.other) {
			if strings.Contains(all, m) {
				t.Errorf("%s's files contain %s of the other tenant", tc.tenant, m)
			}
		}
	}
}

// tenantFiles reads every file under the directories (the SQLite database and its
// WAL included).
func tenantFiles(t *testing.T, dirs ...string) []string {
	t.Helper()
	var out []string
	for _, d := range dirs {
		filepath.WalkDir(d, func(p string, e os.DirEntry, err error) error {
			if err == nil && !e.IsDir() {
				b, rerr := os.ReadFile(p)
				if rerr != nil {
					t.Fatal(rerr)
				}
				out = append(out, string(b))
			}
			return nil
		})
	}
	return out
}

func TestNotifyNewFailingFindings(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	var posts atomic.Int32
	var body atomic.Value
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		body.Store(string(b))
		posts.Add(1)
		w.WriteHeader(http.StatusInternalServerError) // failures never change the exit code
	}))
	defer srv.Close()
	_, snap := genSnapshot(t, dir, "first", 3, "")
	snap.DelegatedGrants[0].Scope += " Mail.ReadWrite"
	second := filepath.Join(dir, "second.json")
	if err := audit.SaveSnapshot(second, snap); err != nil {
		t.Fatal(err)
	}
	cfg := writeFile(t, filepath.Join(dir, "c.yaml"), "tenants:\n  - name: t1\n"+
		"    snapshot: first.json\nstateDir: state\nnotify:\n  format: json\n")
	t.Setenv("TEAMSCHAT_AUDIT_NOTIFY_WEBHOOK", srv.URL+"/hook")

	code1, _, _ := runCLI(t, "scan", "--config", cfg)
	if posts.Load() != 0 {
		t.Fatalf("the first scan of a tenant notified: nothing is new yet")
	}
	code2, _, errOut := runCLI(t, "scan", "--config", cfg, "--snapshot", second)
	if code1 != audit.ExitFailed || code2 != audit.ExitFailed {
		t.Errorf("exit codes %d %d, want 1 and 1", code1, code2)
	}
	if n := posts.Load(); n < 2 {
		t.Fatalf("%d posts; a failing webhook is retried", n)
	}
	b, _ := body.Load().(string)
	if !strings.Contains(b, `"event":"new-failing-findings"`) || !strings.Contains(b, `"tenant":"t1"`) {
		t.Errorf("payload %s", b)
	}
	if !strings.Contains(errOut, "notification not delivered") || strings.Contains(errOut, "/hook") {
		t.Errorf("stderr %q", errOut)
	}
}

func TestConfigErrors(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	cases := []struct{ name, src, want string }{
		{"secret", "tenants:\n  - name: a\n    snapshot: s.json\n    clientSecret: x\n",
			"c.yaml:4: tenants[0].clientSecret: looks like a secret"},
		{"unknown key", "outputs:\n  formats: [json]\n  folder: x\n", "c.yaml:3: outputs.folder: unknown key"},
		{"bad format", "outputs:\n  formats: [json, pdf]\n", "c.yaml:2: outputs.formats:"},
		{"many tenants", "tenants:\n  - {name: a, snapshot: a.json}\n  - {name: b, snapshot: b.json}\n",
			"pass --tenant NAME or --all"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeFile(t, filepath.Join(dir, "c.yaml"), tc.src)
			code, out, errOut := runCLI(t, "scan", "--config", p)
			if code != audit.ExitUndecided || out != "" || !strings.Contains(errOut, tc.want) ||
				strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
				t.Errorf("exit %d stderr %q, want one line with %q", code, errOut, tc.want)
			}
		})
	}
}

func TestTenantLiveFlagsWin(t *testing.T) {
	tenant := &config.Tenant{Name: "c", TenantID: "tid-file", DataverseURL: "https://file",
		Auth: "workload-identity", Cloud: "usgov"}
	cases := []struct {
		name    string
		changed []string
		auth    string
		cloud   string
		tid     string
	}{
		{"file fills", nil, "workload-identity", "usgov", "tid-file"},
		{"flags win", []string{"auth", "tenant-id"}, "azure-cli", "usgov", "tid-flag"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var l liveFlags
			l.auth, l.cloud, l.opts.TenantID = "azure-cli", "public", "tid-flag"
			got := tenantLive(l, tenant, func(f string) bool { return slices.Contains(tc.changed, f) })
			if got.auth != tc.auth || got.cloud != tc.cloud || got.opts.TenantID != tc.tid ||
				got.opts.DataverseURL != "https://file" {
				t.Errorf("auth %s cloud %s tenant %s url %s", got.auth, got.cloud,
					got.opts.TenantID, got.opts.DataverseURL)
			}
		})
	}
}

func TestAcceptFlagsReapplyToSavedResults(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	snap, _ := genSnapshot(t, dir, "s", 9, "")
	_, r := scanJSON(t, "--snapshot", snap)
	nextMonth := time.Now().UTC().AddDate(0, 1, 0).Format("2006-01-02")
	w := writeFile(t, filepath.Join(dir, "w.yaml"), "waivers:\n"+
		"  - {control: SCOPE-01, reason: r, owner: o, expires: "+nextMonth+"}\n")
	cases := []struct {
		name   string
		flags  acceptFlags
		waived bool
		err    bool
	}{
		{"nothing given keeps the marks", acceptFlags{}, false, false},
		{"waivers applied", acceptFlags{waivers: w}, true, false},
		{"bad severity", acceptFlags{failOn: "severe"}, false, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rr := *r
			rr.Findings, rr.Controls = slices.Clone(r.Findings), slices.Clone(r.Controls)
			err := tc.flags.apply(&rr)
			if (err != nil) != tc.err {
				t.Fatalf("error %v", err)
			}
			waived := false
			for _, f := range rr.Findings {
				waived = waived || (f.Control == "SCOPE-01" && f.Waived != nil)
			}
			if waived != tc.waived {
				t.Errorf("SCOPE-01 waived %v, want %v", waived, tc.waived)
			}
		})
	}
}
