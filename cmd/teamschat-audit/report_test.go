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
	os.WriteFile(future, []byte(`{"schemaVersion": 99, "tool": {"name": "teamschat-audit"}}`),
		0o600)
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

// TestReportRefusesOtherFiles: JSON that a scan did not write as its results is refused
// in one line that says what the file looks like, never rendered as an empty report.
func TestReportRefusesOtherFiles(t *testing.T) {
	dir := t.TempDir()
	sarif := filepath.Join(dir, "r.sarif")
	runCLI(t, "scan", "--demo", "--format", "sarif", "--output-dir", dir)
	os.Rename(filepath.Join(dir, "teamschat-audit.sarif"), sarif)
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct{ name, file, want string }{
		{"snapshot", filepath.Join("..", "..", "audit", "demo", "snapshot.json"),
			"evidence snapshot"},
		{"sarif", sarif, "SARIF"},
		{"bare version", write("v.json", `{"schemaVersion": 1}`), "none of the fields"},
		{"array", write("a.json", `[{"schemaVersion": 1}]`), "not a JSON object"},
		{"other tool", write("o.json", `{"schemaVersion": 1, "tool": {"name": "x"}}`),
			"tool is not"},
		{"no controls", write("c.json", `{"schemaVersion": 1, "tool": {"name": `+
			`"teamschat-audit"}, "scannedAt": "2026-12-01T00:00:00Z"}`), "no controls"},
	}
	for _, c := range cases {
		for _, format := range []string{"md", "junit"} {
			code, out, errOut := runCLI(t, "report", "--results", c.file, "--format", format)
			if code != audit.ExitUndecided || out != "" {
				t.Errorf("%s as %s: exit %d with %d bytes out, want exit 2 and nothing",
					c.name, format, code, len(out))
			}
			line := strings.TrimSuffix(errOut, "\n")
			if strings.Contains(line, "\n") || !strings.Contains(line,
				"is not a teamschat-audit results file") || !strings.Contains(line, c.want) {
				t.Errorf("%s: message %q, want one line naming %q", c.name, errOut, c.want)
			}
		}
	}
}

// demoJSONMap scans the demo tenant with args and returns its JSON results.
func demoJSONMap(t *testing.T, args ...string) map[string]any {
	t.Helper()
	code, out, errOut := runCLI(t, append([]string{"scan", "--demo", "--format", "json"},
		args...)...)
	if code != audit.ExitFailed {
		t.Fatalf("scan exited %d: %s", code, errOut)
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(out), &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestReportRecomputesSummary: a summary, verdict and control statuses edited to pass
// are settled again from the findings, so the report says what the scan found.
func TestReportRecomputesSummary(t *testing.T) {
	m := demoJSONMap(t)
	m["summary"] = map[string]any{"controls": map[string]int{"pass": 14},
		"findings": map[string]int{}, "exitCode": 0, "verdict": "compliant"}
	for _, c := range m["controls"].([]any) {
		c := c.(map[string]any)
		if c["status"] == "fail" {
			c["status"] = "pass"
		}
	}
	file := writeResults(t, m)
	r := rerender(t, file)
	if r.Summary.Verdict != "non-compliant" || r.Summary.ExitCode != audit.ExitFailed ||
		r.Summary.Controls[audit.Fail] != 12 || r.Summary.Findings["critical"] == 0 {
		t.Errorf("edited summary believed: %+v", r.Summary)
	}
	_, md, _ := runCLI(t, "report", "--results", file, "--format", "md")
	if !strings.Contains(md, "**Verdict: non-compliant** (exit code 1)") {
		t.Errorf("Markdown verdict not recomputed:\n%.300s", md)
	}

	// Evidence edited to incomplete makes the scan undecided, whatever "complete" says.
	m["evidence"].(map[string]any)["members"].(map[string]any)["status"] = "incomplete"
	r = rerender(t, writeResults(t, m))
	if r.Complete || r.Summary.ExitCode != audit.ExitUndecided {
		t.Errorf("incomplete evidence: complete %v, exit %d", r.Complete, r.Summary.ExitCode)
	}
}

// TestReportKeepsWaiversAndHistory: settling the results again keeps what the scan
// recorded about waivers, history and new findings; unedited results render unchanged.
func TestReportKeepsWaiversAndHistory(t *testing.T) {
	dir := t.TempDir()
	expires := time.Now().UTC().AddDate(0, 1, 0).Format("2006-01-02")
	wfile := filepath.Join(dir, "w.yaml")
	os.WriteFile(wfile, []byte("waivers:\n  - {control: SCOPE-01, reason: accepted, "+
		"owner: sec, expires: "+expires+"}\n  - {control: STORE-03, reason: gone, "+
		"owner: sec, expires: 2020-01-01}\n"), 0o600)
	args := []string{"--state-dir", filepath.Join(dir, "st"), "--tenant", "t",
		"--waivers", wfile, "--fail-on", "high"}
	demoJSONMap(t, args...)
	_, saved, _ := runCLI(t, append([]string{"scan", "--demo", "--format", "json"},
		args...)...)
	file := filepath.Join(dir, "r.json")
	os.WriteFile(file, []byte(saved), 0o600)

	code, out, errOut := runCLI(t, "report", "--results", file, "--format", "json")
	if code != 0 {
		t.Fatalf("report exited %d: %s", code, errOut)
	}
	if out != saved {
		t.Error("report changed unedited results")
	}
	var r audit.Results
	json.Unmarshal([]byte(out), &r)
	if len(r.Waivers) != 2 || r.History == nil || r.History.PreviousID == 0 ||
		len(r.History.Trend) != 2 || r.Summary.FailOn != "high" {
		t.Errorf("waivers %+v, history %+v, fail-on %q", r.Waivers, r.History,
			r.Summary.FailOn)
	}
}

// scannedResults writes the demo tenant's JSON results into a new directory, as a
// pipeline would, and returns them read as a map for a test to edit.
func scannedResults(t *testing.T) map[string]any {
	t.Helper()
	dir := t.TempDir()
	code, _, errOut := runCLI(t, "scan", "--demo", "--format", "json", "--output-dir", dir,
		"-q")
	if code != audit.ExitFailed {
		t.Fatalf("scan exited %d: %s", code, errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, "teamschat-audit.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// writeResults writes edited results m to a new file and returns its path.
// rerender renders the results file as JSON with report --results, which must succeed.
func rerender(t *testing.T, file string) audit.Results {
	t.Helper()
	code, out, errOut := runCLI(t, "report", "--results", file, "--format", "json")
	if code != 0 {
		t.Fatalf("report exited %d: %s", code, errOut)
	}
	var r audit.Results
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	return r
}

func writeResults(t *testing.T, m map[string]any) string {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(t.TempDir(), "edited.json")
	if err := os.WriteFile(file, b, 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// controlOf returns the control of m's results with the given id.
func controlOf(m map[string]any, id string) map[string]any {
	for _, c := range m["controls"].([]any) {
		if c := c.(map[string]any); c["id"] == id {
			return c
		}
	}
	return nil
}

// TestReportExpiresWaivedFindings: a waiver mark past its expiry date, as a results
// file keeps it or as someone wrote it in, is not honoured: the finding fails again
// and the waiver is reported expired, as a scan today would report it.
func TestReportExpiresWaivedFindings(t *testing.T) {
	m := scannedResults(t)
	for _, f := range m["findings"].([]any) {
		f.(map[string]any)["waived"] = map[string]any{"id": "all", "reason": "accepted",
			"owner": "sec", "expires": "2020-01-01"}
	}
	for _, c := range m["controls"].([]any) {
		c := c.(map[string]any)
		c["waivedCount"] = c["findingCount"]
		if c["status"] == "fail" {
			c["status"] = "pass"
		}
	}
	r := rerender(t, writeResults(t, m))
	for _, f := range r.Findings {
		if f.Waived != nil {
			t.Errorf("finding %s keeps the expired waiver %+v", f.ID, f.Waived)
		}
	}
	if r.Summary.ExitCode != audit.ExitFailed || r.Summary.Controls[audit.Fail] != 12 {
		t.Errorf("expired waivers honoured: %+v", r.Summary)
	}
	// A waiver names one control, so the mark is recorded once per control it was on.
	matched := 0
	for _, w := range r.Waivers {
		if w.ID != "all" || w.State != audit.WaiverExpired {
			t.Errorf("waiver %+v, want it expired", w)
		}
		matched += w.Matched
	}
	if len(r.Waivers) != 13 || matched != len(r.Findings) {
		t.Errorf("%d waivers matching %d findings, want 13 matching all %d",
			len(r.Waivers), matched, len(r.Findings))
	}
}

// TestReportRefusesEditedResults: results edited in ways no scan writes are refused in
// one line, with exit code 2 and nothing rendered.
func TestReportRefusesEditedResults(t *testing.T) {
	const changed = "was changed after the scan"
	cases := []struct {
		name, want string
		edit       func(m map[string]any)
	}{
		{"unknown finding severity", changed, func(m map[string]any) {
			m["findings"].([]any)[0].(map[string]any)["severity"] = "negligible"
		}},
		{"unknown control severity", changed, func(m map[string]any) {
			controlOf(m, "SCOPE-01")["severity"] = "Critical"
		}},
		{"finding count", changed, func(m map[string]any) {
			controlOf(m, "SCOPE-02")["findingCount"] = 0
		}},
		{"finding removed", changed, func(m map[string]any) {
			m["findings"] = m["findings"].([]any)[1:]
		}},
		{"waived count", changed, func(m map[string]any) {
			controlOf(m, "SCOPE-02")["waivedCount"] = 1
		}},
		{"finding of a not_applicable control", changed, func(m map[string]any) {
			controlOf(m, "SCOPE-01")["status"] = "not_applicable"
		}},
		{"finding of a manual control", changed, func(m map[string]any) {
			controlOf(m, "STORE-01")["status"] = "manual"
		}},
		{"control twice", changed, func(m map[string]any) {
			m["controls"] = append(m["controls"].([]any), controlOf(m, "PLATFORM-01"))
		}},
		{"observation added", changed, func(m map[string]any) {
			controlOf(m, "SCOPE-01")["observation"] = true
		}},
		{"observation removed", changed, func(m map[string]any) {
			delete(controlOf(m, "ACCESS-02"), "observation")
		}},
		{"built-in control missing", changed, dropManualControl},
		{"control missing, other version", "teamschat-audit 0.9.0 wrote it",
			func(m map[string]any) {
				m["tool"].(map[string]any)["version"] = "0.9.0"
				dropManualControl(m)
			}},
		{"undated waiver", changed, func(m map[string]any) {
			m["findings"].([]any)[0].(map[string]any)["waived"] = map[string]any{
				"reason": "r", "owner": "o", "expires": "never"}
			control := m["findings"].([]any)[0].(map[string]any)["control"].(string)
			controlOf(m, control)["waivedCount"] = 1
		}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			m := scannedResults(t)
			c.edit(m)
			file := writeResults(t, m)
			code, out, errOut := runCLI(t, "report", "--results", file, "--format", "md")
			if code != audit.ExitUndecided || out != "" {
				t.Errorf("exit %d with %d bytes out, want exit 2 and nothing", code, len(out))
			}
			line := strings.TrimSuffix(errOut, "\n")
			if strings.Contains(line, "\n") || !strings.Contains(line, file+" ") ||
				!strings.Contains(line, c.want) || !strings.Contains(line, "scan again") {
				t.Errorf("message %q, want one line naming the file and %q", errOut, c.want)
			}
		})
	}
}

// dropManualControl removes PLATFORM-01, which has no findings, from m's controls.
func dropManualControl(m map[string]any) {
	var kept []any
	for _, c := range m["controls"].([]any) {
		if c.(map[string]any)["id"] != "PLATFORM-01" {
			kept = append(kept, c)
		}
	}
	m["controls"] = kept
}

// TestReportLetsOtherControlsThrough: the results do not say which --policy
// directories a scan added, so a control the built-in policies lack is rendered.
func TestReportLetsOtherControlsThrough(t *testing.T) {
	m := scannedResults(t)
	m["controls"] = append(m["controls"].([]any), map[string]any{"id": "CUSTOM-01",
		"title": "Custom", "severity": "low", "status": "pass", "findingCount": 0,
		"policy": "data.teamschat.controls.custom.custom01"})
	code, _, errOut := runCLI(t, "report", "--results", writeResults(t, m), "--format", "md")
	if code != 0 {
		t.Errorf("report exited %d: %s", code, errOut)
	}
}
