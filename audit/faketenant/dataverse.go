package faketenant

import (
	"bytes"
	"encoding/json"
	"regexp"
	"slices"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func dataverseContext(c *call, fragment string) string {
	return baseURL(c.r) + dataversePrefix + "/$metadata#" + fragment
}

// The typed columns of each link table. Dataverse sends every column, null when
// empty; the fake sends null for these, whose decoding is known to keep them empty.
var (
	chatLinkColumns = []string{"msdyn_teamschatassociationid", "msdyn_teamschatassociationname",
		"msdyn_teamschatid", "msdyn_regardingobjectid", "msdyn_regardingobjectname",
		"msdyn_entityrecordstate", "statecode", "createdon", "_createdby_value"}
	channelLinkColumns = []string{"msdyn_teamscollaborationid", "regardingobjectid",
		"regardingobjecttypename", "msdyn_teamid", "msdyn_groupid", "msdyn_channelid",
		"msdyn_channelname", "msdyn_teamname", "msdyn_teamsiteurl", "msdyn_tenantid",
		"statecode", "createdon", "_createdby_value"}
	chatSyncColumns = []string{"activityid", "subject", "description",
		"activityadditionalparams", "teamschatid", "_regardingobjectid_value", "statecode",
		"createdon"}
)

func (s *Server) chatLinks(c *call) {
	if !c.onlyQuery() {
		return
	}
	links := s.ix.snap.ChatLinks
	s.page(c, dataverseContext(c, "msdyn_teamschatassociations"), len(links),
		func(i int) map[string]any {
			return s.row(c, links[i].Columns(), chatLinkColumns, links[i].ID, activeStates)
		})
}

func (s *Server) channelLinks(c *call) {
	if !c.onlyQuery() {
		return
	}
	links := s.ix.snap.ChannelLinks
	s.page(c, dataverseContext(c, "msdyn_teamscollaborations"), len(links),
		func(i int) map[string]any {
			return s.row(c, links[i].Columns(), channelLinkColumns, links[i].ID, activeStates)
		})
}

// chatSync answers the chat activities that carry a Teams chat id; the filter is
// evaluated, so a row without one is not served.
func (s *Server) chatSync(c *call) {
	if !c.onlyQuery("$filter") {
		return
	}
	if f := c.req.query.Get("$filter"); f != "teamschatid ne null" {
		c.fail(badRequest(apiDataverse, "The fake tenant does not evaluate $filter="+f+"."))
		return
	}
	var synced []*audit.ChatActivity
	for i := range s.ix.snap.ChatSync {
		if a := &s.ix.snap.ChatSync[i]; a.TeamsChatID != "" {
			synced = append(synced, a)
		}
	}
	s.page(c, dataverseContext(c, "chats"), len(synced), func(i int) map[string]any {
		return s.row(c, synced[i].Columns(), chatSyncColumns, synced[i].ID, activityStates)
	})
}

func (s *Server) systemUsers(c *call) {
	if !c.onlyQuery("$select") {
		return
	}
	users := s.ix.snap.Users
	s.selectedPage(c, "systemusers", "systemuser", len(users), func(i int) map[string]any {
		return s.row(c, toColumns(&users[i]), nil, users[i].SystemUserID, nil)
	})
}

var inFilter = regexp.MustCompile(`^Microsoft\.Dynamics\.CRM\.In\(PropertyName='objectid',\s*` +
	`PropertyValues=\[(.*)\]\)$`)

// maxInValues is the most record ids the contract puts in one In filter.
const maxInValues = 50

func (s *Server) shares(c *call) {
	if !c.onlyQuery("$select", "$filter") {
		return
	}
	m := inFilter.FindStringSubmatch(c.req.query.Get("$filter"))
	if m == nil {
		c.fail(badRequest(apiDataverse, "The fake tenant does not evaluate $filter="+
			c.req.query.Get("$filter")+"."))
		return
	}
	ids, ok := quotedList(m[1])
	if !ok || len(ids) > maxInValues {
		c.fail(badRequest(apiDataverse, "PropertyValues must be a list of at most 50 ids."))
		return
	}
	want := map[string]bool{}
	for _, id := range ids {
		want[key(id)] = true
	}
	var shares []*audit.Share
	for i := range s.ix.snap.Shares {
		if sh := &s.ix.snap.Shares[i]; want[key(sh.ObjectID)] {
			shares = append(shares, sh)
		}
	}
	s.selectedPage(c, "principalobjectaccessset", "principalobjectaccess", len(shares),
		func(i int) map[string]any {
			return s.row(c, toColumns(shares[i]), nil, shares[i].ID, nil)
		})
}

// quotedList parses 'a','b',... as OData writes a list of string literals.
func quotedList(s string) ([]string, bool) {
	var out []string
	for _, item := range strings.Split(s, ",") {
		item = strings.TrimSpace(item)
		if len(item) < 2 || item[0] != '\'' || item[len(item)-1] != '\'' {
			return nil, false
		}
		out = append(out, item[1:len(item)-1])
	}
	return out, true
}

// selectedPage narrows rows to the $select'ed columns, null when a row lacks one, and
// answers a page of them.
func (s *Server) selectedPage(c *call, set, table string, n int,
	row func(i int) map[string]any) {
	sel := c.req.query.Get("$select")
	if sel == "" {
		s.page(c, dataverseContext(c, set), n, row)
		return
	}
	cols := strings.Split(sel, ",")
	known := schemaOf(table)
	for _, col := range cols {
		if !known[col] {
			c.fail(badRequest(apiDataverse, "Could not find a property named '"+col+
				"' on type 'Microsoft.Dynamics.CRM."+table+"'."))
			return
		}
	}
	s.page(c, dataverseContext(c, set+"("+sel+")"), n, func(i int) map[string]any {
		picked := map[string]any{}
		for name, v := range row(i) {
			base, _, _ := strings.Cut(name, "@")
			if name == "@odata.etag" || slices.Contains(cols, base) {
				picked[name] = v
			}
		}
		for _, col := range cols {
			if _, ok := picked[col]; !ok {
				picked[col] = nil
			}
		}
		return picked
	})
}

// schemaOf lists the columns $select may name on the tables D4 and D7 read.
func schemaOf(table string) map[string]bool {
	cols := map[string][]string{
		"systemuser": {"systemuserid", "azureactivedirectoryobjectid", "applicationid",
			"isdisabled", "fullname", "domainname"},
		"principalobjectaccess": {"principalobjectaccessid", "objectid", "objecttypecode",
			"principalid", "principaltypecode", "accessrightsmask",
			"inheritedaccessrightsmask", "changedon"},
	}[table]
	out := make(map[string]bool, len(cols))
	for _, c := range cols {
		out[c] = true
	}
	return out
}

// toColumns turns an evidence struct into its flat column map.
func toColumns(v any) map[string]any {
	var out map[string]any
	d := json.NewDecoder(bytes.NewReader(mustJSON(v)))
	d.UseNumber()
	_ = d.Decode(&out)
	return out
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err) // only called with evidence types, which always marshal
	}
	return b
}

func (s *Server) entityDefinitions(c *call) {
	if !c.onlyQuery("$select") {
		return
	}
	sel := c.req.query.Get("$select")
	cols := strings.Split(sel, ",")
	for _, col := range cols {
		if col != "LogicalName" && col != "EntitySetName" && col != "MetadataId" {
			c.fail(badRequest(apiDataverse, "Could not find a property named '"+col+
				"' on type 'Microsoft.Dynamics.CRM.EntityMetadata'."))
			return
		}
	}
	value := []map[string]any{}
	for _, table := range s.ix.tables() {
		value = append(value, map[string]any{"LogicalName": table,
			"EntitySetName": s.ix.setOf[table], "MetadataId": guidOf("entity:" + table)})
	}
	c.json(map[string]any{
		"@odata.context": dataverseContext(c, "EntityDefinitions("+sel+")"),
		"value":          value,
	})
}

var targetParam = regexp.MustCompile(`^\{'@odata\.id':'([A-Za-z0-9_]+)\(([^)]+)\)'\}$`)

// principalAccess answers RetrievePrincipalAccess from the snapshot's access checks.
func (s *Server) principalAccess(c *call) {
	if !c.onlyQuery("@tid") {
		return
	}
	m := targetParam.FindStringSubmatch(c.req.query.Get("@tid"))
	if m == nil {
		c.fail(badRequest(apiDataverse, "The parameter alias @tid is not a valid target."))
		return
	}
	set, record, user := m[1], m[2], c.req.ids[0]
	table, ok := s.ix.tableOf[set]
	if !ok {
		c.fail(unknownSegment(apiDataverse, set))
		return
	}
	a := s.ix.access[key(user)+"|"+key(record)]
	switch {
	case a == nil || !strings.EqualFold(a.RecordTable, table):
		c.fail(notFound(apiDataverse, record))
	case a.Error != "":
		c.fail(evidenceError(apiDataverse, a.Error, record))
	default:
		c.json(map[string]any{
			"@odata.context": dataverseContext(c,
				"Microsoft.Dynamics.CRM.RetrievePrincipalAccessResponse"),
			"AccessRights": a.AccessRights,
		})
	}
}
