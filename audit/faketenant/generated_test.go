package faketenant

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
	"github.com/teamschat-audit/teamschat-audit/audit/tenantgen"
)

// TestServesGeneratedTenantFaithfully reads every collection of a generated tenant, with
// every violation planted, page by page, and compares it with the snapshot: what the
// fake sends decodes back to the evidence it was given.
func TestServesGeneratedTenantFaithfully(t *testing.T) {
	snap, _ := tenantgen.Generate(tenantgen.Options{Links: 40, Seed: 5,
		Violations: []string{"all"}, ChannelFraction: 0.3})
	_, ts := start(t, snap, Options{GraphPageSize: 3})
	g, d := ts.URL+graphPrefix, ts.URL+dataversePrefix
	h := dvHeaders(7)

	rows, _ := fetchAll(t, ts.URL, d+"/msdyn_teamschatassociations", h)
	sameJSON(t, "D1", rows, snap.ChatLinks)
	rows, _ = fetchAll(t, ts.URL, d+"/msdyn_teamscollaborations", h)
	sameJSON(t, "D2", rows, snap.ChannelLinks)
	rows, _ = fetchAll(t, ts.URL, d+"/chats?$filter="+url.QueryEscape("teamschatid ne null"), h)
	sameJSON(t, "D3", rows, slices.DeleteFunc(slices.Clone(snap.ChatSync),
		func(a audit.ChatActivity) bool { return a.TeamsChatID == "" }))
	rows, _ = fetchAll(t, ts.URL, d+"/systemusers"+usersQuery, h)
	sameJSON(t, "D4", rows, snap.Users)

	var records []string
	for _, sh := range snap.Shares {
		if !slices.Contains(records, sh.ObjectID) {
			records = append(records, sh.ObjectID)
		}
	}
	for _, rec := range records {
		rows, _ = fetchAll(t, ts.URL, d+sharesURL(rec), h)
		sameJSON(t, "D7 "+rec, rows, slices.DeleteFunc(slices.Clone(snap.Shares),
			func(s audit.Share) bool { return s.ObjectID != rec }))
	}

	if snap.Integration == nil {
		t.Fatal("generated tenant has no integration")
	}
	sp := snap.Integration.ID
	rows, _ = fetchAll(t, ts.URL, g+"/servicePrincipals/"+sp+"/oauth2PermissionGrants", nil)
	sameJSON(t, "G3", rows, slices.DeleteFunc(slices.Clone(snap.DelegatedGrants),
		func(x audit.DelegatedGrant) bool { return x.ClientID != sp }))
	rows, _ = fetchAll(t, ts.URL, g+"/servicePrincipals/"+sp+"/appRoleAssignments", nil)
	sameJSON(t, "G4", rows, slices.DeleteFunc(slices.Clone(snap.AppRoleAssignments),
		func(x audit.AppRoleAssignment) bool { return x.PrincipalID != sp }))

	// A conversation listed twice is served as its last listing, as the engine's own
	// index reads it.
	last := map[string]int{}
	for i, c := range snap.Members {
		last[c.TeamID+"|"+c.ConversationID] = i
	}
	for i, c := range snap.Members {
		if c.Error != "" || last[c.TeamID+"|"+c.ConversationID] != i {
			continue
		}
		path := "/chats/" + url.PathEscape(c.ConversationID) + "/members"
		if c.TeamID != "" {
			path = "/teams/" + c.TeamID + "/channels/" + url.PathEscape(c.ConversationID) +
				"/members"
		}
		rows, _ = fetchAll(t, ts.URL, g+path, nil)
		sameJSON(t, "members of "+c.ConversationID, rows, c.Members)
	}

	srv, _ := New(snap, Options{})
	for _, a := range snap.Access {
		u := d + "/systemusers(" + a.SystemUserID + ")/" + accessFunction + "?@tid=" +
			url.QueryEscape("{'@odata.id':'"+srv.ix.setOf[a.RecordTable]+"("+a.RecordID+")'}")
		ans := get(t, u, h)
		var body struct{ AccessRights string }
		_ = json.Unmarshal(ans.body, &body)
		if (a.Error == "") != (ans.status == 200) || body.AccessRights != a.AccessRights {
			t.Errorf("D6 %s on %s: status %d: %s", a.SystemUserID, a.RecordID, ans.status,
				ans.body)
		}
	}
	for _, l := range snap.Licences {
		ans := get(t, g+"/users/"+l.UserID+"?$select=id,userPrincipalName,accountEnabled,"+
			"assignedPlans", nil)
		enabled := strings.Contains(string(ans.body), `"capabilityStatus":"Enabled",`+
			`"service":"TeamspaceAPI"`)
		if (l.Error == "") != (ans.status == 200) || enabled != l.TeamsEnabled {
			t.Errorf("G8 %s: status %d: %s", l.UserID, ans.status, ans.body)
		}
	}
}
