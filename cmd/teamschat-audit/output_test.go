package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// TestOutputDirBlocked: a directory where a report would go stops the scan before any
// report is written, in one line that names it; reports already there are untouched.
func TestOutputDirBlocked(t *testing.T) {
	dir := t.TempDir()
	blocked := filepath.Join(dir, "teamschat-audit.html")
	if err := os.Mkdir(blocked, 0o755); err != nil {
		t.Fatal(err)
	}
	old := filepath.Join(dir, "teamschat-audit.json")
	if err := os.WriteFile(old, []byte("an earlier report"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"scan", "--demo", "--format", "json,html,csv", "--output-dir", dir},
		{"report", "--results", old, "--format", "json,html,csv", "--output-dir", dir},
	} {
		code, _, errOut := runCLI(t, args...)
		if code != audit.ExitUndecided {
			t.Errorf("%s: exit %d, want %d", args[0], code, audit.ExitUndecided)
		}
		if args[0] == "scan" && (strings.Count(errOut, "\n") != 1 ||
			!strings.Contains(errOut, blocked)) {
			t.Errorf("%s: message %q does not name %s in one line", args[0], errOut, blocked)
		}
		entries, _ := os.ReadDir(dir)
		if len(entries) != 2 {
			t.Errorf("%s: output dir holds %d entries, want the two there before",
				args[0], len(entries))
		}
		if b, _ := os.ReadFile(old); string(b) != "an earlier report" {
			t.Errorf("%s: the earlier JSON report was replaced", args[0])
		}
	}
}

// TestOutputDirIsFile: an --output-dir that is a file is refused before scanning.
func TestOutputDirIsFile(t *testing.T) {
	file := filepath.Join(t.TempDir(), "f")
	os.WriteFile(file, nil, 0o600)
	code, _, errOut := runCLI(t, "scan", "--demo", "--format", "json,csv", "--output-dir", file)
	if code != audit.ExitUndecided || !strings.Contains(errOut, "is a file, not a directory") {
		t.Errorf("exit %d: %s", code, errOut)
	}
}

// TestOutputDirWritesAll: every format is written and no temporary file is left.
func TestOutputDirWritesAll(t *testing.T) {
	dir := t.TempDir()
	code, _, errOut := runCLI(t, "scan", "--demo", "--format", "json,html,csv",
		"--output-dir", dir)
	if code != audit.ExitFailed {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	entries, _ := os.ReadDir(dir)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	if strings.Join(names, " ") != "teamschat-audit.csv teamschat-audit.html "+
		"teamschat-audit.json" {
		t.Errorf("output dir holds %v", names)
	}
}
