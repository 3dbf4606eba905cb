package main

import (
	"bytes"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// runCLI runs the command line in-process and returns its exit code, stdout and stderr.
func runCLI(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	outR, outW, _ := os.Pipe()
	errR, errW, _ := os.Pipe()
	oldOut, oldErr := os.Stdout, os.Stderr
	os.Stdout, os.Stderr = outW, errW
	var stdout, stderr bytes.Buffer
	done := make(chan struct{}, 2)
	go func() { io.Copy(&stdout, outR); done <- struct{}{} }()
	go func() { io.Copy(&stderr, errR); done <- struct{}{} }()
	code := run(args)
	outW.Close()
	errW.Close()
	<-done
	<-done
	os.Stdout, os.Stderr = oldOut, oldErr
	return code, stdout.String(), stderr.String()
}

func TestScanDemoTable(t *testing.T) {
	code, out, _ := runCLI(t, "scan", "--demo")
	if code != audit.ExitFailed {
		t.Fatalf("scan --demo exited %d, want %d", code, audit.ExitFailed)
	}
	for _, want := range []string{"CONTROL", "SCOPE-01", "PLATFORM-01", "Findings", "Evidence"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	// Off a terminal the table is 120 columns wide, wider only where an identifier would
	// otherwise be cut.
	for i, line := range strings.Split(out, "\n") {
		if n := len([]rune(line)); n > 120 {
			t.Errorf("line %d is %d columns wide: %q", i+1, n, line)
		}
	}
	if strings.Contains(out, "\x1b") {
		t.Error("colour codes in output that is not a terminal")
	}
}

func TestScanDemoJSON(t *testing.T) {
	code, out, _ := runCLI(t, "scan", "--demo", "--format", "json")
	if code != audit.ExitFailed {
		t.Fatalf("exit %d, want %d", code, audit.ExitFailed)
	}
	var r audit.Results
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("output is not JSON: %v", err)
	}
	ids := map[string]audit.ControlStatus{}
	for _, c := range r.Controls {
		ids[c.ID] = c.Status
	}
	// Every automated control fails on the demo tenant, except ACCESS-02, whose
	// findings are observations.
	for _, id := range []string{"SCOPE-01", "SCOPE-02", "SCOPE-03", "SCOPE-04", "SCOPE-05",
		"STORE-01", "STORE-02", "STORE-03", "ACCESS-01", "ACCESS-03", "ACCESS-04", "ACCESS-05"} {
		if ids[id] != audit.Fail {
			t.Errorf("%s: %q on the demo tenant, want fail", id, ids[id])
		}
	}
	if ids["ACCESS-02"] != audit.Pass || ids["PLATFORM-01"] != audit.Manual {
		t.Errorf("ACCESS-02 %q, PLATFORM-01 %q; want pass and manual",
			ids["ACCESS-02"], ids["PLATFORM-01"])
	}
	if r.SchemaVersion != audit.ResultsSchemaVersion || !r.Complete || len(r.Findings) == 0 {
		t.Errorf("schemaVersion %d complete %v findings %d", r.SchemaVersion, r.Complete,
			len(r.Findings))
	}
}

func TestBadInput(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	good, err := json.Marshal(map[string]any{"schemaVersion": 1, "sources": map[string]any{}})
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"missing file", []string{"scan", "--snapshot", filepath.Join(dir, "nope.json")},
			"no such file"},
		{"truncated", []string{"scan", "--snapshot", write("t.json", string(good[:len(good)-3]))},
			"truncated"},
		{"not JSON", []string{"scan", "--snapshot", write("x.json", "hello")}, "invalid JSON"},
		{"empty", []string{"scan", "--snapshot", write("e.json", "")}, "empty file"},
		{"future version", []string{"scan", "--snapshot", write("v.json", `{"schemaVersion": 99}`)},
			"schemaVersion 99 is not supported"},
		{"nothing to scan", []string{"scan"}, "nothing to scan"},
		{"unknown format", []string{"scan", "--demo", "--format", "pdf"}, "unknown format"},
		{"unknown flag", []string{"scan", "--demo", "--bogus"}, "unknown flag"},
		{"bad policy dir", []string{"scan", "--demo", "--policy", filepath.Join(dir, "none")},
			"policy directory"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := runCLI(t, tc.args...)
			if code != audit.ExitUndecided {
				t.Errorf("exit %d, want 2", code)
			}
			if out != "" {
				t.Errorf("stdout not empty: %q", out)
			}
			lines := strings.Split(strings.TrimSpace(errOut), "\n")
			if len(lines) != 1 || !strings.Contains(errOut, tc.want) {
				t.Errorf("stderr %q, want one line containing %q", errOut, tc.want)
			}
			if strings.Contains(errOut, "goroutine") || strings.Contains(errOut, "panic") {
				t.Errorf("stack trace on stderr: %q", errOut)
			}
		})
	}
}

func TestIncompleteEvidenceExitsUndecided(t *testing.T) {
	// A snapshot whose sources were never collected must not pass anything.
	p := filepath.Join(t.TempDir(), "s.json")
	if err := os.WriteFile(p, []byte(`{"schemaVersion": 1}`), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCLI(t, "scan", "--snapshot", p, "--format", "json")
	if code != audit.ExitUndecided {
		t.Fatalf("exit %d, want 2", code)
	}
	var r audit.Results
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	for _, c := range r.Controls {
		if c.Status == audit.Pass {
			t.Errorf("%s passed on evidence that was never collected", c.ID)
		}
	}
}

func TestCustomPolicy(t *testing.T) {
	dir := t.TempDir()
	rule := `# METADATA
# title: Every link has a name
# custom:
#   id: ORG-01
#   severity: low
#   scope: batch
#   sources: [chatLinks]
package teamschat.controls.org.org01

findings contains {"resource": {"type": "chatLink", "id": l.id}, "key": "name",
	"message": "link has no name"} if {
	some l in input.links
	l.kind == "chat"
	l.name == ""
}
`
	if err := os.WriteFile(filepath.Join(dir, "org01.rego"), []byte(rule), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "policy", "list", "--policy", dir)
	if code != 0 || !strings.Contains(out, "ORG-01") {
		t.Fatalf("policy list: exit %d, %q %q", code, out, errOut)
	}
	_, out, _ = runCLI(t, "scan", "--demo", "--policy", dir, "--format", "json")
	if !strings.Contains(out, `"id": "ORG-01"`) {
		t.Error("the custom control is not in the results")
	}

	old := filepath.Join(dir, "old.rego")
	if err := os.WriteFile(old, []byte("package teamschat.controls.org.old\n\ndeny[x] { x := 1 }\n"),
		0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runCLI(t, "scan", "--demo", "--policy", dir)
	if code != audit.ExitUndecided || !strings.Contains(errOut, "old.rego:3") {
		t.Errorf("pre-1.0 policy: exit %d, stderr %q", code, errOut)
	}
}

func TestPolicyTest(t *testing.T) {
	code, out, _ := runCLI(t, "policy", "test")
	if code != 0 || !strings.Contains(out, " passed, 0 failed") {
		t.Fatalf("policy test: exit %d\n%s", code, out)
	}
}

func TestOutputDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "out")
	code, out, _ := runCLI(t, "scan", "--demo", "--format", "json,table", "--output-dir", dir)
	if code != audit.ExitFailed || out != "" {
		t.Fatalf("exit %d, stdout %q", code, out)
	}
	for _, name := range []string{"teamschat-audit.json", "teamschat-audit.txt"} {
		info, err := os.Stat(filepath.Join(dir, name))
		if err != nil || info.Size() == 0 {
			t.Errorf("%s: %v", name, err)
		}
	}
	code, _, errOut := runCLI(t, "scan", "--demo", "--format", "json,table")
	if code != audit.ExitUndecided || !strings.Contains(errOut, "--output-dir") {
		t.Errorf("several formats to stdout: exit %d %q", code, errOut)
	}
}
