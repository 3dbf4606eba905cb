package main

import (
	"context"
	"net"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
	"github.com/teamschat-audit/teamschat-audit/audit/history"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
)

// countedTenant serves a small generated tenant and returns its Graph and Dataverse
// URLs, its tenant ID and the server, whose stats tell whether anything was asked.
func countedTenant(t *testing.T) (graph, dataverse, tenant string, srv *faketenant.Server) {
	t.Helper()
	snap, _ := tenantgen.Generate(tenantgen.Options{Links: 10, Seed: 5})
	srv, err := faketenant.New(snap, faketenant.Options{})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return hs.URL + "/graph/v1.0", hs.URL + faketenant.DataverseRoot, snap.Tenant.TenantID, srv
}

// TestBadValuesFailBeforeAnyRequest: every bad flag value is one line and exit 2,
// before the tenant is asked anything.
func TestBadValuesFailBeforeAnyRequest(t *testing.T) {
	graph, dv, tenant, srv := countedTenant(t)
	t.Setenv("AZURE_TENANT_ID", "")
	t.Setenv("AZURE_CLIENT_ID", "00000000-0000-0000-0000-000000000001")
	t.Setenv("AZURE_CLIENT_SECRET", "not-a-secret")
	live := []string{"--graph-url", graph, "--dataverse-url", dv}
	none := append([]string{"--auth", "none", "--tenant-id", tenant}, live...)
	dir := t.TempDir()
	missing, out := filepath.Join(dir, "missing", "x.json"), filepath.Join(dir, "x.json")
	cases := []struct {
		args []string
		want string
	}{
		{append([]string{"doctor", "--auth", "client-secret", "--tenant-id", tenant}, live...),
			"--graph-url " + graph + " is not https"},
		{append([]string{"scan", "--tenant-id", tenant}, live...), "is not https"},
		{append([]string{"collect", "-o", out, "--auth", "azure-cli"}, live...), "is not https"},
		{append([]string{"scan", "--auth", "none", "--tenant-id", "x"}, live...),
			`--tenant-id "x" is not a tenant ID: use the GUID shown in the Entra admin ` +
				"center under Entra ID > Overview > Tenant ID"},
		{append([]string{"scan", "--concurrency", "0"}, none...), "--concurrency 0 is out of range 1-32"},
		{append([]string{"scan", "--concurrency", "-3"}, none...), "out of range 1-32"},
		{append([]string{"scan", "--timeout", "-1s"}, none...), "--timeout -1s"},
		{append([]string{"doctor", "--retry-budget", "-5s"}, none...), "--retry-budget -5s"},
		{append([]string{"collect", "-o", out, "--page-cap", "-1"}, none...), "--page-cap -1"},
		{append([]string{"scan", "--save-evidence", "/proc/1/ev.json"}, none...),
			"--save-evidence /proc/1/ev.json: directory /proc/1 is not writable"},
		{append([]string{"scan", "--save-evidence", missing}, none...), "does not exist"},
		{append([]string{"collect", "-o", "/proc/1/x.json"}, none...),
			"--out /proc/1/x.json: directory /proc/1 is not writable"},
		{append([]string{"collect", "-o", t.TempDir()}, none...), "is a directory: name a file"},
		{append([]string{"collect", "-o", os.DevNull}, none...), "not a regular file (a device)"},
		{[]string{"scan", "--demo", "--workers", "-1"}, "--workers -1 is negative (0: one per core)"},
		{[]string{"scan", "--demo", "--batch-size", "-5"}, "--batch-size -5 is negative (0: 256)"},
		{[]string{"scan", "--demo", "--cloud", "mars"}, `--cloud "mars" is not one of`},
		{[]string{"scan", "--demo", "--auth", "magic"}, `--auth "magic" is not one of`},
		{[]string{"scan", "--demo", "--tenant-id", "x"}, "Entra ID > Overview > Tenant ID"},
		{[]string{"scan", "--demo", "--output-dir", "/proc/1/out"}, "/proc/1 is not writable"},
		{[]string{"history", "--limit", "-1"}, "--limit -1 is negative (0: all)"},
	}
	for _, tc := range cases {
		wantRefused(t, tc.args, tc.want)
	}
	if n := srv.Stats().Total; n != 0 {
		t.Errorf("the tenant was asked %d requests", n)
	}

	t.Setenv("AZURE_TENANT_ID", "contoso.onmicrosoft.com")
	code, _, errOut := runCLI(t, append([]string{"scan", "--auth", "none"}, live...)...)
	if code != audit.ExitUndecided || !strings.Contains(errOut, "AZURE_TENANT_ID") {
		t.Errorf("AZURE_TENANT_ID not a GUID: exit %d, %q", code, errOut)
	}
}

// TestTenantIDInAnyCase: an upper-case tenant ID finds the same external members as the
// lower-case one, and --fail-on takes any case as --format does.
func TestTenantIDInAnyCase(t *testing.T) {
	live, snap := fakeTenant(t)
	scan := func(tenant string) []string {
		args := append([]string{"scan", "--format", "JSON", "--quiet", "--fail-on", "CRITICAL"},
			live...)
		args = append(args, "--tenant-id", tenant)
		code, out, errOut := runCLI(t, args...)
		if code != audit.ExitFailed {
			t.Fatalf("scan exited %d: %s", code, errOut)
		}
		_, r := findingIDs(t, out)
		var external []string
		for _, f := range r.Findings {
			if f.Control == "ACCESS-05" {
				external = append(external, f.ID)
			}
		}
		return external
	}
	lower := scan(strings.ToLower(snap.Tenant.TenantID))
	upper := scan(strings.ToUpper(snap.Tenant.TenantID))
	if len(lower) == 0 || strings.Join(lower, " ") != strings.Join(upper, " ") {
		t.Errorf("ACCESS-05 findings: %d in lower case, %d in upper case", len(lower), len(upper))
	}
}

// TestDoctorGivesUpFastWhenNothingListens: a refused connection is not retried, and the
// advice is to check the URL.
func TestDoctorGivesUpFastWhenNothingListens(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	start := time.Now()
	code, out, _ := runCLI(t, "doctor", "--auth", "none", "--graph-url",
		"http://"+addr+"/graph/v1.0", "--dataverse-url", "http://"+addr+"/dataverse")
	if code != audit.ExitUndecided || !strings.Contains(out, "nothing listens at "+addr+
		": check the URL") || strings.Contains(out, "--timeout") ||
		!strings.Contains(out, "(after 1 attempt)") {
		t.Errorf("doctor exited %d:\n%s", code, out)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Errorf("doctor took %s", d)
	}
}

// TestScanRefusesBeforeCollecting: a state directory that cannot hold the history, a
// history of another tenant under the --tenant name, evidence saved where a report goes
// and a negative --full-after each fail with one line and exit 2 before any request.
func TestScanRefusesBeforeCollecting(t *testing.T) {
	graph, dv, tenant, srv := countedTenant(t)
	live := []string{"scan", "--auth", "none", "--tenant-id", strings.ToUpper(tenant),
		"--graph-url", graph, "--dataverse-url", dv}
	dir := t.TempDir()

	afile := filepath.Join(dir, "afile")
	if err := os.WriteFile(afile, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	state := filepath.Join(dir, "state")
	store, err := history.Open(context.Background(), filepath.Join(state, "fk"))
	if err != nil {
		t.Fatal(err)
	}
	other := &audit.Results{ScannedAt: time.Now(),
		Tenant: audit.Tenant{TenantID: "00000000-0000-0000-0000-0000000000aa"}}
	if _, err := store.Record(context.Background(), other); err != nil {
		t.Fatal(err)
	}
	store.Close()

	odx := filepath.Join(dir, "odx")
	cases := []struct {
		args []string
		want string
	}{
		{[]string{"--state-dir", afile, "--tenant", "fk"},
			"--state-dir " + afile + ": " + afile + " is not a directory"},
		{[]string{"--state-dir", state, "--tenant", "fk"}, "holds scans of tenant " +
			other.Tenant.TenantID + " and this scan is of tenant " + tenant +
			": pass another --tenant NAME"},
		{[]string{"-f", "json", "-o", odx, "--save-evidence",
			filepath.Join(odx, "..", "odx", "teamschat-audit.json")},
			"is where the json report goes"},
		{[]string{"-f", "json,csv", "-o", odx + "/", "--save-evidence",
			filepath.Join(odx, "teamschat-audit.csv")}, "is where the csv report goes"},
		{[]string{"--full-after", "-1h"}, "--full-after -1h0m0s is negative"},
	}
	for _, tc := range cases {
		wantRefused(t, append(append([]string{}, live...), tc.args...), tc.want)
	}
	if n := srv.Stats().Total; n != 0 {
		t.Errorf("the tenant was asked %d requests", n)
	}
	if _, err := os.Stat(filepath.Join(dir, "afile", "fk")); err == nil {
		t.Error("a state directory was created under a file")
	}

	// The same tenant's history, or a new tenant name, is taken.
	code, _, errOut := runCLI(t, append(append([]string{}, live...), "-f", "json", "-o", odx,
		"--save-evidence", filepath.Join(dir, "ev.json"), "--state-dir", state,
		"--tenant", "new", "--quiet")...)
	if code == audit.ExitUndecided {
		t.Errorf("a scan under a new tenant name: exit %d, %s", code, errOut)
	}
}

// wantRefused runs the command line and requires exit 2 and one line holding want.
func wantRefused(t *testing.T, args []string, want string) {
	t.Helper()
	code, _, errOut := runCLI(t, args...)
	if code != audit.ExitUndecided || !strings.Contains(errOut, want) ||
		strings.Count(strings.TrimSpace(errOut), "\n") != 0 {
		t.Errorf("%v: exit %d, stderr %q, want exit 2 and one line with %q", args, code,
			errOut, want)
	}
}
