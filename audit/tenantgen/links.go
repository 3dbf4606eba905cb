package tenantgen

import (
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

var recordTables = [...]string{"account", "opportunity", "incident"}

// Graph's member roles. The slices are shared by every member holding them; nothing
// writes to a generated snapshot.
var (
	rolesOwner = []string{"owner"}
	rolesGuest = []string{"guest"}
)

// RetrievePrincipalAccess answers, as the Web API spells them.
const (
	rightsOwner = "ReadAccess, WriteAccess, AppendAccess, AppendToAccess, CreateAccess, " +
		"DeleteAccess, ShareAccess, AssignAccess"
	rightsEdit = "ReadAccess, WriteAccess, AppendAccess, AppendToAccess"
	rightsRead = "ReadAccess, AppendToAccess"
	rightsNone = "None"
)

const day = 86400

// link is what a chat or channel link shares while it is being built.
type link struct {
	id, recordID, table string
	created             int64
	createdOn           string
	creator             int   // index into Users
	picked              []int // Dynamics users among the members, creator first
	kind                string
	resourceType        string
}

// links builds the chat and channel links with their conversations, access checks
// and shares, then the chat sync rows.
func (g *gen) links(sp specials) {
	chats, channels := g.plan()
	n := len(chats) + len(channels)
	per := g.o.MembersPerChat + 1
	s := g.s
	s.ChatLinks = make([]audit.ChatLink, 0, len(chats))
	s.ChannelLinks = make([]audit.ChannelLink, 0, len(channels))
	s.Members = make([]audit.Conversation, 0, n)
	s.Access = make([]audit.AccessCheck, 0, n*per)
	s.Shares = make([]audit.Share, 0, n/4+4)
	g.members = make([]audit.Member, 0, n*per)
	g.columns = make([]audit.Column, 0, n*8)
	g.ownerTeams = []string{g.a.guid(&g.r), g.a.guid(&g.r), g.a.guid(&g.r)}

	for i, v := range chats {
		g.chatLink(i, v, sp)
	}
	g.makeTeams(len(channels))
	for _, v := range channels {
		g.channelLink(v, sp)
	}
	g.chatSync(chats)
}

// newLink starts a link: its record, its time, its creator and the Dynamics users
// among its members (size of them, creator first).
func (g *gen) newLink(size int, creator int, resourceType string) *link {
	l := &g.cur
	l.id = g.a.guid(&g.r)
	l.recordID = g.a.guid(&g.r)
	l.table = recordTables[g.r.intn(len(recordTables))]
	l.created = collectedAt.Unix() - int64(g.r.intn(540*day)) - 3600
	l.createdOn = g.a.timestamp(l.created)
	l.resourceType = resourceType
	if creator < 0 {
		creator = g.r.intn(g.creators)
	}
	l.creator = creator
	g.users[creator].created = true

	regular := g.regular
	size = min(size, regular)
	l.picked = append(l.picked[:0], creator)
	for len(l.picked) < size {
		u := g.r.intn(regular)
		if !containsInt(l.picked, u) {
			l.picked = append(l.picked, u)
		}
	}
	return l
}

func containsInt(s []int, v int) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// conversation cuts a member list for the link's Dynamics users plus spare others.
func (g *gen) conversation(l *link, convID, teamID string, spare int,
	roles func(i int) []string) *audit.Conversation {
	ms := g.cutMembers(len(l.picked), spare)
	for i, u := range l.picked {
		user := &g.s.Users[u]
		ms[i] = audit.Member{
			ID: g.a.opaque(&g.r, 32), UserID: user.AADObjectID, DisplayName: user.FullName,
			Email: user.DomainName, Roles: roles(i), TenantID: g.tenant,
		}
	}
	g.s.Members = append(g.s.Members, audit.Conversation{
		ConversationID: convID, TeamID: teamID, Members: ms,
	})
	return &g.s.Members[len(g.s.Members)-1]
}

// outsider adds a member who is no Dynamics user, of the home tenant or another one.
func (g *gen) outsider(c *audit.Conversation, tenant string, roles []string, guest bool) string {
	first := firstNames[g.r.intn(len(firstNames))]
	last := lastNames[g.r.intn(len(lastNames))]
	domain := g.domain
	if guest || tenant != g.tenant {
		domain = g.a.join("partner-", g.a.hex(&g.r, 4), ".example")
	}
	name := g.a.join(first, " ", last)
	if guest {
		name = g.a.join(name, " (Guest)")
	}
	m := audit.Member{
		ID: g.a.opaque(&g.r, 32), UserID: g.a.guid(&g.r), DisplayName: name,
		Email: g.a.join(strings.ToLower(first), ".", strings.ToLower(last), "@", domain),
		Roles: roles, TenantID: tenant,
	}
	c.Members = append(c.Members, m)
	return m.UserID
}

// access records the access checks of the link's Dynamics users on its record; the
// creator is always among them.
func (g *gen) access(l *link, rights func(i int) string) {
	for i, u := range l.picked {
		g.s.Access = append(g.s.Access, audit.AccessCheck{
			SystemUserID: g.s.Users[u].SystemUserID, RecordTable: l.table,
			RecordID: l.recordID, AccessRights: rights(i),
		})
	}
}

// cleanShares adds the shares a record commonly has that are no violation: rows that
// only cascade access from a parent record, even when written right after the link,
// and explicit shares with an owner team, made long before.
func (g *gen) cleanShares(l *link) {
	if g.r.chance(0.2) {
		mask := int64(23) // Read, Write, Append, AppendTo
		if g.r.chance(0.5) {
			mask |= 0x8000000 // a bit the documented enum lacks
		}
		g.share(l, g.s.Users[l.picked[g.r.intn(len(l.picked))]].SystemUserID, "systemuser",
			0, mask, l.created+90)
	}
	if g.r.chance(0.1) {
		team := g.ownerTeams[g.r.intn(len(g.ownerTeams))]
		g.share(l, team, "team", 23, 0, l.created-int64(g.r.intn(200*day))-day)
	}
}

// share adds a principalobjectaccess row on the link's record and returns its id.
func (g *gen) share(l *link, principal, principalType string, mask, inherited, at int64) string {
	id := g.a.guid(&g.r)
	g.s.Shares = append(g.s.Shares, audit.Share{
		ID: id, ObjectID: l.recordID, ObjectTypeCode: l.table,
		PrincipalID: principal, PrincipalTypeCode: principalType,
		AccessRightsMask: mask, InheritedAccessRightsMask: inherited,
		ChangedOn: g.a.timestamp(at),
	})
	return id
}

// systemColumns are the columns Dataverse adds to every row; spare leaves room for
// columns a caller appends.
func (g *gen) systemColumns(l *link, spare int) []audit.Column {
	modified := l.created + int64(g.r.intn(int(min(30*day, collectedAt.Unix()-l.created))))
	g.version += 1 + int64(g.r.intn(40))
	owner := g.users[l.creator].idAny
	cols := g.cutColumns(7, spare)
	cols[0] = audit.Column{Name: "statuscode", Value: int64(1)}
	cols[1] = audit.Column{Name: "versionnumber", Value: g.version}
	cols[2] = audit.Column{Name: "modifiedon", Value: g.a.timestamp(modified)}
	cols[3] = audit.Column{Name: "_modifiedby_value", Value: owner}
	cols[4] = audit.Column{Name: "_ownerid_value", Value: owner}
	cols[5] = audit.Column{Name: "_owninguser_value", Value: owner}
	cols[6] = audit.Column{Name: "_owningbusinessunit_value", Value: g.bu}
	return cols
}

func (g *gen) cutMembers(n, spare int) []audit.Member {
	if cap(g.members)-len(g.members) < n+spare {
		g.members = make([]audit.Member, 0, max(4096, n+spare))
	}
	start := len(g.members)
	g.members = g.members[:start+n+spare]
	return g.members[start : start+n : start+n+spare]
}

func (g *gen) cutColumns(n, spare int) []audit.Column {
	if cap(g.columns)-len(g.columns) < n+spare {
		g.columns = make([]audit.Column, 0, max(4096, n+spare))
	}
	start := len(g.columns)
	g.columns = g.columns[:start+n+spare]
	return g.columns[start : start+n : start+n+spare]
}
