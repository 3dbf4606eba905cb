package collect

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"github.com/microsoftgraph/msgraph-sdk-go/models"
	sp "github.com/microsoftgraph/msgraph-sdk-go/serviceprincipals"
	"github.com/teamschat-audit/teamschat-audit/audit"
)

// IntegrationDisplayName is the name the FAQ gives the integration's enterprise app,
// the fallback when no service principal has the expected appId.
const IntegrationDisplayName = "Dynamics 365 Microsoft Teams Collaboration Integration"

// resourceSelect is what the controls read of a resource service principal.
// accountEnabled is more than wire.md's G5 names: a disabled resource is evidence too.
var resourceSelect = []string{"id", "appId", "displayName", "appOwnerOrganizationId",
	"accountEnabled", "appRoles", "oauth2PermissionScopes"}

func (c *graphClient) servicePrincipals() *sp.ServicePrincipalsRequestBuilder {
	return sp.NewServicePrincipalsRequestBuilderInternal(c.params(), c.adapter)
}

// findServicePrincipals lists the service principals matching an OData filter.
func (c *graphClient) findServicePrincipals(ctx context.Context, filter string) (
	[]audit.ServicePrincipal, *shortfall) {
	b := c.servicePrincipals()
	cfg := &sp.ServicePrincipalsRequestBuilderGetRequestConfiguration{
		QueryParameters: &sp.ServicePrincipalsRequestBuilderGetQueryParameters{Filter: &filter},
	}
	var out []audit.ServicePrincipal
	short := pageGraph(ctx, c, needServicePrincipals,
		func(ctx context.Context) (models.ServicePrincipalCollectionResponseable, error) {
			return b.Get(ctx, cfg)
		},
		func(ctx context.Context, link string) (models.ServicePrincipalCollectionResponseable, error) {
			return b.WithUrl(link).Get(ctx, nil)
		},
		func(m models.ServicePrincipalable) bool {
			if m != nil {
				out = append(out, servicePrincipal(m))
			}
			return true
		})
	return out, short
}

// findIntegration looks the integration up by appId, then by its display name. More
// than one match by name is ambiguous and left to the user to settle with --app-id.
func (c *graphClient) findIntegration(ctx context.Context, appID string) (
	*audit.ServicePrincipal, string, *shortfall) {
	found, short := c.findServicePrincipals(ctx, "appId eq '"+odataString(appID)+"'")
	if short != nil {
		return nil, "", short
	}
	if len(found) > 0 {
		return &found[0], "appId", nil
	}
	found, short = c.findServicePrincipals(ctx,
		"displayName eq '"+odataString(IntegrationDisplayName)+"'")
	switch {
	case short != nil:
		return nil, "", short
	case len(found) == 0:
		return nil, "", nil
	case len(found) > 1:
		return nil, "", &shortfall{status: audit.StatusIncomplete, reason: fmt.Sprintf("%d service principals "+
			"are named %q and none has appId %s: pass the right one with --app-id",
			len(found), IntegrationDisplayName, appID)}
	}
	return &found[0], "displayName", nil
}

func (c *graphClient) delegatedGrants(ctx context.Context, spID string) (
	[]audit.DelegatedGrant, *shortfall) {
	b := c.servicePrincipals().ByServicePrincipalId(spID).Oauth2PermissionGrants()
	var out []audit.DelegatedGrant
	short := pageGraph(ctx, c, needServicePrincipals,
		func(ctx context.Context) (models.OAuth2PermissionGrantCollectionResponseable, error) {
			return b.Get(ctx, nil)
		},
		func(ctx context.Context, link string) (models.OAuth2PermissionGrantCollectionResponseable, error) {
			return b.WithUrl(link).Get(ctx, nil)
		},
		func(m models.OAuth2PermissionGrantable) bool {
			if m != nil {
				out = append(out, audit.DelegatedGrant{
					ID: str(m.GetId()), ClientID: str(m.GetClientId()),
					ConsentType: str(m.GetConsentType()), PrincipalID: str(m.GetPrincipalId()),
					ResourceID: str(m.GetResourceId()), Scope: str(m.GetScope()),
				})
			}
			return true
		})
	return out, short
}

func (c *graphClient) appRoleAssignments(ctx context.Context, spID string) (
	[]audit.AppRoleAssignment, *shortfall) {
	b := c.servicePrincipals().ByServicePrincipalId(spID).AppRoleAssignments()
	var out []audit.AppRoleAssignment
	short := pageGraph(ctx, c, needServicePrincipals,
		func(ctx context.Context) (models.AppRoleAssignmentCollectionResponseable, error) {
			return b.Get(ctx, nil)
		},
		func(ctx context.Context, link string) (models.AppRoleAssignmentCollectionResponseable, error) {
			return b.WithUrl(link).Get(ctx, nil)
		},
		func(m models.AppRoleAssignmentable) bool {
			if m != nil {
				out = append(out, appRoleAssignment(m))
			}
			return true
		})
	return out, short
}

// resource reads one service principal that a grant points at. A resource that no
// longer exists is recorded by its absence: the controls then see it as unknown.
func (c *graphClient) resource(ctx context.Context, id string) (
	*audit.ServicePrincipal, bool, *shortfall) {
	b := c.servicePrincipals().ByServicePrincipalId(id)
	cfg := &sp.ServicePrincipalItemRequestBuilderGetRequestConfiguration{
		QueryParameters: &sp.ServicePrincipalItemRequestBuilderGetQueryParameters{
			Select: resourceSelect,
		},
	}
	m, notFound, short := graphGet(ctx, c, needServicePrincipals,
		func(ctx context.Context) (models.ServicePrincipalable, error) { return b.Get(ctx, cfg) })
	if short != nil {
		return nil, notFound, short
	}
	s := servicePrincipal(m)
	return &s, false, nil
}

// resourceIDs lists the distinct resources the grants point at, in a stable order.
func resourceIDs(d []audit.DelegatedGrant, a []audit.AppRoleAssignment) []string {
	seen := map[string]bool{}
	var ids []string
	add := func(id string) {
		k := strings.ToLower(strings.TrimSpace(id))
		if k != "" && !seen[k] {
			seen[k] = true
			ids = append(ids, id)
		}
	}
	for _, g := range d {
		add(g.ResourceID)
	}
	for _, g := range a {
		add(g.ResourceID)
	}
	sort.Strings(ids)
	return ids
}

// odataString escapes a value for a single-quoted OData string literal.
func odataString(s string) string { return strings.ReplaceAll(s, "'", "''") }
