package faketenant

import (
	"hash/fnv"
	"net/url"
	"regexp"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// teams1PlanID is the Teams service plan (TEAMS1) whose enabled assignment means a
// Teams licence.
const teams1PlanID = "57ff2da0-773e-42df-b2af-ffb7a2317929"

// exchangePlanID is an unrelated plan, present so a client must pick TEAMS1 out.
const exchangePlanID = "efb87545-963c-4e0d-99df-69c6916d9eb0"

func graphContext(c *call, fragment string) string {
	return baseURL(c.r) + graphPrefix + "/$metadata#" + fragment
}

var (
	appIDFilter = regexp.MustCompile(`^appId eq '((?:[^']|'')*)'$`)
	nameFilter  = regexp.MustCompile(`^displayName eq '((?:[^']|'')*)'$`)
)

func (s *Server) servicePrincipalsByAppID(c *call) {
	s.servicePrincipalsWhere(c, appIDFilter, func(sp *audit.ServicePrincipal, v string) bool {
		return key(sp.AppID) == key(v)
	})
}

func (s *Server) servicePrincipalsByName(c *call) {
	s.servicePrincipalsWhere(c, nameFilter, func(sp *audit.ServicePrincipal, v string) bool {
		return strings.EqualFold(sp.DisplayName, v)
	})
}

func (s *Server) servicePrincipalsWhere(c *call, filter *regexp.Regexp,
	match func(*audit.ServicePrincipal, string) bool) {
	if !c.onlyQuery("$filter") {
		return
	}
	m := filter.FindStringSubmatch(c.req.query.Get("$filter"))
	if m == nil {
		c.fail(badRequest(apiGraph, "Invalid filter clause"))
		return
	}
	want := strings.ReplaceAll(m[1], "''", "'")
	rows := []map[string]any{}
	for _, sp := range s.ix.sps {
		if match(sp, want) {
			rows = append(rows, servicePrincipalJSON(sp))
		}
	}
	s.pageOf(c, graphContext(c, "servicePrincipals"), rows)
}

// servicePrincipalJSON is a servicePrincipal as Graph sends it without $select: the
// evidence fields plus a few that the collector does not read.
func servicePrincipalJSON(sp *audit.ServicePrincipal) map[string]any {
	out := map[string]any{
		"id":                     sp.ID,
		"appId":                  sp.AppID,
		"displayName":            nullable(sp.DisplayName),
		"appDisplayName":         nullable(sp.DisplayName),
		"appOwnerOrganizationId": nullable(sp.AppOwnerOrganizationID),
		"accountEnabled":         sp.AccountEnabled,
		"appRoles":               orEmpty(sp.AppRoles),
		"oauth2PermissionScopes": orEmpty(sp.OAuth2PermissionScopes),
		"deletedDateTime":        nil,
		"servicePrincipalType":   "Application",
		"tags":                   []string{},
	}
	return out
}

func (s *Server) servicePrincipal(c *call) {
	if !c.onlyQuery("$select") {
		return
	}
	sp := s.ix.spByID[key(c.req.ids[0])]
	if sp == nil {
		c.fail(notFound(apiGraph, c.req.ids[0]))
		return
	}
	body := servicePrincipalJSON(sp)
	ctx := "servicePrincipals/$entity"
	if sel := c.req.query.Get("$select"); sel != "" {
		picked, bad := selectFields(body, sel)
		if bad != "" {
			c.fail(badRequest(apiGraph, "Could not find a property named '"+bad+
				"' on type 'microsoft.graph.servicePrincipal'."))
			return
		}
		body, ctx = picked, "servicePrincipals("+sel+")/$entity"
	}
	c.entity(graphContext(c, ctx), body)
}

func (s *Server) delegatedGrants(c *call) {
	if !c.onlyQuery() || !s.knownSP(c) {
		return
	}
	rows := []map[string]any{}
	for _, g := range s.ix.snap.DelegatedGrants {
		if key(g.ClientID) == key(c.req.ids[0]) {
			rows = append(rows, map[string]any{
				"id": g.ID, "clientId": g.ClientID, "consentType": g.ConsentType,
				"principalId": nullable(g.PrincipalID), "resourceId": g.ResourceID,
				"scope": g.Scope,
			})
		}
	}
	s.pageOf(c, graphContext(c, "oauth2PermissionGrants"), rows)
}

func (s *Server) appRoleAssignments(c *call) {
	if !c.onlyQuery() || !s.knownSP(c) {
		return
	}
	sp := s.ix.spByID[key(c.req.ids[0])]
	rows := []map[string]any{}
	for _, a := range s.ix.snap.AppRoleAssignments {
		if key(a.PrincipalID) == key(sp.ID) {
			rows = append(rows, map[string]any{
				"id": a.ID, "deletedDateTime": nil, "appRoleId": a.AppRoleID,
				"createdDateTime": nullable(a.CreatedDateTime), "principalId": a.PrincipalID,
				"principalDisplayName": nullable(sp.DisplayName),
				"principalType":        nullable(a.PrincipalType), "resourceId": a.ResourceID,
				"resourceDisplayName": nullable(a.ResourceDisplayName),
			})
		}
	}
	s.pageOf(c, graphContext(c, "servicePrincipals('"+sp.ID+"')/appRoleAssignments"), rows)
}

func (s *Server) knownSP(c *call) bool {
	if s.ix.spByID[key(c.req.ids[0])] == nil {
		c.fail(notFound(apiGraph, c.req.ids[0]))
		return false
	}
	return true
}

func (s *Server) chatMembers(c *call) {
	id := c.req.ids[0]
	s.members(c, s.ix.chats[id], id, "chats('"+url.PathEscape(id)+"')/members")
}

func (s *Server) channelMembers(c *call) {
	team, channel := c.req.ids[0], c.req.ids[1]
	conv := s.ix.channels[key(team)+"|"+channel]
	s.members(c, conv, channel, "teams('"+team+"')/channels('"+
		url.PathEscape(channel)+"')/members")
}

// members answers a conversation's members; Graph accepts no query options here.
func (s *Server) members(c *call, conv *audit.Conversation, id, ctx string) {
	if !c.onlyQuery() {
		return
	}
	switch {
	case conv == nil:
		c.fail(notFound(apiGraph, id))
		return
	case conv.Error != "":
		c.fail(evidenceError(apiGraph, conv.Error, id))
		return
	}
	rows := make([]map[string]any, 0, len(conv.Members))
	for _, m := range conv.Members {
		rows = append(rows, map[string]any{
			"@odata.type":                 "#microsoft.graph.aadUserConversationMember",
			"id":                          m.ID,
			"roles":                       orEmpty(m.Roles),
			"displayName":                 nullable(m.DisplayName),
			"visibleHistoryStartDateTime": "0001-01-01T00:00:00Z",
			"userId":                      nullable(m.UserID),
			"email":                       nullable(m.Email),
			"tenantId":                    nullable(m.TenantID),
		})
	}
	s.pageOf(c, graphContext(c, ctx), rows)
}

// user answers a link creator. A licence the snapshot could not read is a user that
// is not there.
func (s *Server) user(c *call) {
	if !c.onlyQuery("$select") {
		return
	}
	id := c.req.ids[0]
	l := s.ix.licences[key(id)]
	if l == nil || l.Error != "" {
		c.fail(notFound(apiGraph, id))
		return
	}
	body := map[string]any{
		"id": l.UserID, "userPrincipalName": nullable(l.UserPrincipalName),
		"accountEnabled": l.AccountEnabled, "assignedPlans": assignedPlans(l),
		"displayName": nil, "mail": nil,
	}
	ctx := "users/$entity"
	if sel := c.req.query.Get("$select"); sel != "" {
		picked, bad := selectFields(body, sel)
		if bad != "" {
			c.fail(badRequest(apiGraph, "Could not find a property named '"+bad+
				"' on type 'microsoft.graph.user'."))
			return
		}
		body, ctx = picked, "users("+sel+")/$entity"
	}
	c.entity(graphContext(c, ctx), body)
}

// assignedPlans always holds an unrelated plan. Without a Teams licence, half of the
// users (by a hash of their id) still carry TEAMS1, but deleted, so a client that
// ignores capabilityStatus is caught.
func assignedPlans(l *audit.Licence) []map[string]any {
	plan := func(id, service, status string) map[string]any {
		return map[string]any{"assignedDateTime": "2024-01-15T09:30:00Z",
			"capabilityStatus": status, "service": service, "servicePlanId": id}
	}
	plans := []map[string]any{plan(exchangePlanID, "exchange", "Enabled")}
	h := fnv.New32a()
	h.Write([]byte(key(l.UserID)))
	switch {
	case l.TeamsEnabled:
		plans = append(plans, plan(teams1PlanID, "TeamspaceAPI", "Enabled"))
	case h.Sum32()%2 == 0:
		plans = append(plans, plan(teams1PlanID, "TeamspaceAPI", "Deleted"))
	}
	return plans
}

// selectFields keeps the $select'ed fields of body, and names the first unknown one.
func selectFields(body map[string]any, sel string) (map[string]any, string) {
	out := map[string]any{}
	for _, f := range strings.Split(sel, ",") {
		f = strings.TrimSpace(f)
		v, ok := body[f]
		if !ok {
			return nil, f
		}
		out[f] = v
	}
	return out, ""
}

// nullable is nil for an empty string, as the services send null, not "".
func nullable(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// orEmpty is an empty JSON array for a nil slice, as the services send [] not null.
func orEmpty[T any](v []T) []T {
	if v == nil {
		return []T{}
	}
	return v
}
