package e2e

import (
	"bytes"
	"context"
	"fmt"
	"io/fs"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
)

// textMarker starts every piece of conversation text planted in the tenant; the
// secret is what the environment offers as a client secret.
const (
	textMarker = "SECRET-CHAT-TEXT-"
	fakeSecret = "fake-client-secret-Zq8~leakcheck"
)

// plantConversationText writes message-like text (markup and a line break, as Teams
// message bodies have) into every free-text column of the link and chat sync rows,
// plus one column outside the known schema per row and, on one link, the conversation
// ID itself. It returns how many values it planted.
func plantConversationText(s *audit.Snapshot) int {
	n := 0
	text := func() string {
		n++
		return fmt.Sprintf("<p>%s%d: the quote is attached, can we talk at noon?</p>\nthanks",
			textMarker, n)
	}
	extra := func(cols []audit.Column) []audit.Column {
		return append(cols, audit.Column{Name: "cr1a2_notes", Value: text()})
	}
	for i := range s.ChatLinks {
		l := &s.ChatLinks[i]
		l.Name = text()
		l.Extra = extra(l.Extra)
	}
	if len(s.ChatLinks) > 0 {
		s.ChatLinks[0].ChatID = text()
	}
	for i := range s.ChannelLinks {
		l := &s.ChannelLinks[i]
		l.ChannelName, l.TeamName = text(), text()
		l.Extra = extra(l.Extra)
	}
	for i := range s.ChatSync {
		a := &s.ChatSync[i]
		a.Subject, a.Description = text(), text()
		a.AdditionalParams = fmt.Sprintf(`{"body":%q}`, text())
		a.Extra = extra(a.Extra)
	}
	return n
}

// buildCLI builds the command line once per test binary run.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "teamschat-audit")
	cmd := exec.Command("go", "build", "-o", bin,
		"github.com/teamschat-audit/teamschat-audit/cmd/teamschat-audit")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build the command line: %v\n%s", err, out)
	}
	return bin
}

// output is one thing a run wrote: a stream or a file.
type output struct {
	name string
	data []byte
	kind outputKind
}

type outputKind int

const (
	streamOut   outputKind = iota // stdout or stderr: reports, logs, status lines
	reportOut                     // a report file of --output-dir
	historyOut                    // the scan history database and its journal files
	snapshotOut                   // a snapshot written by collect or --save-evidence
)

// leakScenario serves a tenant whose text columns hold conversation text and runs the
// command line over it with a client secret in the environment: collect, and scan with
// --save-evidence, history and every report format, at every log level and format;
// then scan of a saved snapshot with each format on stdout. It returns the planted
// tenant and every stream and file the runs wrote.
func leakScenario(t *testing.T) (*audit.Snapshot, []output) {
	t.Helper()
	snap := smallTenant()
	if plantConversationText(snap) < 10 {
		t.Fatal("too few text columns to plant in")
	}
	srv, err := faketenant.New(snap, faketenant.Options{GraphPageSize: 4, DataversePageSize: 5})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	defer ts.Close()
	bin := buildCLI(t)
	dir := t.TempDir()
	live := []string{"--dataverse-url", ts.URL + "/dataverse", "--graph-url",
		ts.URL + "/graph/v1.0", "--auth", "none", "--app-id", snap.Tenant.AppID,
		"--tenant-id", snap.Tenant.TenantID}

	var outs []output
	run := func(name string, wantExit int, args ...string) {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, bin, args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "AZURE_CLIENT_SECRET="+fakeSecret,
			"AZURE_CLIENT_ID=00000000-0000-4000-8000-00000000c11e",
			"AZURE_TENANT_ID="+snap.Tenant.TenantID, "XDG_STATE_HOME="+filepath.Join(dir, "xdg"))
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		err := cmd.Run()
		if code := cmd.ProcessState.ExitCode(); code != wantExit {
			t.Errorf("%s: exit %d (%v), want %d; stderr:\n%.2000s", name, code, err, wantExit,
				stderr.String())
		}
		outs = append(outs, output{name: name + " stdout", data: stdout.Bytes()},
			output{name: name + " stderr", data: stderr.Bytes()})
	}

	// Every source is complete, so collect exits 0; the scan exits 2 because the link
	// whose conversation ID holds text has no members Graph can list, which leaves the
	// controls that judge members in error.
	for _, level := range []string{"debug", "info", "warn", "error"} {
		for _, format := range []string{"text", "json"} {
			tag := level + "-" + format
			logs := []string{"--log-level", level, "--log-format", format}
			run("collect "+tag, audit.ExitCompliant, append(append([]string{"collect",
				"--out", "collect-" + tag + ".json"}, logs...), live...)...)
			run("scan "+tag, audit.ExitUndecided, append(append([]string{"scan",
				"--save-evidence", "evidence-" + tag + ".json",
				"--format", "table,json,html,sarif,junit,csv,md", "--output-dir", "out-" + tag,
				"--state-dir", "state", "--tenant", "leak"}, logs...), live...)...)
		}
	}
	for _, f := range []string{"table", "json", "csv", "md", "sarif", "junit", "html"} {
		run("scan "+f+" to stdout", audit.ExitUndecided, "scan", "--snapshot",
			"collect-debug-text.json", "--format", f, "--no-history", "--log-level", "debug")
	}

	files := readTree(t, dir)
	if len(files) < 8*9 {
		t.Fatalf("the runs wrote %d files; expected reports, snapshots and history", len(files))
	}
	return snap, append(outs, files...)
}

// TestNothingLeaks greps everything the runs of leakScenario wrote: neither the client
// secret nor any planted conversation text may appear in a log line at any level, a
// report, a history row or a snapshot. Snapshots hold text digests in place of text,
// and findings name a link whose name looks like text by its length and hash.
func TestNothingLeaks(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the command line")
	}
	_, outs := leakScenario(t)
	for _, o := range outs {
		if bytes.Contains(o.data, []byte(fakeSecret)) {
			t.Errorf("%s holds the client secret", o.name)
		}
		if n := bytes.Count(o.data, []byte(textMarker)); n > 0 {
			i := bytes.Index(o.data, []byte(textMarker))
			t.Errorf("%s holds planted conversation text %d times: %q", o.name, n,
				around(o.data, i))
		}
	}
	t.Logf("checked %d streams and files", len(outs))
}

// readTree reads every file under dir and tells snapshots and history from reports by
// the names the runs gave them.
func readTree(t *testing.T, dir string) []output {
	t.Helper()
	var out []output
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		kind := reportOut
		switch {
		case strings.HasPrefix(rel, "collect-"), strings.HasPrefix(rel, "evidence-"):
			kind = snapshotOut
		case strings.HasPrefix(rel, "state"):
			kind = historyOut
		}
		out = append(out, output{name: rel, data: b, kind: kind})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// around quotes the bytes around i, so a failure shows where the text surfaced.
func around(b []byte, i int) string {
	return string(b[max(i-80, 0):min(i+60, len(b))])
}
