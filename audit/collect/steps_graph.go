package collect

import (
	"context"
	"fmt"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// graphApp finds the integration and reads its grants and the resources they name.
// Without an integration there is nothing to read, and every one of these sources is
// complete and empty: the controls report not_applicable.
func (c *collector) graphApp() {
	app, matchedBy, short := c.g.findIntegration(c.ctx(audit.SourceIntegration), c.o.AppID)
	c.record(audit.SourceIntegration, short)
	dependents := []audit.SourceName{audit.SourceDelegated, audit.SourceAppRoles,
		audit.SourceResources}
	if short != nil {
		for _, name := range dependents {
			c.runs[name].dependsOn(c.runs[audit.SourceIntegration])
		}
		return
	}
	if app == nil {
		c.o.Logger.Info("integration not found", "appId", c.o.AppID)
		return
	}
	c.snap.Integration, c.snap.IntegrationMatchedBy = app, matchedBy
	c.o.Logger.Info("integration found", "id", app.ID, "matchedBy", matchedBy)

	parallel(func() {
		grants, short := c.g.delegatedGrants(c.ctx(audit.SourceDelegated), app.ID)
		c.snap.DelegatedGrants = grants
		c.record(audit.SourceDelegated, short)
	}, func() {
		roles, short := c.g.appRoleAssignments(c.ctx(audit.SourceAppRoles), app.ID)
		c.snap.AppRoleAssignments = roles
		c.record(audit.SourceAppRoles, short)
	})
	c.resources()
}

// resources reads every service principal the grants point at.
func (c *collector) resources() {
	rn := c.runs[audit.SourceResources]
	rn.dependsOn(c.runs[audit.SourceDelegated], c.runs[audit.SourceAppRoles])
	ids := resourceIDs(c.snap.DelegatedGrants, c.snap.AppRoleAssignments)
	found := make([]*audit.ServicePrincipal, len(ids))
	ctx := c.ctx(audit.SourceResources)
	forEach(ctx, len(ids), c.o.Concurrency, func(ctx context.Context, i int) {
		s, notFound, short := c.g.resource(ctx, ids[i])
		switch {
		case notFound:
			c.o.Logger.Info("resource not found", "id", ids[i])
		case short != nil:
			rn.itemFailed(short.reason)
		default:
			found[i] = s
		}
	})
	c.interrupted(ctx, audit.SourceResources)
	for _, s := range found {
		if s != nil {
			c.snap.Resources = append(c.snap.Resources, *s)
		}
	}
}

// conversation is one chat or channel to read the members of.
type conversation struct {
	id, teamID string
	channel    bool
}

func (cv conversation) kind() string {
	if cv.channel {
		return "channel"
	}
	return "chat"
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// conversations lists the distinct conversations the links point at, in link order.
func (c *collector) conversations() []conversation {
	seen := map[string]bool{}
	var out []conversation
	for _, l := range c.snap.ChatLinks {
		if id := l.ChatID; id != "" && !seen[id] {
			seen[id] = true
			out = append(out, conversation{id: id})
		}
	}
	for _, l := range c.snap.ChannelLinks {
		if id := l.ChannelID; id != "" && !seen[id] {
			seen[id] = true
			out = append(out, conversation{id: id, teamID: l.TeamID, channel: true})
		}
	}
	return out
}

// members reads the members of every linked conversation, batchMax conversations to a
// Graph batch. One conversation that cannot be read carries its error and leaves the
// source incomplete; one that no longer exists carries "not found" as a fact about the
// tenant.
func (c *collector) members() {
	rn := c.runs[audit.SourceMembers]
	rn.dependsOn(c.runs[audit.SourceChatLinks], c.runs[audit.SourceChannelLinks])
	convs := c.conversations()
	out := make([]audit.Conversation, len(convs))
	var readable []int
	for i, cv := range convs {
		if cv.channel && cv.teamID == "" {
			out[i] = audit.Conversation{ConversationID: cv.id, Error: "the link row has no " +
				"msdyn_teamid, so the channel's members cannot be read"}
			rn.itemFailed(out[i].Error)
			continue
		}
		readable = append(readable, i)
	}

	batches := (len(readable) + batchMax - 1) / batchMax
	ctx := c.ctx(audit.SourceMembers)
	forEach(ctx, batches, c.o.Concurrency, func(ctx context.Context, b int) {
		part := readable[b*batchMax : min((b+1)*batchMax, len(readable))]
		group := make([]conversation, len(part))
		for j, i := range part {
			group[j] = convs[i]
		}
		lists, shorts := c.g.batchMembers(ctx, group)
		for j, i := range part {
			out[i] = conversationOf(group[j], lists[j], shorts[j], rn)
		}
	})
	c.interrupted(ctx, audit.SourceMembers)
	c.snap.Members = compact(out, func(v audit.Conversation) bool { return v.ConversationID != "" })
}

// conversationOf is the evidence of one conversation's members read.
func conversationOf(cv conversation, list []audit.Member, short *shortfall,
	rn *run) audit.Conversation {
	out := audit.Conversation{ConversationID: cv.id, TeamID: cv.teamID}
	switch {
	case short != nil && short.notFound:
		out.Error = fmt.Sprintf("%s: the %s does not exist", orDefault(short.code, "NotFound"),
			cv.kind())
	case short != nil:
		out.Error = short.reason
		rn.itemFailed(short.reason)
	default:
		out.Members = list
	}
	return out
}

// licences reads the Teams licence of every link creator who has an Entra identity.
func (c *collector) licences() {
	rn := c.runs[audit.SourceLicences]
	rn.dependsOn(c.runs[audit.SourceChatLinks], c.runs[audit.SourceChannelLinks],
		c.runs[audit.SourceUsers])
	byID := map[string]audit.SystemUser{}
	for _, u := range c.snap.Users {
		byID[key(u.SystemUserID)] = u
	}
	seen := map[string]bool{}
	var ids []string
	var who []audit.SystemUser
	add := func(creator string) {
		u, ok := byID[key(creator)]
		if aad := key(u.AADObjectID); ok && aad != "" && !seen[aad] {
			seen[aad] = true
			ids = append(ids, u.AADObjectID)
			who = append(who, u)
		}
	}
	for _, l := range c.snap.ChatLinks {
		add(l.CreatedBy)
	}
	for _, l := range c.snap.ChannelLinks {
		add(l.CreatedBy)
	}

	out := make([]audit.Licence, len(ids))
	ctx := c.ctx(audit.SourceLicences)
	forEach(ctx, len(ids), c.o.Concurrency, func(ctx context.Context, i int) {
		if l, ok := c.reuse.licence(who[i]); ok {
			out[i] = l
			rn.reused.Add(1)
			return
		}
		l, notFound, short := c.g.user(ctx, ids[i])
		switch {
		case notFound:
			l.Error = "not found: the user no longer exists in Entra ID"
		case short != nil:
			l.Error = short.reason
			rn.itemFailed(short.reason)
		}
		out[i] = l
	})
	c.interrupted(ctx, audit.SourceLicences)
	c.snap.Licences = compact(out, func(v audit.Licence) bool { return v.UserID != "" })
}

// compact drops the slots an interrupted forEach never filled.
func compact[T any](s []T, filled func(T) bool) []T {
	out := s[:0]
	for _, v := range s {
		if filled(v) {
			out = append(out, v)
		}
	}
	return out
}
