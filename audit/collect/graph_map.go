package collect

import (
	"strings"
	"time"

	"github.com/google/uuid"
	"github.com/microsoftgraph/msgraph-sdk-go/models"
	"github.com/teamschat-audit/teamschat-audit/audit"
)

// The SDK's getters return nil for every absent field; these turn Graph objects into
// evidence without ever dereferencing one, an absent value becoming an empty one.

// teamsServicePlanID is the TEAMS1 service plan: a user holding it enabled can use Teams.
const teamsServicePlanID = "57ff2da0-773e-42df-b2af-ffb7a2317929"

func str(p *string) string {
	if p == nil {
		return ""
	}
	return *p
}

func uuidStr(p *uuid.UUID) string {
	if p == nil {
		return ""
	}
	return p.String()
}

func boolPtr(p *bool) *bool {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}

func servicePrincipal(m models.ServicePrincipalable) audit.ServicePrincipal {
	s := audit.ServicePrincipal{
		ID:                     str(m.GetId()),
		AppID:                  str(m.GetAppId()),
		DisplayName:            str(m.GetDisplayName()),
		AppOwnerOrganizationID: uuidStr(m.GetAppOwnerOrganizationId()),
		AccountEnabled:         boolPtr(m.GetAccountEnabled()),
	}
	for _, r := range m.GetAppRoles() {
		if r == nil {
			continue
		}
		s.AppRoles = append(s.AppRoles, audit.AppRole{
			ID: uuidStr(r.GetId()), Value: str(r.GetValue()),
			AllowedMemberTypes: r.GetAllowedMemberTypes(), IsEnabled: boolPtr(r.GetIsEnabled()),
		})
	}
	for _, p := range m.GetOauth2PermissionScopes() {
		if p == nil {
			continue
		}
		s.OAuth2PermissionScopes = append(s.OAuth2PermissionScopes, audit.PermissionScope{
			ID: uuidStr(p.GetId()), Value: str(p.GetValue()),
			Type: str(p.GetTypeEscaped()), IsEnabled: boolPtr(p.GetIsEnabled()),
		})
	}
	return s
}

func appRoleAssignment(m models.AppRoleAssignmentable) audit.AppRoleAssignment {
	a := audit.AppRoleAssignment{
		ID:                  str(m.GetId()),
		AppRoleID:           uuidStr(m.GetAppRoleId()),
		PrincipalID:         uuidStr(m.GetPrincipalId()),
		PrincipalType:       str(m.GetPrincipalType()),
		ResourceID:          uuidStr(m.GetResourceId()),
		ResourceDisplayName: str(m.GetResourceDisplayName()),
	}
	if t := m.GetCreatedDateTime(); t != nil {
		a.CreatedDateTime = t.UTC().Format(time.RFC3339Nano)
	}
	return a
}

// member keeps what Graph says of a conversation member. Graph sends members as
// aadUserConversationMember; one that arrives untyped still carries its userId in the
// additional data, and is read from there rather than dropped.
func member(m models.ConversationMemberable) audit.Member {
	out := audit.Member{
		ID:          str(m.GetId()),
		DisplayName: str(m.GetDisplayName()),
		Roles:       m.GetRoles(),
	}
	if aad, ok := m.(models.AadUserConversationMemberable); ok {
		out.UserID = str(aad.GetUserId())
		out.Email = str(aad.GetEmail())
		out.TenantID = str(aad.GetTenantId())
		return out
	}
	extra := m.GetAdditionalData()
	out.UserID = extraString(extra, "userId")
	out.Email = extraString(extra, "email")
	out.TenantID = extraString(extra, "tenantId")
	return out
}

func extraString(m map[string]any, key string) string {
	switch v := m[key].(type) {
	case *string:
		return str(v)
	case string:
		return v
	}
	return ""
}

func licence(userID string, m models.Userable) audit.Licence {
	l := audit.Licence{
		UserID:            userID,
		UserPrincipalName: str(m.GetUserPrincipalName()),
		AccountEnabled:    boolPtr(m.GetAccountEnabled()),
	}
	for _, p := range m.GetAssignedPlans() {
		if p == nil {
			continue
		}
		if strings.EqualFold(uuidStr(p.GetServicePlanId()), teamsServicePlanID) &&
			str(p.GetCapabilityStatus()) == "Enabled" {
			l.TeamsEnabled = true
		}
	}
	return l
}
