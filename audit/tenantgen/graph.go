package tenantgen

import (
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// Identities of the integration and the resources it is granted on. The ids of
// permissions Graph offers are Microsoft's (DOMAIN.md); object ids are tenant-local
// and generated.
const (
	integrationName  = "Dynamics 365 Microsoft Teams Collaboration Integration"
	microsoftTenant  = "f8cdef31-a31e-4b4a-93e4-5f571e91255a"
	dataverseAppID   = "00000007-0000-0000-c000-000000000000"
	userReadAllRole  = "df021288-bdef-4463-88db-98f22de89214"
	chatReadAllRole  = "6b7d71aa-70aa-4810-a8d9-5d9fb2830017"
	chatReadWriteApp = "294ce7c9-31ba-490a-ad7d-97a7d075e4ed"
	mailReadScope    = "570282fd-fa5c-430d-a7fd-fc8dc98a9dca"
	userReadScope    = "e1fe6dd8-ba31-4d61-89e7-88639da4683d"
	impersonation    = "78ce3f0f-a1ce-49c2-8cde-64b5c0896db4"
)

// documentedScopes is the tenant-wide delegated consent of a clean tenant.
var documentedScopes = []string{
	"Chat.ReadWrite.All", "Directory.Read.All", "Presence.Read.All", "User.ReadBasic.All",
}

// identities builds the integration's service principal, the resources it is granted
// on, and its grants, with the scope violations the options ask for.
func (g *gen) identities() {
	s := g.s
	s.Integration = &audit.ServicePrincipal{
		ID:                     g.a.guid(&g.r),
		AppID:                  audit.IntegrationAppID,
		DisplayName:            integrationName,
		AppOwnerOrganizationID: microsoftTenant,
		AccountEnabled:         new(true),
	}
	s.IntegrationMatchedBy = "appId"
	client := s.Integration.ID
	graph := g.graphPrincipal()
	s.Resources = append(s.Resources, graph)
	created := g.a.timestamp(collectedAt.Unix() - 700*86400)

	scopes := documentedScopes
	if g.on["SCOPE-01"] {
		// One scope too many and one too few: the shape of a consent someone edited.
		scopes = []string{"Chat.ReadWrite.All", "Directory.Read.All", "Mail.Read", "User.ReadBasic.All"}
	}
	tenantWide := audit.DelegatedGrant{
		ID: g.a.opaque(&g.r, 43), ClientID: client, ConsentType: "AllPrincipals",
		ResourceID: graph.ID, Scope: strings.Join(scopes, " "),
	}
	s.DelegatedGrants = append(s.DelegatedGrants, tenantWide)
	if g.on["SCOPE-01"] {
		g.plant("SCOPE-01", "delegatedGrant", tenantWide.ID, "Mail.Read")
		g.plant("SCOPE-01", "servicePrincipal", client, "missing:Presence.Read.All")
	}

	userRead := g.assignment(client, graph, userReadAllRole, created)
	s.AppRoleAssignments = append(s.AppRoleAssignments, userRead)
	if g.on["SCOPE-02"] {
		extra := g.assignment(client, graph, chatReadAllRole, created)
		unknownRole := g.a.guid(&g.r)
		unknown := g.assignment(client, graph, unknownRole, created)
		// Assigned with no permission: an all-zero role is not a grant and must not count.
		none := g.assignment(client, graph, audit.NoPermissionRoleID, created)
		s.AppRoleAssignments = append(s.AppRoleAssignments, extra, unknown, none)
		g.plant("SCOPE-02", "appRoleAssignment", extra.ID, "Chat.Read.All")
		g.plant("SCOPE-02", "appRoleAssignment", unknown.ID, "unknown role "+unknownRole)
	}
	if g.on["SCOPE-03"] {
		// A delegated-only permission held as Application: also one role too many.
		wrong := g.assignment(client, graph, chatReadWriteApp, created)
		s.AppRoleAssignments = append(s.AppRoleAssignments, wrong)
		g.plant("SCOPE-03", "appRoleAssignment", wrong.ID, "Chat.ReadWrite.All:Application")
		g.plant("SCOPE-02", "appRoleAssignment", wrong.ID, "Chat.ReadWrite.All")
	}
	if g.on["SCOPE-04"] {
		dataverse := g.dataversePrincipal()
		s.Resources = append(s.Resources, dataverse)
		grant := audit.DelegatedGrant{
			ID: g.a.opaque(&g.r, 43), ClientID: client, ConsentType: "AllPrincipals",
			ResourceID: dataverse.ID, Scope: "user_impersonation",
		}
		s.DelegatedGrants = append(s.DelegatedGrants, grant)
		g.plant("SCOPE-04", "delegatedGrant", grant.ID, dataverse.ID)
	}
}

// perUserGrant plants SCOPE-05: one user consented for themselves. Its scope is the
// documented one, so only the consent type is wrong.
func (g *gen) perUserGrant(principal string) {
	s := g.s
	grant := audit.DelegatedGrant{
		ID: g.a.opaque(&g.r, 43), ClientID: s.Integration.ID, ConsentType: "Principal",
		PrincipalID: principal, ResourceID: s.Resources[0].ID, Scope: strings.Join(documentedScopes, " "),
	}
	s.DelegatedGrants = append(s.DelegatedGrants, grant)
	g.plant("SCOPE-05", "delegatedGrant", grant.ID, principal)
}

func (g *gen) assignment(client string, resource audit.ServicePrincipal,
	role, created string) audit.AppRoleAssignment {
	return audit.AppRoleAssignment{
		ID: g.a.opaque(&g.r, 43), AppRoleID: role, PrincipalID: client,
		PrincipalType: "ServicePrincipal", ResourceID: resource.ID,
		ResourceDisplayName: resource.DisplayName, CreatedDateTime: created,
	}
}

// graphPrincipal is the tenant's Microsoft Graph service principal, with a catalogue
// that holds every permission of DOMAIN.md plus two the scope violations use.
func (g *gen) graphPrincipal() audit.ServicePrincipal {
	sp := audit.ServicePrincipal{
		ID: g.a.guid(&g.r), AppID: audit.GraphAppID, DisplayName: "Microsoft Graph",
		AppOwnerOrganizationID: microsoftTenant, AccountEnabled: new(true),
	}
	for _, p := range audit.GraphPermissions {
		if p.Application != "" {
			sp.AppRoles = append(sp.AppRoles, audit.AppRole{
				ID: p.Application, Value: p.Name,
				AllowedMemberTypes: []string{"Application"}, IsEnabled: new(true),
			})
		}
		if p.Delegated != "" {
			sp.OAuth2PermissionScopes = append(sp.OAuth2PermissionScopes, audit.PermissionScope{
				ID: p.Delegated, Value: p.Name, Type: "Admin", IsEnabled: new(true),
			})
		}
	}
	sp.OAuth2PermissionScopes = append(sp.OAuth2PermissionScopes,
		audit.PermissionScope{ID: mailReadScope, Value: "Mail.Read", Type: "User", IsEnabled: new(true)},
		audit.PermissionScope{ID: userReadScope, Value: "User.Read", Type: "User", IsEnabled: new(true)},
	)
	return sp
}

func (g *gen) dataversePrincipal() audit.ServicePrincipal {
	return audit.ServicePrincipal{
		ID: g.a.guid(&g.r), AppID: dataverseAppID, DisplayName: "Dataverse",
		AppOwnerOrganizationID: microsoftTenant, AccountEnabled: new(true),
		OAuth2PermissionScopes: []audit.PermissionScope{{
			ID: impersonation, Value: "user_impersonation", Type: "User", IsEnabled: new(true),
		}},
	}
}
