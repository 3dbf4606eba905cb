package faketenant

import (
	"net/http"
	"slices"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// index holds the snapshot's lookups, built once.
type index struct {
	snap     *audit.Snapshot
	sps      []*audit.ServicePrincipal          // the integration, then resources
	spByID   map[string]*audit.ServicePrincipal // by object id
	chats    map[string]*audit.Conversation     // by chat id
	channels map[string]*audit.Conversation     // by team id|channel id
	licences map[string]*audit.Licence          // by Entra object id
	users    map[string]*audit.SystemUser       // by systemuserid
	access   map[string]*audit.AccessCheck      // by systemuserid|record id
	shares   map[string][]*audit.Share          // by record id
	// setOf and tableOf map table logical names to entity set names and back.
	setOf   map[string]string
	tableOf map[string]string
}

// key normalises a GUID for lookups: the services accept either case.
func key(id string) string { return strings.ToLower(strings.Trim(id, "{} ")) }

func newIndex(s *audit.Snapshot) *index {
	ix := &index{
		snap:     s,
		spByID:   map[string]*audit.ServicePrincipal{},
		chats:    map[string]*audit.Conversation{},
		channels: map[string]*audit.Conversation{},
		licences: map[string]*audit.Licence{},
		users:    map[string]*audit.SystemUser{},
		access:   map[string]*audit.AccessCheck{},
		shares:   map[string][]*audit.Share{},
		setOf:    map[string]string{},
		tableOf:  map[string]string{},
	}
	addSP := func(sp *audit.ServicePrincipal) {
		if _, dup := ix.spByID[key(sp.ID)]; !dup {
			ix.sps = append(ix.sps, sp)
			ix.spByID[key(sp.ID)] = sp
		}
	}
	if s.Integration != nil {
		addSP(s.Integration)
	}
	for i := range s.Resources {
		addSP(&s.Resources[i])
	}
	// A conversation listed twice (a snapshot a collector would not write) is served as
	// its last listing, as the engine's index reads it.
	for i := range s.Members {
		c := &s.Members[i]
		if c.TeamID == "" {
			ix.chats[c.ConversationID] = c
		} else {
			ix.channels[key(c.TeamID)+"|"+c.ConversationID] = c
		}
	}
	for i := range s.Licences {
		ix.licences[key(s.Licences[i].UserID)] = &s.Licences[i]
	}
	for i := range s.Users {
		ix.users[key(s.Users[i].SystemUserID)] = &s.Users[i]
	}
	for i := range s.Access {
		a := &s.Access[i]
		ix.access[key(a.SystemUserID)+"|"+key(a.RecordID)] = a
	}
	for i := range s.Shares {
		sh := &s.Shares[i]
		ix.shares[key(sh.ObjectID)] = append(ix.shares[key(sh.ObjectID)], sh)
	}
	ix.indexTables()
	return ix
}

// knownSets are the entity set names of tables whose set is not the plain plural.
var knownSets = map[string]string{
	"principalobjectaccess":   "principalobjectaccessset",
	"msdyn_msteamssettingsv2": "msdyn_msteamssettingsv2",
	"opportunity":             "opportunities",
	"activityparty":           "activityparties",
}

// baseTables are listed by EntityDefinitions whatever the snapshot holds.
var baseTables = []string{
	"account", "contact", "opportunity", "lead", "incident", "quote", "salesorder",
	"invoice", "systemuser", "team", "chat", "activityparty", "principalobjectaccess",
	"msdyn_teamschatassociation", "msdyn_teamscollaboration",
	"msdyn_entitylinkchatconfiguration", "msdyn_msteamssettingsv2",
}

func (ix *index) indexTables() {
	tables := append([]string(nil), baseTables...)
	for _, l := range ix.snap.ChatLinks {
		tables = append(tables, l.RegardingTable)
	}
	for _, l := range ix.snap.ChannelLinks {
		tables = append(tables, l.RegardingTable)
	}
	for _, a := range ix.snap.Access {
		tables = append(tables, a.RecordTable)
	}
	for _, t := range tables {
		if t == "" {
			continue
		}
		if _, seen := ix.setOf[t]; seen {
			continue
		}
		set := entitySetName(t)
		ix.setOf[t], ix.tableOf[set] = set, t
	}
}

// entitySetName pluralises a table name the way Dataverse names most entity sets.
func entitySetName(table string) string {
	if set, ok := knownSets[table]; ok {
		return set
	}
	switch {
	case strings.HasSuffix(table, "y") && len(table) > 1 && !strings.ContainsAny(
		table[len(table)-2:len(table)-1], "aeiou"):
		return table[:len(table)-1] + "ies"
	case strings.HasSuffix(table, "s"), strings.HasSuffix(table, "x"),
		strings.HasSuffix(table, "ch"), strings.HasSuffix(table, "sh"):
		return table + "es"
	}
	return table + "s"
}

// pageOf answers one page of rows already built: Graph's collections are small.
func (s *Server) pageOf(c *call, context string, rows []map[string]any) {
	s.page(c, context, len(rows), func(i int) map[string]any { return rows[i] })
}

// page answers one page of a collection of n rows, building only the rows on the page,
// so reading a large table costs linear time. The $skiptoken of the request says where
// the page starts; the faults may make it empty or make its link repeat.
func (s *Server) page(c *call, context string, n int, row func(i int) map[string]any) {
	size, applied := s.pageSize(c.r, c.req.api)
	var tok pageToken
	if raw := c.req.query.Get("$skiptoken"); raw != "" {
		t, ok := parseSkiptoken(c.req.api, raw)
		if !ok || t.offset > n {
			c.fail(badRequest(c.req.api, "The $skiptoken is invalid."))
			return
		}
		tok = t
	}

	value := []map[string]any{}
	next := ""
	if tok.hop < c.fx.emptyHops {
		next = nextLink(c.r, c.req.api, pageToken{offset: tok.offset, hop: tok.hop + 1}, size)
	} else {
		end := min(tok.offset+size, n)
		for i := tok.offset; i < end; i++ {
			value = append(value, row(i))
		}
		if end < n {
			next = nextLink(c.r, c.req.api, pageToken{offset: end}, size)
		}
	}
	if c.fx.repeatLink {
		next = selfLink(c.r)
	}

	if c.req.api == apiDataverse {
		prefs := []string{}
		if applied != "" {
			prefs = append(prefs, applied)
		}
		if wantsAnnotations(c.r.Header.Values("Prefer")) {
			prefs = append(prefs, `odata.include-annotations="*"`)
		}
		if len(prefs) > 0 {
			c.w.Header().Set("Preference-Applied", strings.Join(prefs, ","))
		}
	}
	out := map[string]any{"@odata.context": context, "value": value}
	if next != "" {
		out["@odata.nextLink"] = next
	}
	c.json(out)
}

// onlyQuery fails the call when the request carries query options other than allowed
// (and $skiptoken), as the contract fixes every request's options.
func (c *call) onlyQuery(allowed ...string) bool {
	for name := range c.req.query {
		if name == "$skiptoken" || slices.Contains(allowed, name) {
			continue
		}
		msg := "Query option '" + name + "' is not supported by this request."
		c.fail(apiError{status: http.StatusBadRequest, code: badRequestCode(c.req.api),
			message: msg})
		return false
	}
	return true
}

func badRequestCode(a api) string {
	if a == apiGraph {
		return graphBadRequest
	}
	return dvBadRequest
}
