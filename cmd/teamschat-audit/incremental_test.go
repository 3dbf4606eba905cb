package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// TestIncrementalLiveScans: the second live scan with history reuses the first's
// access checks and licences, names the scan they come from and finds the same; --full
// and a missing evidence file read everything, the latter saying why.
func TestIncrementalLiveScans(t *testing.T) {
	live, gen := fakeTenant(t)
	state := t.TempDir()
	scan := func(extra ...string) (*audit.Results, []string, string) {
		t.Helper()
		args := append([]string{"scan", "--format", "json", "--state-dir", state,
			"--tenant", "fake"}, live...)
		code, out, errOut := runCLI(t, append(args, extra...)...)
		if code != audit.ExitFailed {
			t.Fatalf("scan exited %d: %s", code, errOut)
		}
		ids, r := findingIDs(t, out)
		return r, ids, errOut
	}
	reused := func(r *audit.Results) int {
		n := 0
		for _, src := range r.Evidence {
			n += src.Reused
		}
		return n
	}

	first, want, _ := scan()
	if reused(first) != 0 {
		t.Fatalf("the first scan reused %d items", reused(first))
	}
	kept := filepath.Join(state, "fake", evidenceDir, "scan-1.json.gz")
	if info, err := os.Stat(kept); err != nil || info.Mode().Perm() != 0o600 {
		t.Fatalf("evidence of scan 1 not kept privately: %v", err)
	}

	base, err := readEvidence(kept)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := json.Marshal(base)
	for _, l := range gen.ChatLinks {
		if l.Name != "" && strings.Contains(string(raw), l.Name) {
			t.Fatalf("the kept evidence holds a link name")
		}
	}
	for _, cv := range gen.Members {
		for _, m := range cv.Members {
			if m.DisplayName != "" && strings.Contains(string(raw), m.DisplayName) {
				t.Fatalf("the kept evidence holds a member's name")
			}
		}
	}

	second, got, _ := scan()
	acc := second.Evidence[audit.SourceAccess]
	if acc.Reused == 0 || acc.ReusedFrom == nil || acc.ReusedFrom.ScanID != 1 {
		t.Errorf("the second scan does not reuse scan 1's access checks: %+v", acc)
	}
	if acc.Requests >= first.Evidence[audit.SourceAccess].Requests {
		t.Errorf("incremental access requests %d, full %d", acc.Requests,
			first.Evidence[audit.SourceAccess].Requests)
	}
	if !slices.Equal(got, want) {
		t.Errorf("incremental findings %d differ from the full scan's %d", len(got), len(want))
	}
	if _, err := os.Stat(kept); !os.IsNotExist(err) {
		t.Errorf("scan 1's evidence is still kept after scan 2: %v", err)
	}

	if full, _, _ := scan("--full"); reused(full) != 0 {
		t.Errorf("--full reused %d items", reused(full))
	}

	if err := os.Remove(filepath.Join(state, "fake", evidenceDir, "scan-3.json.gz")); err != nil {
		t.Fatal(err)
	}
	fallback, _, errOut := scan()
	if reused(fallback) != 0 || !strings.Contains(errOut, "full scan") {
		t.Errorf("without the last scan's evidence: reused %d, stderr %q", reused(fallback),
			errOut)
	}

	code, table, _ := runCLI(t, append([]string{"scan", "--state-dir", state, "--tenant",
		"fake", "--format", "table"}, live...)...)
	if code != audit.ExitFailed || !strings.Contains(table, "reused from scan 4") {
		t.Errorf("the table does not say what was reused (exit %d):\n%s", code, table)
	}
}
