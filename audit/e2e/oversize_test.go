package e2e

import (
	"bytes"
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
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
	path := filepath.Join(t.TempDir(), "snapshot.json")
	if err := audit.SaveSnapshot(path, snap); err != nil {
		t.Fatal(err)
	}
	snap = nil // the scan starts from the file, as scan --snapshot does
	loaded, err := audit.LoadSnapshot(path)
	if err != nil {
		t.Fatal(err)
	}
	r, err := builtinEngine(t).Evaluate(context.Background(), loaded, audit.EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
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
