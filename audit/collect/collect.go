// Package collect gathers the evidence of a tenant from Microsoft Graph and the
// Dataverse Web API into an audit.Snapshot.
//
// Completeness comes before speed: every source ends with a status, and a source that
// failed, was throttled out or was cut short says so, with the HTTP status and what
// would fix it, instead of looking like an empty, clean tenant. Collect returns an
// error only for options it cannot start with; what goes wrong later is in the
// snapshot. Nothing it logs holds a token, a column value or a member's name.
package collect

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/google/uuid"
	"github.com/teamschat-audit/teamschat-audit/audit"
)

// collector is one run of Collect.
type collector struct {
	parent context.Context
	o      Options
	g      *graphClient
	dv     *dataverse
	runs   map[audit.SourceName]*run
	snap   *audit.Snapshot
	// sets maps table logical names to entity set names, for the access checks.
	sets      map[string]string
	setsShort *shortfall
	// reuse is the previous scan's evidence in an incremental scan; nil in a full one.
	reuse  *reuse
	progMu sync.Mutex
}

// Collect reads the tenant's evidence. cred may be nil only when every endpoint is
// on loopback (the fake tenant).
func Collect(ctx context.Context, opts Options, cred azcore.TokenCredential) (*audit.Snapshot, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if err := o.checkCredential(cred); err != nil {
		return nil, err
	}
	b := newBudget(o.RetryBudget)
	g, err := newGraphClient(o, cred, b)
	if err != nil {
		return nil, err
	}
	c := &collector{
		parent: ctx, o: o, g: g, dv: newDataverse(o, cred, b),
		runs: make(map[audit.SourceName]*run, len(audit.AllSources)),
		snap: &audit.Snapshot{
			SchemaVersion: audit.SchemaVersion,
			CollectedAt:   o.clock.Now().UTC(),
			Tenant: audit.Tenant{TenantID: o.TenantID, DataverseURL: o.DataverseURL,
				GraphURL: o.GraphURL, AppID: o.AppID},
		},
	}
	for _, name := range audit.AllSources {
		c.runs[name] = newRun(name, c.progress)
	}
	o.Logger.Info("collecting", "graph", o.GraphURL, "dataverse", o.DataverseURL,
		"concurrency", o.Concurrency, "retryBudget", o.RetryBudget)
	c.startIncremental()

	// Sources that need nothing but the tenant, then those built on the links and
	// users, then the access checks, which need the members too.
	parallel(c.graphApp, c.chatLinks, c.channelLinks, c.chatSync, c.users, c.entitySets)
	if c.reuse != nil {
		c.reuse.markLinks(c.snap)
	}
	parallel(c.members, c.licences, c.shares)
	if c.reuse != nil {
		c.reuse.markRecords(c.snap)
	}
	c.access()

	c.finish()
	return c.snap, nil
}

// startIncremental takes the previous scan as the base of this one when it may be.
func (c *collector) startIncremental() {
	if c.o.Previous == nil {
		c.o.Logger.Info("full scan: every source is read")
		return
	}
	if why := usablePrevious(c.o.Previous, c.o); why != "" {
		c.o.Logger.Warn("incremental scan not possible, reading everything", "reason", why)
		return
	}
	c.reuse = newReuse(c.o.Previous, c.o.PreviousScan)
	ref := c.o.PreviousScan
	for _, rn := range c.runs {
		rn.from = &ref
	}
	c.o.Logger.Info("incremental scan", "previousScan", ref.ScanID,
		"previousCollectedAt", ref.CollectedAt)
}

func (c *collector) ctx(name audit.SourceName) context.Context {
	return withRun(c.parent, c.runs[name])
}

// parallel runs each step in its own goroutine and waits for all of them. Steps
// write disjoint fields of the snapshot.
func parallel(steps ...func()) {
	var wg sync.WaitGroup
	for _, s := range steps {
		wg.Go(s)
	}
	wg.Wait()
}

// forEach calls fn for 0..n-1 on at most workers goroutines.
func forEach(ctx context.Context, n, workers int, fn func(ctx context.Context, i int)) {
	var next atomic.Int64
	var wg sync.WaitGroup
	for range min(workers, n) {
		wg.Go(func() {
			for {
				i := int(next.Add(1) - 1)
				if i >= n || ctx.Err() != nil {
					return
				}
				fn(ctx, i)
			}
		})
	}
	wg.Wait()
}

func (c *collector) progress(p Progress) {
	if c.o.Progress == nil {
		return
	}
	c.progMu.Lock()
	defer c.progMu.Unlock()
	c.o.Progress(p)
}

// record marks a source short of complete and logs why (the reason holds ids and
// statuses only).
func (c *collector) record(name audit.SourceName, s *shortfall) {
	if s == nil {
		return
	}
	c.runs[name].fail(s.status, s.reason)
	c.o.Logger.Warn("source not complete", "source", string(name), "status", string(s.status),
		"reason", s.reason)
}

// finish writes every source's record into the snapshot.
func (c *collector) finish() {
	s := c.snap
	counts := s.ItemCounts()
	s.Sources = make(map[audit.SourceName]*audit.Source, len(c.runs))
	for name, rn := range c.runs {
		s.Sources[name] = rn.source(counts[name])
		c.o.Logger.Info("source collected", "source", string(name),
			"status", string(s.Sources[name].Status), "items", counts[name],
			"requests", s.Sources[name].Requests, "retries", s.Sources[name].Retries)
	}
}

func isGUID(s string) bool {
	_, err := uuid.Parse(s)
	return err == nil && len(s) == 36
}

// key normalises an identifier for deduplication: GUIDs come in either case.
func key(id string) string { return strings.ToLower(strings.TrimSpace(id)) }

// interrupted marks a source incomplete when its context ended before every item was
// visited, so unvisited items are not mistaken for absent ones.
func (c *collector) interrupted(ctx context.Context, name audit.SourceName) {
	if err := ctx.Err(); err != nil {
		c.record(name, &shortfall{status: audit.StatusIncomplete, reason: fmt.Sprintf("interrupted: %v", err)})
	}
}
