package collect

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"net/http/httptest"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
)

// serveFake serves a snapshot as a fake tenant and returns options pointing at it.
func serveFake(t *testing.T, snap *audit.Snapshot, fo faketenant.Options) (Options, *faketenant.Server) {
	t.Helper()
	srv, err := faketenant.New(snap, fo)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return Options{
		TenantID:     snap.Tenant.TenantID,
		GraphURL:     ts.URL + "/graph/v1.0",
		DataverseURL: ts.URL + "/dataverse",
		AppID:        snap.Tenant.AppID,
		clock:        &fakeClock{},
	}, srv
}

// evidence is a snapshot without what a collection run adds (time, counters, where it
// came from), with every list in a canonical order, as JSON sections.
func evidence(t *testing.T, s *audit.Snapshot) map[string]string {
	t.Helper()
	c := *s
	c.CollectedAt = c.CollectedAt.Truncate(0).UTC()
	c.CollectedAt = c.CollectedAt.AddDate(-c.CollectedAt.Year()+1, 0, 0)
	c.Tenant = audit.Tenant{}
	sources := map[audit.SourceName]audit.Source{}
	for n, src := range s.Sources {
		sources[n] = audit.Source{Status: src.Status, Items: src.Items}
	}
	b, err := json.Marshal(c)
	if err != nil {
		t.Fatal(err)
	}
	var sections map[string]json.RawMessage
	if err := json.Unmarshal(b, &sections); err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for name, raw := range sections {
		switch name {
		case "collectedAt", "tenant", "sources":
			continue
		}
		var v any
		_ = json.Unmarshal(raw, &v)
		if list, ok := v.([]any); ok {
			sort.Slice(list, func(i, j int) bool { return canon(list[i]) < canon(list[j]) })
			v = list
		}
		out[name] = canon(v)
	}
	out["sources"] = canon(sources)
	return out
}

// planted lists values from the tenant that must never reach a log: names, e-mails,
// chat topics and free-text columns.
func planted(s *audit.Snapshot) []string {
	var out []string
	add := func(v string) {
		if len(v) > 3 {
			out = append(out, v)
		}
	}
	for _, c := range s.Members {
		for _, m := range c.Members {
			add(m.DisplayName)
			add(m.Email)
		}
	}
	for _, l := range s.ChatLinks {
		add(l.Name)
	}
	for _, a := range s.ChatSync {
		add(a.Subject)
		add(a.Description)
	}
	for _, u := range s.Users {
		add(u.FullName)
	}
	return out
}

func canon(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

func TestRoundTripFakeTenant(t *testing.T) {
	gen, _ := tenantgen.Generate(tenantgen.Options{Links: 60, Seed: 7, Violations: []string{"all"},
		ChannelFraction: 0.3})
	opts, _ := serveFake(t, gen, faketenant.Options{GraphPageSize: 7, DataversePageSize: 9})

	var logs bytes.Buffer
	opts.Logger = slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	got, err := Collect(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, text := range planted(gen) {
		if strings.Contains(logs.String(), text) {
			t.Errorf("the log holds %q, a value from the tenant", text)
		}
	}
	for name, src := range got.Sources {
		if src.Status != audit.StatusComplete {
			t.Logf("%s: %s: %s", name, src.Status, src.Reason)
		}
	}
	want, have := evidence(t, gen), evidence(t, got)
	for name, w := range want {
		if have[name] != w {
			t.Errorf("%s differs:\n want %.2000s\n have %.2000s", name, w, have[name])
		}
	}
}

// fakeClock advances only when slept on, and records the sleeps.
type fakeClock struct {
	mu     sync.Mutex
	now    time.Time
	sleeps []time.Duration
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now.Add(time.Hour)
}

func (c *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.sleeps = append(c.sleeps, d)
	return ctx.Err()
}
