package collect

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/faketenant"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
	"github.com/teamschat-audit/teamschat-audit/policies"
)

var incrementalTenant = tenantgen.Options{Links: 3000, Seed: 5, Violations: []string{"all"},
	ChannelFraction: 0.2}

// change is what changeLinks did to a tenant, for the assertions.
type change struct {
	newLinks, memberChanges, rowChanges int
	// added is an access check of a member added to a conversation whose link row
	// did not change.
	added audit.AccessCheck
}

// changeLinks changes about share of the tenant's chat links in equal parts: new links
// (on existing records, with new conversations), members added to conversations whose
// link row stays as it was, and link rows updated. Wherever it touches a record it
// also changes the access rights of one user on it, so evidence taken from the
// previous scan where it may not be would show.
func changeLinks(t *testing.T, s *audit.Snapshot, share float64) change {
	t.Helper()
	n := max(int(float64(len(s.ChatLinks)+len(s.ChannelLinks))*share)/3, 1)
	convs := map[string]int{}
	for i, cv := range s.Members {
		convs[cv.ConversationID] = i
	}
	access := map[string]int{}
	for i, a := range s.Access {
		access[key(a.RecordID)] = i
	}
	flip := func(record string) {
		a := &s.Access[access[key(record)]]
		if strings.Contains(a.AccessRights, "WriteAccess") {
			a.AccessRights = "ReadAccess"
		} else {
			a.AccessRights = "ReadAccess, WriteAccess, AppendAccess"
		}
	}
	var users []audit.SystemUser
	for _, u := range s.Users {
		if u.AADObjectID != "" && u.ApplicationID == "" {
			users = append(users, u)
		}
	}

	var c change
	step := len(s.ChatLinks) / (3 * n)
	for k := range n {
		// A link row updated in place.
		l := &s.ChatLinks[3*k*step]
		for i, col := range l.Extra {
			switch col.Name {
			case "versionnumber":
				l.Extra[i].Value = int64(9_000_000 + k)
			case "modifiedon":
				l.Extra[i].Value = time.Date(2026, 12, 1, 9, 0, k, 0, time.UTC).
					Format("2006-01-02T15:04:05Z")
			}
		}
		flip(l.RegardingID)
		c.rowChanges++

		// A member added to a conversation whose link row is unchanged.
		l = &s.ChatLinks[(3*k+1)*step]
		cv := &s.Members[convs[l.ChatID]]
		for _, u := range users {
			if !slices.ContainsFunc(cv.Members, func(m audit.Member) bool {
				return key(m.UserID) == key(u.AADObjectID)
			}) {
				cv.Members = append(slices.Clone(cv.Members), audit.Member{
					ID: uuid.NewString(), UserID: u.AADObjectID, Roles: []string{}})
				c.added = audit.AccessCheck{SystemUserID: u.SystemUserID,
					RecordTable: l.RegardingTable, RecordID: l.RegardingID,
					AccessRights: "ReadAccess, AppendToAccess"}
				s.Access = append(s.Access, c.added)
				break
			}
		}
		flip(l.RegardingID)
		c.memberChanges++

		// A new link on an existing record, in a new conversation of the same people.
		from := s.ChatLinks[(3*k+2)*step]
		nl := from
		nl.ID = uuid.NewString()
		nl.ChatID = fmt.Sprintf("19:%s@thread.v2", strings.ReplaceAll(uuid.NewString(), "-", ""))
		nl.Extra = slices.Clone(from.Extra)
		s.ChatLinks = append(s.ChatLinks, nl)
		s.Members = append(s.Members, audit.Conversation{ConversationID: nl.ChatID,
			Members: slices.Clone(s.Members[convs[from.ChatID]].Members)})
		flip(from.RegardingID)
		c.newLinks++
	}
	return c
}

// tenantHost serves one fake tenant after another at the same address, as a real
// tenant changes between scans while its URLs stay.
type tenantHost struct {
	srv  atomic.Pointer[faketenant.Server]
	opts Options
}

func newTenantHost(t *testing.T, snap *audit.Snapshot) *tenantHost {
	t.Helper()
	h := &tenantHost{}
	h.serve(t, snap)
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.srv.Load().ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	h.opts = Options{TenantID: snap.Tenant.TenantID, GraphURL: ts.URL + "/graph/v1.0",
		DataverseURL: ts.URL + "/dataverse", AppID: snap.Tenant.AppID, clock: &fakeClock{}}
	return h
}

// serve replaces the tenant.
func (h *tenantHost) serve(t *testing.T, snap *audit.Snapshot) {
	t.Helper()
	srv, err := faketenant.New(snap, faketenant.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h.srv.Store(srv)
}

// scan collects, with prev as the previous scan when it is not nil.
func (h *tenantHost) scan(t *testing.T, prev *audit.Snapshot) (*audit.Snapshot, int) {
	t.Helper()
	o := h.opts
	if prev != nil {
		o.Previous, o.PreviousScan = prev, audit.ScanRef{ScanID: 1, CollectedAt: prev.CollectedAt}
	}
	return scanOf(t, o, h.srv.Load())
}

// scanOf collects from srv and counts its HTTP requests.
func scanOf(t *testing.T, opts Options, srv *faketenant.Server) (*audit.Snapshot, int) {
	t.Helper()
	srv.ResetStats()
	snap, err := Collect(context.Background(), opts, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, src := range snap.Sources {
		if src.Status != audit.StatusComplete {
			t.Fatalf("%s is %s: %s", name, src.Status, src.Reason)
		}
	}
	return snap, srv.Stats().Total
}

// outcome is every control's status and every finding id, sorted.
func outcome(t *testing.T, e *audit.Engine, s *audit.Snapshot) []string {
	t.Helper()
	r, err := e.Evaluate(context.Background(), s, audit.EvalOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, c := range r.Controls {
		out = append(out, "control "+c.ID+" "+string(c.Status))
	}
	for _, f := range r.Findings {
		out = append(out, "finding "+f.ID)
	}
	slices.Sort(out)
	return out
}

func TestIncrementalScanAfterOnePercentChange(t *testing.T) {
	if testing.Short() {
		t.Skip("collects a tenant of 3000 links three times")
	}
	before, _ := tenantgen.Generate(incrementalTenant)
	host := newTenantHost(t, before)
	first, fullBefore := host.scan(t, nil)

	after, _ := tenantgen.Generate(incrementalTenant)
	chg := changeLinks(t, after, 0.01)
	host.serve(t, after)
	full, fullRequests := host.scan(t, nil)
	inc, incRequests := host.scan(t, first)

	ps, err := audit.LoadPolicies(policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	e, err := audit.NewEngine(context.Background(), ps)
	if err != nil {
		t.Fatal(err)
	}
	want, got := outcome(t, e, full), outcome(t, e, inc)
	if !slices.Equal(want, got) {
		t.Errorf("the incremental scan's results differ from a full scan's:\n full %d lines,"+
			" incremental %d", len(want), len(got))
	}
	wantEv, gotEv := evidence(t, full), evidence(t, inc)
	for name, w := range wantEv {
		if gotEv[name] != w {
			t.Errorf("%s differs from a full scan's:\n full %.300s\n incr %.300s", name, w,
				gotEv[name])
		}
	}
	if !slices.ContainsFunc(inc.Access, func(a audit.AccessCheck) bool {
		return a == chg.added
	}) {
		t.Errorf("the member added to an unchanged link's conversation was not checked: %+v",
			chg.added)
	}

	acc := inc.Sources[audit.SourceAccess]
	if acc.Reused == 0 || acc.ReusedFrom == nil || acc.ReusedFrom.ScanID != 1 {
		t.Errorf("access source does not record its reuse: %+v", acc)
	}
	t.Logf("%d links; %d new, %d with changed members, %d rows changed", len(after.ChatLinks)+
		len(after.ChannelLinks), chg.newLinks, chg.memberChanges, chg.rowChanges)
	t.Logf("HTTP requests: full scan before %d, full scan after %d, incremental %d (%.1f%%)",
		fullBefore, fullRequests, incRequests, 100*float64(incRequests)/float64(fullRequests))
	for _, name := range audit.AllSources {
		f, i := full.Sources[name], inc.Sources[name]
		t.Logf("  %-18s full %6d requests   incremental %6d requests, %6d of %6d items reused",
			name, f.Requests, i.Requests, i.Reused, i.Items)
	}
	// What an incremental scan must still read: one batch per 20 conversations, one
	// shares query per 50 records, the pages of every table and the tenant-wide
	// sources, about 3% of a full scan here, plus the checks of the changed records.
	if incRequests*100 > fullRequests*5 {
		t.Errorf("incremental scan made %d requests, more than 5%% of the full scan's %d",
			incRequests, fullRequests)
	}
}

// An access change that leaves every link, membership and share as it was is not seen
// by an incremental scan: the documented reason to run --full regularly.
func TestIncrementalTrustsUnchangedRecords(t *testing.T) {
	opts := tenantgen.Options{Links: 200, Seed: 9}
	before, _ := tenantgen.Generate(opts)
	host := newTenantHost(t, before)
	first, _ := host.scan(t, nil)

	after, _ := tenantgen.Generate(opts)
	after.Access[0].AccessRights = "ReadAccess, WriteAccess, DeleteAccess, ShareAccess"
	host.serve(t, after)
	inc, _ := host.scan(t, first)
	full, _ := host.scan(t, nil)

	find := func(s *audit.Snapshot) string {
		for _, a := range s.Access {
			if key(a.SystemUserID) == key(after.Access[0].SystemUserID) &&
				key(a.RecordID) == key(after.Access[0].RecordID) {
				return a.AccessRights
			}
		}
		return "(none)"
	}
	if got := find(full); got != after.Access[0].AccessRights {
		t.Fatalf("full scan read %q", got)
	}
	if got := find(inc); got != before.Access[0].AccessRights {
		t.Errorf("incremental scan read %q, want the previous scan's %q", got,
			before.Access[0].AccessRights)
	}
	if inc.Sources[audit.SourceAccess].Reused == 0 {
		t.Error("nothing was reused")
	}
}

// A previous scan that is not complete, or of another environment, is not reused.
func TestIncrementalFallsBackToFull(t *testing.T) {
	gen, _ := tenantgen.Generate(tenantgen.Options{Links: 40, Seed: 3})
	host := newTenantHost(t, gen)
	first, _ := host.scan(t, nil)
	if again, _ := host.scan(t, first); again.Sources[audit.SourceAccess].Reused == 0 {
		t.Fatal("a complete previous scan was not reused")
	}
	first.Sources[audit.SourceMembers] = &audit.Source{Status: audit.StatusIncomplete}
	again, _ := host.scan(t, first)
	for name, src := range again.Sources {
		if src.Reused != 0 {
			t.Errorf("%s reused %d items of an incomplete scan", name, src.Reused)
		}
	}
}
