package collect

import (
	"context"
	"fmt"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func (c *collector) chatLinks() {
	var short *shortfall
	c.snap.ChatLinks, short = c.dv.chatLinks(c.ctx(audit.SourceChatLinks))
	c.record(audit.SourceChatLinks, short)
}

func (c *collector) channelLinks() {
	var short *shortfall
	c.snap.ChannelLinks, short = c.dv.channelLinks(c.ctx(audit.SourceChannelLinks))
	c.record(audit.SourceChannelLinks, short)
}

func (c *collector) chatSync() {
	var short *shortfall
	c.snap.ChatSync, short = c.dv.chatSync(c.ctx(audit.SourceChatSync))
	if short != nil && short.notFound && len(c.snap.ChatSync) == 0 {
		// Environments without the optional Teams chat sync have no chat table. A table
		// that does not exist holds no conversation text: that is complete evidence.
		c.o.Logger.Info("no chat table: Teams chat sync is not installed")
		short = nil
	}
	c.record(audit.SourceChatSync, short)
}

func (c *collector) users() {
	var short *shortfall
	c.snap.Users, short = c.dv.systemUsers(c.ctx(audit.SourceUsers))
	c.record(audit.SourceUsers, short)
}

// entitySets reads the table definitions the access checks need; its requests are
// charged to the access source.
func (c *collector) entitySets() {
	c.sets, c.setsShort = c.dv.entitySets(c.ctx(audit.SourceAccess))
}

// record is a linked record: its table and id as the link row names them.
type record struct{ table, id string }

func (c *collector) linkedRecords() []record {
	var out []record
	for _, l := range c.snap.ChatLinks {
		out = append(out, record{l.RegardingTable, l.RegardingID})
	}
	for _, l := range c.snap.ChannelLinks {
		out = append(out, record{l.RegardingTable, l.RegardingID})
	}
	return out
}

// shares reads the principalobjectaccess rows of every linked record, in chunks.
func (c *collector) shares() {
	rn := c.runs[audit.SourceShares]
	rn.dependsOn(c.runs[audit.SourceChatLinks], c.runs[audit.SourceChannelLinks])
	seen := map[string]bool{}
	var ids []string
	for _, r := range c.linkedRecords() {
		switch k := key(r.id); {
		case k == "" || seen[k]:
		case !isGUID(k):
			seen[k] = true
			rn.itemFailed(fmt.Sprintf("a link names record %q, which is not a GUID", r.id))
		default:
			seen[k] = true
			ids = append(ids, k)
		}
	}

	chunks := (len(ids) + sharesChunk - 1) / sharesChunk
	found := make([][]audit.Share, chunks)
	ctx := c.ctx(audit.SourceShares)
	forEach(ctx, chunks, c.o.Concurrency, func(ctx context.Context, i int) {
		part := ids[i*sharesChunk : min((i+1)*sharesChunk, len(ids))]
		var short *shortfall
		found[i], short = c.dv.shares(ctx, part)
		c.record(audit.SourceShares, short)
	})
	c.interrupted(ctx, audit.SourceShares)
	for _, f := range found {
		c.snap.Shares = append(c.snap.Shares, f...)
	}
}

// pair is one access check to make.
type pair struct {
	user string
	rec  record
}

// accessPairs lists, once each, the (user, record) pairs to check: every link's
// creator and every member of its conversation who is a Dynamics user.
func (c *collector) accessPairs() []pair {
	byAAD := map[string]string{}
	for _, u := range c.snap.Users {
		if aad := key(u.AADObjectID); aad != "" {
			byAAD[aad] = u.SystemUserID
		}
	}
	members := map[string][]audit.Member{}
	for _, cv := range c.snap.Members {
		members[cv.ConversationID] = cv.Members
	}

	seen := map[string]bool{}
	var out []pair
	add := func(user string, r record) {
		k := key(user) + "|" + key(r.id)
		if key(user) != "" && key(r.id) != "" && !seen[k] {
			seen[k] = true
			out = append(out, pair{user, r})
		}
	}
	visit := func(r record, creator, conversationID string) {
		add(creator, r)
		for _, m := range members[conversationID] {
			if su, ok := byAAD[key(m.UserID)]; ok {
				add(su, r)
			}
		}
	}
	for _, l := range c.snap.ChatLinks {
		visit(record{l.RegardingTable, l.RegardingID}, l.CreatedBy, l.ChatID)
	}
	for _, l := range c.snap.ChannelLinks {
		visit(record{l.RegardingTable, l.RegardingID}, l.CreatedBy, l.ChannelID)
	}
	return out
}

// access makes every access check. A check that cannot be made carries its error.
func (c *collector) access() {
	rn := c.runs[audit.SourceAccess]
	rn.dependsOn(c.runs[audit.SourceChatLinks], c.runs[audit.SourceChannelLinks],
		c.runs[audit.SourceUsers], c.runs[audit.SourceMembers])
	if c.setsShort != nil {
		c.record(audit.SourceAccess, &shortfall{status: audit.StatusError,
			reason: "table definitions could not be read: " + c.setsShort.reason})
		return
	}
	pairs := c.accessPairs()
	users := map[string]audit.SystemUser{}
	for _, u := range c.snap.Users {
		users[key(u.SystemUserID)] = u
	}
	out := make([]audit.AccessCheck, len(pairs))
	ctx := c.ctx(audit.SourceAccess)
	forEach(ctx, len(pairs), c.o.Concurrency, func(ctx context.Context, i int) {
		p := pairs[i]
		if a, ok := c.reuse.accessCheck(p, users); ok {
			out[i] = a
			rn.reused.Add(1)
			return
		}
		out[i] = audit.AccessCheck{SystemUserID: p.user, RecordTable: p.rec.table,
			RecordID: p.rec.id}
		set, known := c.sets[key(p.rec.table)]
		var reason string
		switch {
		case !isGUID(key(p.user)) || !isGUID(key(p.rec.id)):
			reason = "the user or record id is not a GUID"
		case !known:
			reason = fmt.Sprintf("table %q has no entity set in this environment", p.rec.table)
		default:
			rights, f := c.dv.access(ctx, key(p.user), set, key(p.rec.id))
			if f == nil {
				out[i].AccessRights = rights
				return
			}
			reason = f.reason(needAccess, c.o.RetryBudget)
		}
		out[i].Error = reason
		rn.itemFailed(reason)
	})
	c.interrupted(ctx, audit.SourceAccess)
	c.snap.Access = compact(out, func(v audit.AccessCheck) bool { return v.SystemUserID != "" })
}
