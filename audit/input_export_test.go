package audit

import (
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// The row input as it was first written, as maps converted with ast.InterfaceToValue:
// the reference that the term builders in inputterms.go must reproduce exactly.

// PolicyRows returns every row of the policy input twice: built by the engine, and by
// the reference. Rows are chat links, then channel links, then chat sync rows.
func PolicyRows(s *Snapshot) (built, reference []*ast.Term, err error) {
	ix := newIndex(s)
	add := func(t *ast.Term, row map[string]any) {
		built = append(built, t)
		v, convErr := ast.InterfaceToValue(row)
		if convErr != nil && err == nil {
			err = convErr
		}
		reference = append(reference, ast.NewTerm(v))
	}
	for i := range s.ChatLinks {
		add(ix.chatLinkTerm(&s.ChatLinks[i]), ix.refChatLinkInput(&s.ChatLinks[i]))
	}
	for i := range s.ChannelLinks {
		add(ix.channelLinkTerm(&s.ChannelLinks[i]), ix.refChannelLinkInput(&s.ChannelLinks[i]))
	}
	for i := range s.ChatSync {
		add(ix.chatSyncTerm(&s.ChatSync[i]), ix.refChatSyncInput(&s.ChatSync[i]))
	}
	return built, reference, err
}

// refLinkInput joins one chat or channel link with everything the link rules look at.
func (ix *index) refChatLinkInput(l *ChatLink) map[string]any {
	active := intIs(l.StateCode, 0) && intIs(l.RecordState, 0)
	return ix.refLinkInput("chat", "msdyn_teamschatassociation", "msdyn_teamschatid",
		l.ID, l.Name, l.ChatID, l.RegardingID, l.RegardingTable, l.CreatedOn, l.CreatedBy,
		active, l.Columns(), map[string]any{})
}

func (ix *index) refChannelLinkInput(l *ChannelLink) map[string]any {
	return ix.refLinkInput("channel", "msdyn_teamscollaboration", "msdyn_channelid",
		l.ID, l.ChannelName, l.ChannelID, l.RegardingID, l.RegardingTable, l.CreatedOn,
		l.CreatedBy, intIs(l.StateCode, 0), l.Columns(),
		map[string]any{"teamId": l.TeamID, "groupId": l.GroupID, "teamName": l.TeamName})
}

func (ix *index) refLinkInput(kind, table, convColumn, id, name, convID, recordID, recordTable,
	createdOn, createdBy string, active bool, columns, extra map[string]any) map[string]any {
	link := map[string]any{
		"kind":               kind,
		"table":              table,
		"id":                 id,
		"name":               name,
		"conversationId":     convID,
		"conversationColumn": convColumn,
		"record":             map[string]any{"id": recordID, "table": recordTable},
		"active":             active,
		"createdOn":          createdOn,
		"creator":            ix.refCreatorInput(createdBy, recordID),
		"members":            ix.refMembersInput(convID, recordID),
		"shares":             ix.refSharesInput(recordID),
		"columns":            columns,
	}
	for k, v := range extra {
		link[k] = v
	}
	return link
}

func (ix *index) refCreatorInput(systemUserID, recordID string) map[string]any {
	creator := map[string]any{"systemUserId": systemUserID}
	u := ix.usersByID[key(systemUserID)]
	creator["known"] = u != nil
	if u == nil {
		creator["access"] = ix.refAccessInput(systemUserID, recordID)
		creator["licence"] = map[string]any{"known": false}
		return creator
	}
	ix.refAddUser(creator, u)
	creator["access"] = ix.refAccessInput(u.SystemUserID, recordID)
	creator["licence"] = ix.refLicenceInput(u.AADObjectID)
	return creator
}

func (ix *index) refAddUser(into map[string]any, u *SystemUser) {
	into["name"] = u.FullName
	into["domainName"] = u.DomainName
	into["aadObjectId"] = u.AADObjectID
	into["applicationId"] = u.ApplicationID
	if u.IsDisabled != nil {
		into["disabled"] = *u.IsDisabled
	}
}

func (ix *index) refLicenceInput(aadID string) map[string]any {
	l := ix.licences[key(aadID)]
	if aadID == "" || l == nil {
		return map[string]any{"known": false}
	}
	out := map[string]any{"known": l.Error == "", "teamsEnabled": l.TeamsEnabled, "error": l.Error}
	if l.AccountEnabled != nil {
		out["accountEnabled"] = *l.AccountEnabled
	}
	return out
}

// refAccessInput is a user's access check on a record: known false when no check was made
// or it failed, so that a rule can tell "cannot read" from "not checked".
func (ix *index) refAccessInput(systemUserID, recordID string) map[string]any {
	a := ix.access[[2]string{key(systemUserID), key(recordID)}]
	if a == nil {
		return map[string]any{"known": false, "rights": []any{}}
	}
	if a.Error != "" {
		return map[string]any{"known": false, "error": a.Error, "rights": []any{}}
	}
	return map[string]any{"known": true, "rights": ParseAccessRights(a.AccessRights)}
}

func (ix *index) refMembersInput(convID, recordID string) map[string]any {
	conv := ix.members[convID]
	if conv == nil {
		return map[string]any{"known": false, "list": []any{}}
	}
	if conv.Error != "" {
		return map[string]any{"known": false, "error": conv.Error, "list": []any{}}
	}
	list := make([]any, 0, len(conv.Members))
	for i := range conv.Members {
		m := &conv.Members[i]
		roles := make([]any, 0, len(m.Roles))
		for _, r := range m.Roles {
			roles = append(roles, strings.ToLower(r))
		}
		mi := map[string]any{
			"id": m.ID, "userId": m.UserID, "name": m.DisplayName, "email": m.Email,
			"roles": roles, "tenantId": key(m.TenantID),
		}
		u := ix.usersByAAD[key(m.UserID)]
		mi["dynamicsUser"] = u != nil
		if u != nil {
			mi["systemUserId"] = u.SystemUserID
			ix.refAddUser(mi, u)
			mi["access"] = ix.refAccessInput(u.SystemUserID, recordID)
			mi["shares"] = ix.refSharesFor(recordID, u.SystemUserID)
		} else {
			mi["access"] = map[string]any{"known": true, "rights": []any{}}
			mi["shares"] = []any{}
		}
		list = append(list, mi)
	}
	return map[string]any{"known": true, "list": list}
}

func (ix *index) refSharesInput(recordID string) []any {
	rows := ix.shares[key(recordID)]
	out := make([]any, 0, len(rows))
	for _, sh := range rows {
		out = append(out, refShareInput(sh))
	}
	return out
}

func (ix *index) refSharesFor(recordID, systemUserID string) []any {
	out := []any{}
	for _, sh := range ix.shares[key(recordID)] {
		if key(sh.PrincipalID) == key(systemUserID) {
			out = append(out, refShareInput(sh))
		}
	}
	return out
}

func refShareInput(sh *Share) map[string]any {
	return map[string]any{
		"id":             sh.ID,
		"principalId":    sh.PrincipalID,
		"principalType":  sh.PrincipalTypeCode,
		"accessMask":     sh.AccessRightsMask,
		"inheritedMask":  sh.InheritedAccessRightsMask,
		"changedOn":      sh.ChangedOn,
		"objectTypeCode": sh.ObjectTypeCode,
	}
}

func (ix *index) refChatSyncInput(a *ChatActivity) map[string]any {
	return map[string]any{
		"id":          a.ID,
		"subject":     a.Subject,
		"teamsChatId": a.TeamsChatID,
		"columns":     a.Columns(),
	}
}
