package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// TestReportRerendersSavedResults scans the demo tenant once as JSON, then renders
// that file in every other format, as a pipeline would.
func TestReportRerendersSavedResults(t *testing.T) {
	dir := t.TempDir()
	if code, _, errOut := runCLI(t, "scan", "--demo", "--format", "json,md",
		"--output-dir", dir); code != audit.ExitFailed {
		t.Fatalf("scan exited %d: %s", code, errOut)
	}
	results := filepath.Join(dir, "teamschat-audit.json")
	out := filepath.Join(dir, "out")
	code, _, errOut := runCLI(t, "report", "--results", results,
		"--format", "html,sarif,junit,csv,md", "--output-dir", out)
	if code != 0 {
		t.Fatalf("report exited %d: %s", code, errOut)
	}
	for _, name := range []string{"teamschat-audit.html", "teamschat-audit.sarif",
		"teamschat-audit.junit.xml", "teamschat-audit.csv", "teamschat-audit.md"} {
		if info, err := os.Stat(filepath.Join(out, name)); err != nil || info.Size() == 0 {
			t.Errorf("%s not written: %v", name, err)
		}
	}

	// The re-rendered Markdown says what the scan's own Markdown said.
	scanned, _ := os.ReadFile(filepath.Join(dir, "teamschat-audit.md"))
	rendered, _ := os.ReadFile(filepath.Join(out, "teamschat-audit.md"))
	if string(scanned) != string(rendered) {
		t.Error("report renders the saved results differently from scan")
	}
	sarif, _ := os.ReadFile(filepath.Join(out, "teamschat-audit.sarif"))
	if !strings.Contains(string(sarif), `"uri": "teamschat-audit.json"`) {
		t.Error("SARIF results do not point at the results file")
	}
}

func TestReportRedacts(t *testing.T) {
	dir := t.TempDir()
	runCLI(t, "scan", "--demo", "--format", "json", "--output-dir", dir)
	code, out, errOut := runCLI(t, "report", "--results",
		filepath.Join(dir, "teamschat-audit.json"), "--format", "csv", "--redact")
	if code != 0 {
		t.Fatalf("report exited %d: %s", code, errOut)
	}
	if addr := regexp.MustCompile(`[\w.+-]+@[\w-]+\.[\w.-]+`).FindString(out); addr != "" {
		t.Errorf("redacted CSV holds the address %q", addr)
	}
}

func TestReportRejectsBadInput(t *testing.T) {
	dir := t.TempDir()
	future := filepath.Join(dir, "future.json")
	os.WriteFile(future, []byte(`{"schemaVersion": 99}`), 0o600)
	notJSON := filepath.Join(dir, "x.json")
	os.WriteFile(notJSON, []byte("<html>"), 0o600)
	cases := map[string][]string{
		"no results":     {"report", "--format", "md"},
		"missing file":   {"report", "--results", filepath.Join(dir, "none.json")},
		"not json":       {"report", "--results", notJSON},
		"future version": {"report", "--results", future},
		"two to stdout":  {"report", "--results", future, "--format", "md,csv"},
		"unknown format": {"report", "--results", future, "--format", "pdf"},
	}
	for name, args := range cases {
		if code, _, _ := runCLI(t, args...); code != audit.ExitUndecided {
			t.Errorf("%s: exit %d, want %d", name, code, audit.ExitUndecided)
		}
	}
}

// TestReportAppliesWaivers: report --waivers marks the saved findings as a scan would,
// and the re-rendered results pass once every failing finding is waived.
func TestReportAppliesWaivers(t *testing.T) {
	dir := t.TempDir()
	results := filepath.Join(dir, "r.json")
	code, out, _ := runCLI(t, "scan", "--demo", "--format", "json")
	if code != audit.ExitFailed {
		t.Fatalf("scan exited %d", code)
	}
	if err := os.WriteFile(results, []byte(out), 0o600); err != nil {
		t.Fatal(err)
	}
	expires := time.Now().UTC().AddDate(0, 1, 0).Format("2006-01-02")
	var waivers strings.Builder
	waivers.WriteString("waivers:\n")
	for _, id := range []string{"SCOPE-01", "SCOPE-02", "SCOPE-03", "SCOPE-04", "SCOPE-05",
		"STORE-01", "STORE-02", "STORE-03", "ACCESS-01", "ACCESS-03", "ACCESS-04", "ACCESS-05"} {
		fmt.Fprintf(&waivers, "  - {control: %s, reason: accepted, owner: sec, expires: %s}\n",
			id, expires)
	}
	wfile := filepath.Join(dir, "w.yaml")
	if err := os.WriteFile(wfile, []byte(waivers.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "report", "--results", results, "--waivers", wfile,
		"--format", "json")
	if code != 0 {
		t.Fatalf("report exited %d: %s", code, errOut)
	}
	var r audit.Results
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.Summary.ExitCode != audit.ExitCompliant || r.Summary.Controls[audit.Fail] != 0 {
		t.Errorf("with every failing finding waived: exit %d, %d failing controls",
			r.Summary.ExitCode, r.Summary.Controls[audit.Fail])
	}
	for _, f := range r.Findings {
		if f.Control != "ACCESS-02" && f.Waived == nil {
			t.Errorf("finding %s of %s is not waived", f.ID, f.Control)
		}
	}
}
