package main

import (
	"encoding/json"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
)

// fakeTenant serves a generated tenant on loopback and returns the live flags that
// point at it, with the generator's own snapshot.
func fakeTenant(t *testing.T, faults ...faketenant.Fault) ([]string, *audit.Snapshot) {
	t.Helper()
	snap, _ := tenantgen.Generate(tenantgen.Options{Links: 40, Seed: 3,
		Violations: []string{"all"}})
	srv, err := faketenant.New(snap, faketenant.Options{Faults: faults, Seed: 3})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	return []string{"--auth", "none", "--tenant-id", snap.Tenant.TenantID,
		"--graph-url", hs.URL + "/graph/v1.0", "--dataverse-url", hs.URL + faketenant.DataverseRoot,
		"--retry-budget", "5s", "--timeout", "2s"}, snap
}

func findingIDs(t *testing.T, out string) ([]string, *audit.Results) {
	t.Helper()
	var r audit.Results
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("not JSON results: %v", err)
	}
	ids := make([]string, 0, len(r.Findings))
	for _, f := range r.Findings {
		ids = append(ids, f.ID)
	}
	slices.Sort(ids)
	return ids, &r
}

// TestLiveScanMatchesSnapshot: collecting from the fake tenant and scanning its
// generator's snapshot give the same findings; collect --out writes a 0600 snapshot.
func TestLiveScanMatchesSnapshot(t *testing.T) {
	live, snap := fakeTenant(t)
	dir := t.TempDir()
	want := filepath.Join(dir, "want.json")
	if err := audit.SaveSnapshot(want, snap); err != nil {
		t.Fatal(err)
	}
	_, wantOut, _ := runCLI(t, "scan", "--snapshot", want, "--format", "json")
	wantIDs, _ := findingIDs(t, wantOut)

	code, out, errOut := runCLI(t, append([]string{"scan", "--format", "json", "--quiet"},
		live...)...)
	if code != audit.ExitFailed {
		t.Fatalf("live scan exited %d: %s", code, errOut)
	}
	got, r := findingIDs(t, out)
	if !slices.Equal(got, wantIDs) || len(got) == 0 {
		t.Errorf("live findings %d differ from the snapshot's %d", len(got), len(wantIDs))
	}
	if r.Evidence[audit.SourceMembers].Requests == 0 {
		t.Error("no request counts in the evidence summary")
	}

	saved := filepath.Join(dir, "got.json")
	code, _, errOut = runCLI(t, append([]string{"collect", "--out", saved, "--quiet"}, live...)...)
	if code != 0 {
		t.Fatalf("collect exited %d: %s", code, errOut)
	}
	info, err := os.Stat(saved)
	if err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("collected snapshot: %v, mode %v", err, info.Mode().Perm())
	}
}

// TestLiveForbiddenSourceIsUndecided: a 403 on chat members leaves the scan undecided,
// naming the source and the permission to grant; doctor says the same and fails.
func TestLiveForbiddenSourceIsUndecided(t *testing.T) {
	fault, err := faketenant.ParseFault("route=G6,kind=403")
	if err != nil {
		t.Fatal(err)
	}
	live, _ := fakeTenant(t, fault)
	code, out, _ := runCLI(t, append([]string{"scan", "--format", "json", "--quiet"}, live...)...)
	if code != audit.ExitUndecided {
		t.Fatalf("scan with chat members forbidden exited %d, want 2", code)
	}
	_, r := findingIDs(t, out)
	src := r.Evidence[audit.SourceMembers]
	if src.Status == audit.StatusComplete || !strings.Contains(src.Reason, "ChatMember.Read.All") {
		t.Errorf("members source %s %q", src.Status, src.Reason)
	}
	for _, c := range r.Controls {
		if slices.Contains(c.Sources, audit.SourceMembers) && c.Status == audit.Pass {
			t.Errorf("%s passed without its members evidence", c.ID)
		}
	}

	code, out, _ = runCLI(t, append([]string{"doctor"}, live...)...)
	if code == 0 || !strings.Contains(out, "ChatMember.Read.All") {
		t.Errorf("doctor exited %d:\n%s", code, out)
	}
}
