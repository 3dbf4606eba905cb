// Package audit holds the evidence model of a tenant, the engine that evaluates the
// Rego controls over it, and the results those controls produce.
//
// The evidence types are plain Go, independent of any SDK, and are what a snapshot
// file holds (docs/snapshot.md). Graph objects keep Graph's field names; Dataverse rows
// keep Dataverse's column names, and columns the model does not know are kept too,
// because the tables are internal to Microsoft and their schema moves.
package audit

import (
	"encoding/json"
	"time"
)

// SchemaVersion is the version of the snapshot format this build reads and writes.
const SchemaVersion = 1

// Snapshot is everything the controls look at, collected from one tenant.
type Snapshot struct {
	SchemaVersion int       `json:"schemaVersion"`
	CollectedAt   time.Time `json:"collectedAt"`
	Tenant        Tenant    `json:"tenant"`
	// Sources records, per evidence source, whether it was collected completely.
	Sources map[SourceName]*Source `json:"sources"`

	// Integration is the integration's enterprise app; nil when the tenant has none.
	Integration *ServicePrincipal `json:"integration"`
	// IntegrationMatchedBy says how Integration was found: "appId" or "displayName".
	IntegrationMatchedBy string `json:"integrationMatchedBy,omitempty"`
	// Resources are the service principals that the integration's grants point at.
	Resources          []ServicePrincipal  `json:"resources"`
	DelegatedGrants    []DelegatedGrant    `json:"delegatedGrants"`
	AppRoleAssignments []AppRoleAssignment `json:"appRoleAssignments"`

	ChatLinks    []ChatLink     `json:"chatLinks"`
	ChannelLinks []ChannelLink  `json:"channelLinks"`
	ChatSync     []ChatActivity `json:"chatSync"`

	Members  []Conversation `json:"members"`
	Access   []AccessCheck  `json:"access"`
	Shares   []Share        `json:"shares"`
	Users    []SystemUser   `json:"users"`
	Licences []Licence      `json:"licences"`
}

// Tenant names where the evidence came from.
type Tenant struct {
	TenantID     string `json:"tenantId,omitempty"`
	DataverseURL string `json:"dataverseUrl,omitempty"`
	GraphURL     string `json:"graphUrl,omitempty"`
	// AppID is the integration appId that was looked for.
	AppID string `json:"appId,omitempty"`
}

// SourceName names one evidence source. Controls name the sources they depend on in
// their metadata (custom.sources), and a control whose source is not complete is an error.
type SourceName string

const (
	SourceIntegration  SourceName = "integration"
	SourceDelegated    SourceName = "delegatedGrants"
	SourceAppRoles     SourceName = "appRoleAssignments"
	SourceResources    SourceName = "resources"
	SourceChatLinks    SourceName = "chatLinks"
	SourceChannelLinks SourceName = "channelLinks"
	SourceChatSync     SourceName = "chatSync"
	SourceMembers      SourceName = "members"
	SourceAccess       SourceName = "access"
	SourceShares       SourceName = "shares"
	SourceUsers        SourceName = "users"
	SourceLicences     SourceName = "licences"
)

// AllSources lists every source in the order reports show them.
var AllSources = []SourceName{
	SourceIntegration, SourceResources, SourceDelegated, SourceAppRoles,
	SourceChatLinks, SourceChannelLinks, SourceChatSync,
	SourceMembers, SourceUsers, SourceAccess, SourceShares, SourceLicences,
}

// Status is how completely a source was collected.
type Status string

const (
	StatusComplete     Status = "complete"
	StatusIncomplete   Status = "incomplete"
	StatusError        Status = "error"
	StatusNotCollected Status = "not_collected"
)

// Source is the collection record of one evidence source.
type Source struct {
	Status Status `json:"status"`
	// Reason says why a source is not complete, and what would fix it.
	Reason   string `json:"reason,omitempty"`
	Items    int    `json:"items"`
	Requests int    `json:"requests,omitempty"`
	Retries  int    `json:"retries,omitempty"`
	Pages    int    `json:"pages,omitempty"`
	WaitMS   int64  `json:"waitMs,omitempty"`
	// Reused counts the items, of Items, taken from an earlier scan's evidence instead
	// of being read again (an incremental scan, docs/scheduling.md).
	Reused int `json:"reused,omitempty"`
	// ReusedFrom names the scan the reused items come from; set when Reused is.
	ReusedFrom *ScanRef `json:"reusedFrom,omitempty"`
}

// ScanRef names one recorded scan of a tenant: its id in the history database and
// when its evidence was collected.
type ScanRef struct {
	ScanID      int64     `json:"scanId"`
	CollectedAt time.Time `json:"collectedAt"`
}

// ServicePrincipal is an enterprise app (Graph servicePrincipal).
type ServicePrincipal struct {
	ID                     string            `json:"id"`
	AppID                  string            `json:"appId"`
	DisplayName            string            `json:"displayName,omitempty"`
	AppOwnerOrganizationID string            `json:"appOwnerOrganizationId,omitempty"`
	AccountEnabled         *bool             `json:"accountEnabled,omitempty"`
	AppRoles               []AppRole         `json:"appRoles,omitempty"`
	OAuth2PermissionScopes []PermissionScope `json:"oauth2PermissionScopes,omitempty"`
}

// AppRole is an application permission a resource offers.
type AppRole struct {
	ID                 string   `json:"id"`
	Value              string   `json:"value"`
	AllowedMemberTypes []string `json:"allowedMemberTypes,omitempty"`
	IsEnabled          *bool    `json:"isEnabled,omitempty"`
}

// PermissionScope is a delegated permission a resource offers.
type PermissionScope struct {
	ID        string `json:"id"`
	Value     string `json:"value"`
	Type      string `json:"type,omitempty"`
	IsEnabled *bool  `json:"isEnabled,omitempty"`
}

// DelegatedGrant is an oAuth2PermissionGrant held by the integration.
type DelegatedGrant struct {
	ID          string `json:"id"`
	ClientID    string `json:"clientId"`
	ConsentType string `json:"consentType"`
	PrincipalID string `json:"principalId,omitempty"`
	ResourceID  string `json:"resourceId"`
	// Scope is the space-separated list of permission names, as Graph returns it.
	Scope string `json:"scope"`
}

// AppRoleAssignment is an application permission held by the integration.
type AppRoleAssignment struct {
	ID                  string `json:"id"`
	AppRoleID           string `json:"appRoleId"`
	PrincipalID         string `json:"principalId"`
	PrincipalType       string `json:"principalType,omitempty"`
	ResourceID          string `json:"resourceId"`
	ResourceDisplayName string `json:"resourceDisplayName,omitempty"`
	CreatedDateTime     string `json:"createdDateTime,omitempty"`
}

// Conversation holds the members of one linked chat or channel.
type Conversation struct {
	// ConversationID is the chat or channel ID as the link row stores it.
	ConversationID string `json:"conversationId"`
	// TeamID is set for channels.
	TeamID  string   `json:"teamId,omitempty"`
	Members []Member `json:"members"`
	// Error is set when this conversation's members could not be read.
	Error string `json:"error,omitempty"`
}

// MarshalJSON writes a conversation ID that looks like text (textdigest.go) as its
// stand-in, "$text:" and the hash prefix of its digest, never as the text.
func (c Conversation) MarshalJSON() ([]byte, error) {
	type plain Conversation
	if withheld(c.ConversationID, withholdSignals) {
		c.ConversationID = withheldIDPrefix + hashPrefix(c.ConversationID)
	}
	return json.Marshal(plain(c))
}

// Member is a conversationMember (aadUserConversationMember).
type Member struct {
	// ID is Graph's opaque membership id.
	ID          string   `json:"id,omitempty"`
	UserID      string   `json:"userId,omitempty"`
	DisplayName string   `json:"displayName,omitempty"`
	Email       string   `json:"email,omitempty"`
	Roles       []string `json:"roles,omitempty"`
	TenantID    string   `json:"tenantId,omitempty"`
}

// AccessCheck is the answer of RetrievePrincipalAccess for one user on one record.
type AccessCheck struct {
	SystemUserID string `json:"systemUserId"`
	RecordTable  string `json:"recordTable"`
	RecordID     string `json:"recordId"`
	// AccessRights is the comma-separated list of rights, as the Web API returns it.
	AccessRights string `json:"accessRights"`
	// Error is set when the check failed for this pair.
	Error string `json:"error,omitempty"`
}

// Share is one principalobjectaccess row on a linked record.
type Share struct {
	ID                        string `json:"principalobjectaccessid,omitempty"`
	ObjectID                  string `json:"objectid"`
	ObjectTypeCode            string `json:"objecttypecode,omitempty"`
	PrincipalID               string `json:"principalid"`
	PrincipalTypeCode         string `json:"principaltypecode,omitempty"`
	AccessRightsMask          int64  `json:"accessrightsmask"`
	InheritedAccessRightsMask int64  `json:"inheritedaccessrightsmask"`
	ChangedOn                 string `json:"changedon,omitempty"`
}

// SystemUser is a Dynamics 365 user (systemuser row).
type SystemUser struct {
	SystemUserID string `json:"systemuserid"`
	// AADObjectID is the Entra object id, the userId of a Graph member.
	AADObjectID   string `json:"azureactivedirectoryobjectid,omitempty"`
	ApplicationID string `json:"applicationid,omitempty"`
	IsDisabled    *bool  `json:"isdisabled,omitempty"`
	FullName      string `json:"fullname,omitempty"`
	DomainName    string `json:"domainname,omitempty"`
}

// Licence records whether a link creator holds an enabled Teams service plan.
type Licence struct {
	// UserID is the Entra object id.
	UserID            string `json:"userId"`
	UserPrincipalName string `json:"userPrincipalName,omitempty"`
	AccountEnabled    *bool  `json:"accountEnabled,omitempty"`
	TeamsEnabled      bool   `json:"teamsEnabled"`
	// Error is set when the user could not be read (deleted, not found, forbidden).
	Error string `json:"error,omitempty"`
}
