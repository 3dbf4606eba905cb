package tenantgen

// How the link controls name their findings: the link as resource, and as key the
// member's Entra object id, the creator's systemuserid, or the column at fault. Kept
// in one place so that it follows the controls if they change.

func (g *gen) plantMember(control string, l *link, userID string) {
	g.plant(control, l.resourceType, l.id, userID)
}

func (g *gen) plantCreator(control string, l *link) {
	g.plant(control, l.resourceType, l.id, g.s.Users[l.creator].SystemUserID)
}

// plantRow records the violations that lie in the link row itself.
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
