package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

var (
	needChatLinks = dataverseNeed("chat links (msdyn_teamschatassociation)",
		"msdyn_teamschatassociation")
	needChannelLinks = dataverseNeed("channel links (msdyn_teamscollaboration)",
		"msdyn_teamscollaboration")
	needChatSync    = dataverseNeed("Teams chat sync activities (chat)", "chat")
	needSystemUsers = dataverseNeed("users (systemuser)", "systemuser")
	needShares      = dataverseNeed("shares (principalobjectaccess)", "principalobjectaccess")
	needMetadata    = need{"Dataverse", "table definitions (EntityDefinitions)",
		"check that the auditor's application user exists and is enabled in the environment"}
	needAccess = need{"Dataverse", "access checks (RetrievePrincipalAccess)",
		"give the auditor's application user a security role with Read on systemuser " +
			"and organization-wide Read on the linked records' tables"}
)

// systemUserSelect and shareSelect are the columns the evidence keeps.
const (
	systemUserSelect = "systemuserid,azureactivedirectoryobjectid,applicationid,isdisabled," +
		"fullname,domainname"
	shareSelect = "principalobjectaccessid,objectid,objecttypecode,principalid," +
		"principaltypecode,accessrightsmask,inheritedaccessrightsmask,changedon"
	// sharesChunk bounds the record ids in one In(...) filter, keeping the URL short.
	sharesChunk = 50
)

// rows reads a whole table into T, which decodes one row (the audit row types keep
// unknown columns).
func rows[T any](ctx context.Context, d *dataverse, path string, n need) ([]T, *shortfall) {
	var out []T
	short := d.pageRows(ctx, path, n, func(raw json.RawMessage) error {
		var v T
		if err := json.Unmarshal(raw, &v); err != nil {
			return describeJSON(err)
		}
		out = append(out, v)
		return nil
	})
	return out, short
}

func (d *dataverse) chatLinks(ctx context.Context) ([]audit.ChatLink, *shortfall) {
	return rows[audit.ChatLink](ctx, d, "msdyn_teamschatassociations", needChatLinks)
}

func (d *dataverse) channelLinks(ctx context.Context) ([]audit.ChannelLink, *shortfall) {
	return rows[audit.ChannelLink](ctx, d, "msdyn_teamscollaborations", needChannelLinks)
}

func (d *dataverse) chatSync(ctx context.Context) ([]audit.ChatActivity, *shortfall) {
	return rows[audit.ChatActivity](ctx, d, "chats?$filter="+odataQuery("teamschatid ne null"),
		needChatSync)
}

func (d *dataverse) systemUsers(ctx context.Context) ([]audit.SystemUser, *shortfall) {
	return rows[audit.SystemUser](ctx, d, "systemusers?$select="+systemUserSelect,
		needSystemUsers)
}

// entitySets maps table logical names to the entity set names URLs use.
func (d *dataverse) entitySets(ctx context.Context) (map[string]string, *shortfall) {
	type def struct {
		LogicalName   string `json:"LogicalName"`
		EntitySetName string `json:"EntitySetName"`
	}
	defs, short := rows[def](ctx, d, "EntityDefinitions?$select=LogicalName,EntitySetName",
		needMetadata)
	sets := make(map[string]string, len(defs))
	for _, x := range defs {
		if x.LogicalName != "" && x.EntitySetName != "" {
			sets[strings.ToLower(x.LogicalName)] = x.EntitySetName
		}
	}
	return sets, short
}

// access asks what rights a user holds on a record, roles, teams, hierarchy and
// shares folded together. Both ids must be GUIDs and set a known entity set name, as
// they come from rows anyone could have written.
func (d *dataverse) access(ctx context.Context, userID, set, recordID string) (string, *failure) {
	target := fmt.Sprintf("{'@odata.id':'%s(%s)'}", set, recordID)
	path := fmt.Sprintf("systemusers(%s)/Microsoft.Dynamics.CRM.RetrievePrincipalAccess"+
		"(Target=@tid)?@tid=%s", userID, odataQuery(target))
	var answer struct {
		AccessRights *string `json:"AccessRights"`
	}
	if f := d.get(ctx, path, &answer); f != nil {
		return "", f
	}
	if answer.AccessRights == nil {
		return "", &failure{err: fmt.Errorf("the answer has no AccessRights")}
	}
	runOf(ctx).page(1)
	return *answer.AccessRights, nil
}

// shares lists the principalobjectaccess rows of the given records (GUIDs).
func (d *dataverse) shares(ctx context.Context, recordIDs []string) ([]audit.Share, *shortfall) {
	quoted := make([]string, len(recordIDs))
	for i, id := range recordIDs {
		quoted[i] = "'" + id + "'"
	}
	filter := "Microsoft.Dynamics.CRM.In(PropertyName='objectid',PropertyValues=[" +
		strings.Join(quoted, ",") + "])"
	return rows[audit.Share](ctx, d, "principalobjectaccessset?$select="+shareSelect+
		"&$filter="+odataQuery(filter), needShares)
}

// odataQuery escapes a query value, keeping the characters OData expressions are made
// of readable and spaces as %20 (a "+" is not a space to every OData server).
func odataQuery(v string) string {
	e := url.QueryEscape(v)
	return strings.NewReplacer("+", "%20", "%27", "'", "%2C", ",", "%28", "(", "%29", ")",
		"%40", "@", "%3A", ":").Replace(e)
}
