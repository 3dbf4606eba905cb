// Package tenantgen generates realistic tenants as evidence snapshots, deterministically
// from a seed, with chosen violations planted in the shape real data has. Generate
// returns the snapshot together with the list of findings the planted violations must
// produce, so a test can check that a scan finds every one of them and nothing else.
//
// The tenants are what a complete collection from Microsoft Graph and Dataverse would
// produce: Graph objects with Graph's ids, Dataverse rows with their system columns,
// an access check for every (record, Dynamics user) pair the collector would check.
// Every person, company and conversation is invented. Some names people may choose
// carry characters that break naive reports (markup, formulas, pipes, terminal escapes,
// line breaks).
package tenantgen

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// Options shape a generated tenant. The zero value is an empty, clean tenant.
type Options struct {
	// Links is the number of chat and channel links together. It is raised when the
	// planted violations need more links than it allows.
	Links int
	// MembersPerChat is the average number of members of a conversation; default 5.
	MembersPerChat int
	// ChannelFraction is the share of links that are channel links (Collaborate).
	ChannelFraction float64
	Seed            int64
	// TenantID is the home tenant; by default one derived from Seed.
	TenantID string
	// Violations are the control ids to plant (see Controls), or "all".
	Violations []string
	// Rate is the share of links that carry each link violation; every planted link
	// violation appears at least once.
	Rate float64
	// SourceStatus reports the named sources with a status other than complete; the
	// evidence itself is generated as usual.
	SourceStatus map[audit.SourceName]audit.Status
}

// Planted is one finding a planted violation must produce, named as a control names it:
// the control id, the finding's resource type and id, and its key.
type Planted struct {
	Control      string `json:"control"`
	ResourceType string `json:"resourceType"`
	ResourceID   string `json:"resourceId"`
	Key          string `json:"key"`
}

// Controls lists the control ids Generate can plant, in order.
func Controls() []string {
	return []string{
		"SCOPE-01", "SCOPE-02", "SCOPE-03", "SCOPE-04", "SCOPE-05",
		"STORE-01", "STORE-02", "STORE-03",
		"ACCESS-01", "ACCESS-02", "ACCESS-03", "ACCESS-04", "ACCESS-05",
	}
}

// collectedAt is fixed, so that the same seed gives the same bytes on every run.
var collectedAt = time.Date(2026, time.March, 2, 9, 0, 0, 0, time.UTC)

// gen holds the state of one generation.
type gen struct {
	o       Options
	r       rng
	a       arena
	s       *audit.Snapshot
	on      map[string]bool
	planted []Planted

	tenant   string
	domain   string
	bu       any // the business unit every row belongs to, boxed once
	users    []userInfo
	regular  int // users[:regular] are people; after them come service and special users
	creators int // users[:creators] create links
	teams    []team
	cur      link  // the link being built, reused to keep its member list's storage
	version  int64 // the last versionnumber handed out
	// ownerTeams are Dynamics owner teams that records are shared with.
	ownerTeams []string
	// oneOnOnes are the one-to-one chat ids handed out.
	oneOnOnes map[string]bool

	members []audit.Member // slab the conversations' member lists are cut from
	columns []audit.Column // slab the rows' extra columns are cut from
	ints    slab[int]
	bools   slab[bool]
}

// userInfo is what links need of a systemuser beyond its row.
type userInfo struct {
	idAny   any // systemuserid boxed once: rows name their owner with it
	created bool
}

// Generate builds a tenant. It panics on a control id Controls does not list, a
// mistake in the calling test rather than a condition to handle.
func Generate(o Options) (*audit.Snapshot, []Planted) {
	g := newGen(o)
	g.identities()
	sp := g.people()
	g.links(sp)
	g.licences(sp)
	g.sources()
	slices.SortFunc(g.planted, comparePlanted)
	return g.s, slices.Compact(g.planted)
}

func newGen(o Options) *gen {
	o.Links = max(o.Links, 0)
	if o.MembersPerChat <= 0 {
		o.MembersPerChat = 5
	}
	o.MembersPerChat = max(o.MembersPerChat, 2)
	o.ChannelFraction = min(max(o.ChannelFraction, 0), 1)
	o.Rate = min(max(o.Rate, 0), 1)

	g := &gen{o: o, r: rng{state: uint64(o.Seed) ^ 0x5eed7e4a47c0ffee}, on: map[string]bool{},
		oneOnOnes: map[string]bool{}}
	known := Controls()
	for _, v := range o.Violations {
		switch {
		case v == "all":
			for _, c := range known {
				g.on[c] = true
			}
		case slices.Contains(known, v):
			g.on[v] = true
		default:
			panic(fmt.Sprintf("tenantgen: unknown control id %q", v))
		}
	}

	g.tenant = o.TenantID
	if g.tenant == "" {
		g.tenant = g.a.guid(&g.r)
	}
	g.domain = g.a.join("sample-", g.a.hex(&g.r, 6), ".example")
	g.bu = g.a.guid(&g.r)
	g.version = 1_200_000 + int64(g.r.intn(800_000))
	g.s = &audit.Snapshot{
		SchemaVersion: audit.SchemaVersion,
		CollectedAt:   collectedAt,
		Tenant: audit.Tenant{
			TenantID:     g.tenant,
			DataverseURL: g.a.join("https://org", g.a.hex(&g.r, 8), ".crm.dynamics.com"),
			GraphURL:     "https://graph.microsoft.com",
			AppID:        audit.IntegrationAppID,
		},
	}
	return g
}

func (g *gen) plant(control, resourceType, resourceID, key string) {
	g.planted = append(g.planted, Planted{control, resourceType, resourceID, key})
}

func comparePlanted(a, b Planted) int {
	return cmp.Or(
		cmp.Compare(a.Control, b.Control),
		cmp.Compare(a.ResourceType, b.ResourceType),
		cmp.Compare(a.ResourceID, b.ResourceID),
		cmp.Compare(a.Key, b.Key),
	)
}

// sources records every source as complete with its item count, unless the options
// name it.
func (g *gen) sources() {
	s := g.s
	counts := s.ItemCounts()
	s.Sources = make(map[audit.SourceName]*audit.Source, len(counts))
	for _, name := range audit.AllSources {
		src := &audit.Source{Status: audit.StatusComplete, Items: counts[name]}
		if st, ok := g.o.SourceStatus[name]; ok && st != audit.StatusComplete {
			src.Status = st
			src.Reason = "set by the generator's options"
		}
		s.Sources[name] = src
	}
}

func (g *gen) flag(v bool) *bool { return g.bools.ptr(v) }
func (g *gen) num(v int) *int    { return g.ints.ptr(v) }

// Fingerprint is the finding id a scan gives the planted violation, so that a test can
// match planted violations to findings exactly.
func (p Planted) Fingerprint() string {
	return audit.Fingerprint(p.Control, audit.Resource{Type: p.ResourceType, ID: p.ResourceID}, p.Key)
}
