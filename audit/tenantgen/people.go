package tenantgen

import (
	"strings"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// Special users, appended after the regular pool when a violation needs them, so that
// they appear in no link but the planted ones.
type specials struct {
	disabled   int // ACCESS-03: a creator who has since left
	unlicensed int // ACCESS-04: a creator without Teams
}

// people builds the systemusers: a pool of regular users, the first third of whom
// create links, two application users, and the special users violations need.
func (g *gen) people() specials {
	n := min(max(g.o.Links/20+12, 12), 100_000)
	g.regular = n
	g.creators = max(3, n/3)
	g.s.Users = make([]audit.SystemUser, 0, n+4)
	g.users = make([]userInfo, 0, n+4)

	for i := range n {
		first := firstNames[g.r.intn(len(firstNames))]
		last := lastNames[g.r.intn(len(lastNames))]
		name := g.a.join(first, " ", last)
		upn := g.a.join(strings.ToLower(first), ".", strings.ToLower(last), ".",
			g.a.decimal(i+1), "@", g.domain)
		if h := i % 50; h >= 1 && h <= len(hostileUserNames) {
			name = hostileUserNames[h-1]
			upn = g.a.join("user.", g.a.decimal(i+1), "@", g.domain)
		}
		g.addUser(name, upn, "", false)
	}

	// Application users: service identities with an applicationid, never chat members.
	g.addUser("# Teams Integration Service", g.a.join("teams-integration@", g.domain),
		audit.IntegrationAppID, false)
	g.addUser("# Dataverse Search", g.a.join("dataverse-search@", g.domain), g.a.guid(&g.r), false)

	sp := specials{disabled: -1, unlicensed: -1}
	if g.on["ACCESS-03"] {
		sp.disabled = g.addUser("Tamsel Greymantle", g.a.join("tamsel.greymantle@", g.domain), "", true)
	}
	if g.on["ACCESS-04"] {
		sp.unlicensed = g.addUser("Orrin Valewright", g.a.join("orrin.valewright@", g.domain), "", false)
	}
	if g.on["SCOPE-05"] {
		g.perUserGrant(g.s.Users[n-1].AADObjectID)
	}
	return sp
}

// addUser appends a systemuser and returns its index.
func (g *gen) addUser(name, upn, appID string, disabled bool) int {
	i := len(g.s.Users)
	u := audit.SystemUser{
		SystemUserID:  g.a.guid(&g.r),
		AADObjectID:   g.a.guid(&g.r),
		ApplicationID: appID,
		IsDisabled:    g.flag(disabled),
		FullName:      name,
		DomainName:    upn,
	}
	g.s.Users = append(g.s.Users, u)
	g.users = append(g.users, userInfo{idAny: u.SystemUserID})
	return i
}

// licences reads every link creator's Teams licence, as the collector does.
func (g *gen) licences(sp specials) {
	n := 0
	for _, u := range g.users {
		if u.created {
			n++
		}
	}
	g.s.Licences = make([]audit.Licence, 0, n)
	for i, u := range g.users {
		if !u.created {
			continue
		}
		user := &g.s.Users[i]
		g.s.Licences = append(g.s.Licences, audit.Licence{
			UserID:            user.AADObjectID,
			UserPrincipalName: user.DomainName,
			AccountEnabled:    g.flag(!*user.IsDisabled),
			TeamsEnabled:      i != sp.unlicensed,
		})
	}
}
