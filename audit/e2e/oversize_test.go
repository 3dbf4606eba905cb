package e2e

import (
	"bytes"
	"context"
	"fmt"
	"net/http/httptest"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/collect"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
)

// A 100 MB column value is neither an out-of-memory crash nor a silent pass: the scan
// reports it by length and hash under STORE-02, and memory stays well under the 4 GB
// that a million-link tenant is allowed.
func TestOversizedColumn(t *testing.T) {
	if testing.Short() {
		t.Skip("evaluates a 100 MB column (about 30 s)")
	}
	const size = 100 << 20
	snap := smallTenant()
	link := &snap.ChatLinks[0]
	link.Extra = append(link.Extra, audit.Column{Name: "cr1a2_big", Value: strings.Repeat("a", size)})
	loaded, r := scanFile(t, snap)
	var found bool
	for _, f := range r.Findings {
		if f.Control == "STORE-02" && f.Resource.ID == loaded.ChatLinks[0].ID &&
			f.Evidence["column"] == "cr1a2_big" {
			found = true
			if got := fmt.Sprint(f.Evidence["length"]); got != strconv.Itoa(size) {
				t.Errorf("length %s, want %d", got, size)
			}
		}
	}
	if !found {
		t.Error("no STORE-02 finding for the 100 MB column")
	}
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	if m.Sys > 4<<30 {
		t.Errorf("the process took %d MB from the system", m.Sys>>20)
	}
	t.Logf("memory from the system: %d MB", m.Sys>>20)
}

// Nesting past encoding/json's limit of 10,000 levels is a one-line error naming the
// byte; nesting under it is evaluated like any other column.
func TestDeeplyNestedColumn(t *testing.T) {
	snapshot := func(depth int) []byte {
		return []byte(`{"schemaVersion":1,"chatLinks":[{"msdyn_teamschatassociationid":` +
			`"6f1b9a3e-0c1d-4c39-9d7a-1b2c3d4e5f60","cr1a2_deep":` + strings.Repeat("[", depth) +
			`"text"` + strings.Repeat("]", depth) + `}]}`)
	}
	_, err := audit.DecodeSnapshot(bytes.NewReader(snapshot(10_001)))
	if err == nil || !strings.Contains(err.Error(), "depth") || strings.Contains(err.Error(), "\n") {
		t.Errorf("10,001 levels: error %v, want one line about the depth", err)
	}

	snap, err := audit.DecodeSnapshot(bytes.NewReader(snapshot(9_000)))
	if err != nil {
		t.Fatalf("9,000 levels: %v", err)
	}
	r, err := builtinEngine(t).Evaluate(context.Background(), snap, audit.EvalOptions{})
	if err != nil {
		t.Fatalf("evaluate 9,000 levels: %v", err)
	}
	for _, f := range r.Findings {
		if f.Control == "STORE-02" && f.Evidence["column"] == "cr1a2_deep" {
			return
		}
	}
	t.Error("the nested text in an unknown column gave no STORE-02 finding")
}

// A conversation with more members than any Teams conversation can have is bounded: the
// collector stops reading it past the limit, a snapshot listing it has its members set
// aside, and either way the links to it are errors and the scan exits 2, in seconds.
func TestTooManyMembers(t *testing.T) {
	snap := smallTenant()
	conv := &snap.Members[0]
	many := make([]audit.Member, audit.MaxMembers+1)
	for i := range many {
		many[i] = audit.Member{ID: fmt.Sprintf("m%d", i),
			UserID: fmt.Sprintf("00000000-0000-4000-8000-%012d", i), Roles: []string{"guest"}}
	}
	conv.Members = many

	srv, err := faketenant.New(snap, faketenant.Options{GraphPageSize: 1000, Seed: 1})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	collected := collectAndScan(t, collect.Options{TenantID: snap.Tenant.TenantID,
		GraphURL: ts.URL + "/graph/v1.0", DataverseURL: ts.URL + "/dataverse",
		AppID: snap.Tenant.AppID, Timeout: 5 * time.Second}, caseDeadline)
	if collected.err != nil {
		t.Fatal(collected.err)
	}
	if src := collected.snap.Sources[audit.SourceMembers]; src.Status != audit.StatusIncomplete {
		t.Errorf("members source is %s after a conversation past the limit, want incomplete", src.Status)
	}
	checkSetAside(t, "collected", collected.snap, collected.results, conv.ConversationID)

	loaded, r := scanFile(t, snap)
	checkSetAside(t, "loaded", loaded, r, conv.ConversationID)
}

// scanFile saves snap and scans it from the file, as scan --snapshot does.
func scanFile(t *testing.T, snap *audit.Snapshot) (*audit.Snapshot, *audit.Results) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "snapshot.json")
	if err := audit.SaveSnapshot(path, snap); err != nil {
		t.Fatal(err)
	}
	loaded, err := audit.LoadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := builtinEngine(t).Evaluate(context.Background(), loaded, audit.EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return loaded, r
}

// checkSetAside requires the conversation's members set aside with the limit named, a
// control that judges members in error for it, and exit code 2.
func checkSetAside(t *testing.T, how string, snap *audit.Snapshot, r *audit.Results, id string) {
	t.Helper()
	for _, c := range snap.Members {
		if c.ConversationID == id && (len(c.Members) != 0 || c.Error != audit.TooManyMembers) {
			t.Errorf("%s: conversation kept %d members, error %q", how, len(c.Members), c.Error)
		}
	}
	named := false
	for _, c := range r.Controls {
		named = named || (c.Status == audit.Error && strings.Contains(c.Reason,
			strconv.Itoa(audit.MaxMembers)))
	}
	if !named || r.Summary.ExitCode != 2 {
		t.Errorf("%s: exit code %d, a control naming the limit: %v; want 2 and a control",
			how, r.Summary.ExitCode, named)
	}
}
