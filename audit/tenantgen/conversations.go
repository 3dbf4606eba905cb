package tenantgen

import (
	"github.com/teamschat-audit/teamschat-audit/audit"
)

// team is a Microsoft 365 group with a team, whose channels records link to.
type team struct {
	groupID, name, siteURL string
}

// Conversation ID shapes (DOMAIN.md): group 19:<hex>@thread.v2, one-to-one
// 19:<user>_<user>@unq.gbl.spaces, meeting 19:meeting_<id>@thread.v2, channel
// 19:<hex>@thread.tacv2.
const (
	groupChat = iota
	oneOnOne
	meeting
)

// chatLink builds one msdyn_teamschatassociation row and what hangs off it.
func (g *gen) chatLink(i int, v variant, sp specials) {
	kind := groupChat
	switch r := g.r.intn(100); {
	case v == memberNotUser || v == guestMember || v == externalMember:
		// Adding someone to a one-to-one chat makes a group chat.
	case r < 20:
		kind = oneOnOne
	case r < 35:
		kind = meeting
	}
	size := 2
	if kind != oneOnOne {
		size = max(3, g.groupSize()+g.r.intn(5)-2)
	}
	creator := -1
	if v == creatorDisabled {
		creator = sp.disabled
	}
	l := g.newLink(size, creator, "chatLink")
	users := g.s.Users

	var chatID, name string
	company := companies[g.r.intn(len(companies))]
	if kind == oneOnOne {
		// Two people have one one-to-one chat: a pair already chatting gets a group chat,
		// so that every conversation id stands for one member list.
		chatID = g.a.join("19:", users[l.picked[0]].AADObjectID, "_",
			users[l.picked[1]].AADObjectID, "@unq.gbl.spaces")
		if g.oneOnOnes[chatID] {
			kind = groupChat
		}
		g.oneOnOnes[chatID] = true
	}
	switch kind {
	case oneOnOne:
		name = company
	case meeting:
		chatID = g.a.join("19:meeting_", g.a.opaque(&g.r, 48), "@thread.v2")
		name = meetingSubjects[g.r.intn(len(meetingSubjects))]
	default:
		chatID = g.a.join("19:", g.a.hex(&g.r, 32), "@thread.v2")
		name = g.a.join(topicPrefixes[g.r.intn(len(topicPrefixes))], " – ", company)
	}
	if i%37 == 3 {
		name = hostileTopics[(i/37)%len(hostileTopics)]
	}

	row := audit.ChatLink{
		ID: l.id, Name: name, ChatID: chatID, RegardingID: l.recordID, RegardingTable: l.table,
		RecordState: g.num(0), StateCode: g.num(0), CreatedOn: l.createdOn,
		CreatedBy: users[l.creator].SystemUserID, Extra: g.systemColumns(l, 1),
	}
	switch v {
	case malformedChatID:
		row.ChatID = g.a.join("19:", g.a.hex(&g.r, 32), "@thread")
		*row.RecordState = 1 // disassociated
	case channelIDInChat:
		row.ChatID = g.a.join("19:", g.a.hex(&g.r, 32), "@thread.tacv2")
		*row.StateCode = 1 // deactivated
		row.Extra[0].Value = int64(2)
	case clean:
		if g.r.chance(0.03) {
			*row.RecordState = 1 // some links were disconnected again
		}
	case messageColumn:
		preview := audit.Column{Name: "msdyn_lastmessagepreview", Value: messagePreview}
		row.Extra = append(row.Extra, preview)
	case messageInName:
		row.Name = messageName
	}
	g.s.ChatLinks = append(g.s.ChatLinks, row)

	roles := func(int) []string { return rolesOwner }
	if kind == meeting {
		// Only the organiser owns a meeting chat.
		roles = func(i int) []string {
			if i == 0 {
				return rolesOwner
			}
			return nil
		}
	}
	conv := g.conversation(l, row.ChatID, "", 1, roles)
	g.chatViolation(l, v, conv)
	g.cleanShares(l)
}

// groupSize is the size of a group chat that keeps the average over all chats near
// MembersPerChat, one chat in five being one-to-one: (5m-2)/4, rounded.
func (g *gen) groupSize() int {
	return (5*g.o.MembersPerChat - 2 + 2) / 4
}

// chatViolation plants a link violation that concerns people, and records the access
// checks, which some of those violations change.
func (g *gen) chatViolation(l *link, v variant, conv *audit.Conversation) {
	users := g.s.Users
	rights := func(i int) string {
		if i == 0 {
			return rightsOwner
		}
		if i%3 == 1 {
			return rightsRead
		}
		return rightsEdit
	}
	last := len(l.picked) - 1
	switch v {
	case malformedChatID, channelIDInChat:
		// Graph finds no chat by such an id, so its members are unknown and only the
		// creator's access is checked. A link whose chat cannot be opened is one its
		// users disconnect, which is why these rows are inactive (chatLink below).
		conv.Members = nil
		conv.Error = "Request_ResourceNotFound: the chat does not exist"
		l.picked = l.picked[:1]
	case memberShared:
		// Shared with a member two minutes after the chat was linked: the share a user
		// makes so that a chat participant can open the record.
		member := &users[l.picked[1]]
		g.plantShare(l, g.share(l, member.SystemUserID, "systemuser", 1, 0, l.created+120))
	case memberNotUser:
		g.outsider(conv, g.tenant, rolesOwner, false)
		g.plantWithoutRead(l)
	case memberNoRead:
		base := rights
		rights = func(i int) string {
			if i == last {
				return rightsNone
			}
			return base(i)
		}
		g.plantWithoutRead(l)
	case creatorDisabled:
		g.plantCreator("ACCESS-03", l, "disabled")
	case creatorNoRead:
		base := rights
		rights = func(i int) string {
			if i == 0 {
				return rightsNone
			}
			return base(i)
		}
		// The creator is a member too, so the chat has a member who cannot read.
		g.plantCreator("ACCESS-03", l, "no-read-access")
		g.plantWithoutRead(l)
	case guestMember:
		g.plantOutsider(l, g.outsider(conv, g.tenant, rolesGuest, true))
	case externalMember:
		g.plantOutsider(l, g.outsider(conv, g.a.guid(&g.r), nil, false))
	}
	g.access(l, rights)
	g.plantRow(l, v)
}

// makeTeams creates the teams channel links live in, about five channels to a team.
func (g *gen) makeTeams(channels int) {
	g.teams = make([]team, max(1, channels/5))
	for i := range g.teams {
		name := teamNames[g.r.intn(len(teamNames))]
		if i%7 == 0 {
			name = hostileTopics[(i/7+1)%len(hostileTopics)]
		}
		nick := g.a.join("team", g.a.hex(&g.r, 6))
		g.teams[i] = team{
			groupID: g.a.guid(&g.r),
			name:    name,
			siteURL: g.a.join("https://", g.domain[:len(g.domain)-len(".example")],
				".sharepoint.com/sites/", nick),
		}
	}
}

// channelLink builds one msdyn_teamscollaboration row and what hangs off it.
func (g *gen) channelLink(v variant, sp specials) {
	creator := -1
	if v == unlicensedCreator {
		creator = sp.unlicensed
	}
	size := max(2, g.o.MembersPerChat+g.r.intn(5)-2)
	l := g.newLink(size, creator, "channelLink")
	t := g.teams[g.r.intn(len(g.teams))]
	channelID := g.a.join("19:", g.a.hex(&g.r, 32), "@thread.tacv2")

	cols := g.systemColumns(l, 1)
	cols = append(cols, audit.Column{Name: "msdyn_channeltype", Value: int64(0)})
	g.s.ChannelLinks = append(g.s.ChannelLinks, audit.ChannelLink{
		ID: l.id, RegardingID: l.recordID, RegardingTable: l.table,
		TeamID: t.groupID, GroupID: t.groupID, ChannelID: channelID,
		ChannelName: channelNames[g.r.intn(len(channelNames))], TeamName: t.name,
		TeamSiteURL: t.siteURL, TenantID: g.tenant, StateCode: g.num(0),
		CreatedOn: l.createdOn, CreatedBy: g.s.Users[l.creator].SystemUserID, Extra: cols,
	})

	roles := func(i int) []string {
		if i == 0 {
			return rolesOwner
		}
		return nil
	}
	g.conversation(l, channelID, t.groupID, 0, roles)
	g.access(l, func(i int) string {
		if i == 0 {
			return rightsOwner
		}
		return rightsEdit
	})
	if v == unlicensedCreator {
		g.plantCreator("ACCESS-04", l, "")
	}
	g.cleanShares(l)
}

// chatSync writes Teams chat sync rows for the first clean chat link and about one in
// twenty after it: the chat's
// topic as subject, no description. STORE-03 puts a message body in one description.
func (g *gen) chatSync(plan []variant) {
	links := g.s.ChatLinks
	var picked []int
	for i := range links {
		if plan[i] == clean && (i%20 == 0 || len(picked) == 0) {
			picked = append(picked, i)
		}
	}
	g.s.ChatSync = make([]audit.ChatActivity, 0, len(picked))
	for _, i := range picked {
		row := &links[i]
		created := collectedAt.Unix() - int64(g.r.intn(90*day)) - 3600
		g.version += 1 + int64(g.r.intn(40))
		owner := row.CreatedBy
		g.s.ChatSync = append(g.s.ChatSync, audit.ChatActivity{
			ID: g.a.guid(&g.r), Subject: row.Name, TeamsChatID: row.ChatID,
			RegardingID: row.RegardingID, StateCode: g.num(1), CreatedOn: g.a.timestamp(created),
			Extra: []audit.Column{
				{Name: "activitytypecode", Value: "chat"},
				{Name: "statuscode", Value: int64(2)},
				{Name: "versionnumber", Value: g.version},
				{Name: "_ownerid_value", Value: owner},
				{Name: "modifiedon", Value: g.a.timestamp(created + 600)},
			},
		})
	}
	if g.on["STORE-03"] && len(g.s.ChatSync) > 0 {
		for range g.perVariant(len(g.s.ChatSync)) {
			a := &g.s.ChatSync[g.r.intn(len(g.s.ChatSync))]
			if a.Description == "" {
				a.Description = messageBody
				g.plant("STORE-03", "chatActivity", a.ID, "description")
			}
		}
	}
}
