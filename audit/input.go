package audit

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The policy input is the snapshot joined for the rules (docs/policy-input.md):
// input.tenant is the tenant-wide context, the same in every evaluation; input.links
// and input.chatSync hold one batch of rows, each row already joined with its members,
// access checks, shares, creator and licence. Joining here, by index, keeps the Rego
// free of joins over the whole tenant, so cost grows linearly with the number of links.
// Go only joins and normalises; every judgement is the rules'.

// GraphAppID is Microsoft Graph's appId, the only way to recognise it.
const GraphAppID = "00000003-0000-0000-c000-000000000000"

// IntegrationAppID is the appId of "Dynamics 365 collaboration with Microsoft Teams".
const IntegrationAppID = "a8adde6c-aeb4-4fd6-9d8f-c2dfdecac60a"

// NoPermissionRoleID is the appRoleId meaning "assigned, no permission".
const NoPermissionRoleID = "00000000-0000-0000-0000-000000000000"

// index holds the snapshot's lookups, built once per scan.
type index struct {
	snap       *Snapshot
	resources  map[string]*ServicePrincipal // by object id
	usersByID  map[string]*SystemUser       // by systemuserid
	usersByAAD map[string]*SystemUser       // by Entra object id
	members    map[string]*Conversation     // by conversation id
	access     map[[2]string]*AccessCheck   // by systemuserid and recordid
	shares     map[string][]*Share          // by record id
	licences   map[string]*Licence          // by Entra object id
	terms      *rowTerms                    // shared parts of the row input
}

func newIndex(s *Snapshot) *index {
	ix := &index{
		snap:       s,
		resources:  make(map[string]*ServicePrincipal, len(s.Resources)),
		usersByID:  make(map[string]*SystemUser, len(s.Users)),
		usersByAAD: make(map[string]*SystemUser, len(s.Users)),
		members:    make(map[string]*Conversation, len(s.Members)),
		access:     make(map[[2]string]*AccessCheck, len(s.Access)),
		shares:     make(map[string][]*Share),
		licences:   make(map[string]*Licence, len(s.Licences)),
	}
	for i := range s.Resources {
		ix.resources[key(s.Resources[i].ID)] = &s.Resources[i]
	}
	for i := range s.Users {
		ix.usersByID[key(s.Users[i].SystemUserID)] = &s.Users[i]
		if aad := key(s.Users[i].AADObjectID); aad != "" {
			ix.usersByAAD[aad] = &s.Users[i]
		}
	}
	for i := range s.Members {
		ix.members[s.Members[i].ConversationID] = &s.Members[i]
	}
	for i := range s.Access {
		a := &s.Access[i]
		ix.access[[2]string{key(a.SystemUserID), key(a.RecordID)}] = a
	}
	for i := range s.Shares {
		sh := &s.Shares[i]
		ix.shares[key(sh.ObjectID)] = append(ix.shares[key(sh.ObjectID)], sh)
	}
	for i := range s.Licences {
		ix.licences[key(s.Licences[i].UserID)] = &s.Licences[i]
	}
	ix.terms = ix.newRowTerms()
	return ix
}

// key normalises an identifier for lookups: GUIDs come in either case.
func key(id string) string { return strings.ToLower(strings.TrimSpace(id)) }

// tenantInput is input.tenant.
func (ix *index) tenantInput() map[string]any {
	s := ix.snap
	sources := make(map[string]any, len(s.Sources))
	for name, src := range s.Sources {
		sources[string(name)] = map[string]any{"status": string(src.Status), "reason": src.Reason}
	}
	integration := map[string]any{"found": s.Integration != nil}
	if sp := s.Integration; sp != nil {
		integration["id"] = sp.ID
		integration["appId"] = sp.AppID
		integration["displayName"] = sp.DisplayName
		integration["matchedBy"] = s.IntegrationMatchedBy
		integration["appOwnerOrganizationId"] = sp.AppOwnerOrganizationID
		if sp.AccountEnabled != nil {
			integration["accountEnabled"] = *sp.AccountEnabled
		}
	}
	delegated := make([]any, 0, len(s.DelegatedGrants))
	for i := range s.DelegatedGrants {
		delegated = append(delegated, ix.delegatedInput(&s.DelegatedGrants[i]))
	}
	roles := make([]any, 0, len(s.AppRoleAssignments))
	for i := range s.AppRoleAssignments {
		roles = append(roles, ix.appRoleInput(&s.AppRoleAssignments[i]))
	}
	return map[string]any{
		"tenantId":           s.Tenant.TenantID,
		"graphAppId":         GraphAppID,
		"integration":        integration,
		"delegatedGrants":    delegated,
		"appRoleAssignments": roles,
		"sources":            sources,
		"counts": map[string]any{
			"chatLinks":    len(s.ChatLinks),
			"channelLinks": len(s.ChannelLinks),
			"links":        len(s.ChatLinks) + len(s.ChannelLinks),
			"chatSync":     len(s.ChatSync),
		},
	}
}

// resourceInput describes the resource a grant points at. A resource that cannot be
// resolved is marked unknown rather than guessed from the grant's display name.
func (ix *index) resourceInput(id, displayName string) (map[string]any, *ServicePrincipal) {
	sp := ix.resources[key(id)]
	if sp == nil {
		return map[string]any{"id": id, "known": false, "appId": "", "displayName": displayName}, nil
	}
	name := sp.DisplayName
	if name == "" {
		name = displayName
	}
	return map[string]any{"id": id, "known": true, "appId": key(sp.AppID), "displayName": name}, sp
}

func (ix *index) delegatedInput(g *DelegatedGrant) map[string]any {
	res, sp := ix.resourceInput(g.ResourceID, "")
	names := ParseScope(g.Scope)
	perms := make([]any, 0, len(names))
	for _, name := range names {
		id, canonical := resolveScope(sp, name)
		perms = append(perms, map[string]any{"name": canonical, "id": id, "type": "Delegated"})
	}
	return map[string]any{
		"id":          g.ID,
		"consentType": g.ConsentType,
		"principalId": g.PrincipalID,
		"resource":    res,
		"scope":       g.Scope,
		"permissions": perms,
	}
}

func (ix *index) appRoleInput(a *AppRoleAssignment) map[string]any {
	res, sp := ix.resourceInput(a.ResourceID, a.ResourceDisplayName)
	roleID := key(a.AppRoleID)
	return map[string]any{
		"id":              a.ID,
		"resource":        res,
		"createdDateTime": a.CreatedDateTime,
		"noPermission":    roleID == NoPermissionRoleID,
		"permission": map[string]any{
			"id":   roleID,
			"name": resolveRole(sp, roleID),
			"type": "Application",
		},
	}
}

// ParseScope splits a delegated grant's scope string into permission names. Graph
// separates them with spaces; stray whitespace and repeats are tolerated.
func ParseScope(scope string) []string {
	fields := strings.Fields(scope)
	seen := make(map[string]bool, len(fields))
	out := fields[:0]
	for _, f := range fields {
		if !seen[strings.ToLower(f)] {
			seen[strings.ToLower(f)] = true
			out = append(out, f)
		}
	}
	sort.Strings(out)
	return out
}

// resolveScope finds a delegated permission by name, ignoring case, first in the
// resource's own catalogue and then, for Microsoft Graph, in the built-in table. It
// returns the permission's id ("" when unknown) and its canonical name.
func resolveScope(sp *ServicePrincipal, name string) (id, canonical string) {
	if sp != nil {
		for _, s := range sp.OAuth2PermissionScopes {
			if strings.EqualFold(s.Value, name) {
				return key(s.ID), s.Value
			}
		}
	}
	if sp == nil || key(sp.AppID) == GraphAppID {
		for _, p := range GraphPermissions {
			if strings.EqualFold(p.Name, name) && p.Delegated != "" {
				return p.Delegated, p.Name
			}
		}
	}
	return "", name
}

// resolveRole names an application permission by its id: the resource's catalogue
// first, then, for Microsoft Graph, the built-in table. "" means unknown.
func resolveRole(sp *ServicePrincipal, id string) string {
	if sp != nil {
		for _, r := range sp.AppRoles {
			if key(r.ID) == id {
				return r.Value
			}
		}
	}
	if sp == nil || key(sp.AppID) == GraphAppID {
		for _, p := range GraphPermissions {
			if p.Application == id {
				return p.Name
			}
		}
	}
	return ""
}

// intIs reports whether p is v; an absent value counts as v (the column's default).
func intIs(p *int, v int) bool { return p == nil || *p == v }

// ParseAccessRights splits "ReadAccess, WriteAccess" into names.
func ParseAccessRights(s string) []any {
	out := []any{}
	for _, r := range strings.Split(s, ",") {
		if r = strings.TrimSpace(r); r != "" && r != "None" {
			out = append(out, r)
		}
	}
	return out
}

// WritePolicyInput writes the policy input for the whole snapshot as one JSON document:
// input.tenant with every link in input.links and every chat sync row in input.chatSync.
// It is what an external evaluator (opa eval) needs to run the same rules over the same
// evidence; the engine itself never builds it, as it evaluates one batch at a time.
func WritePolicyInput(w io.Writer, s *Snapshot) error {
	if err := s.Validate(); err != nil {
		return err
	}
	ix := newIndex(s)
	bw := bufio.NewWriterSize(w, 1<<20)
	enc := json.NewEncoder(bw)
	write := func(t *ast.Term) error {
		j, err := ast.JSON(t.Value)
		if err != nil {
			return err
		}
		return enc.Encode(j)
	}
	tenant, err := ast.InterfaceToValue(ix.tenantInput())
	if err != nil {
		return fmt.Errorf("policy input: %w", err)
	}
	bw.WriteString(`{"tenant":`)
	if err := write(ast.NewTerm(tenant)); err != nil {
		return fmt.Errorf("policy input: %w", err)
	}
	rows := []struct {
		name string
		n    int
		row  func(i int) *ast.Term
	}{
		{`,"links":[`, len(s.ChatLinks), func(i int) *ast.Term {
			return ix.chatLinkTerm(&s.ChatLinks[i])
		}},
		{``, len(s.ChannelLinks), func(i int) *ast.Term {
			return ix.channelLinkTerm(&s.ChannelLinks[i])
		}},
		{`],"chatSync":[`, len(s.ChatSync), func(i int) *ast.Term {
			return ix.chatSyncTerm(&s.ChatSync[i])
		}},
	}
	sep := ""
	for _, r := range rows {
		if r.name != "" {
			bw.WriteString(r.name)
			sep = ""
		}
		for i := 0; i < r.n; i++ {
			bw.WriteString(sep)
			sep = ","
			if err := write(r.row(i)); err != nil {
				return fmt.Errorf("policy input: %w", err)
			}
		}
	}
	bw.WriteString("]}\n")
	return bw.Flush()
}
