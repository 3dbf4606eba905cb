package tenantgen

// How the link controls name their findings (policies/access, policies/store): the
// link as resource, and a key that says what is wrong with it. Kept in one place so
// that it follows the controls if they change.

// withoutRead is ACCESS-02's one observation per link, however many members it lists.
func (g *gen) plantWithoutRead(l *link) {
	g.plant("ACCESS-02", l.resourceType, l.id, "members-without-read")
}

func (g *gen) plantShare(l *link, shareID string) {
	g.plant("ACCESS-01", l.resourceType, l.id, "share:"+shareID)
}

// plantCreator records ACCESS-03 ("disabled", "no-read-access") and ACCESS-04.
func (g *gen) plantCreator(control string, l *link, reason string) {
	if control == "ACCESS-04" {
		reason = "creator:" + g.s.Users[l.creator].SystemUserID
	}
	g.plant(control, l.resourceType, l.id, reason)
}

func (g *gen) plantOutsider(l *link, userID string) {
	g.plant("ACCESS-05", l.resourceType, l.id, "member:"+userID)
	g.plantWithoutRead(l)
}

// plantRow records the violations that lie in the link row itself, keyed by column.
func (g *gen) plantRow(l *link, v variant) {
	switch v {
	case malformedChatID, channelIDInChat:
		g.plant("STORE-01", l.resourceType, l.id, "msdyn_teamschatid")
	case messageColumn:
		g.plant("STORE-02", l.resourceType, l.id, "msdyn_lastmessagepreview")
	case messageInName:
		g.plant("STORE-02", l.resourceType, l.id, "msdyn_teamschatassociationname")
	}
}
