package faketenant

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func TestGraphCollectionsPageAndMatchSnapshot(t *testing.T) {
	snap := testSnapshot()
	_, ts := start(t, snap, Options{GraphPageSize: 2})
	g := ts.URL + graphPrefix
	filter := func(f string) string { return "?$filter=" + url.QueryEscape(f) }
	grants := slices.DeleteFunc(slices.Clone(snap.DelegatedGrants),
		func(d audit.DelegatedGrant) bool { return d.ClientID != integrationID })

	cases := []struct {
		name      string
		path      string
		wantPages int
		check     func(t *testing.T, rows []json.RawMessage)
	}{
		{"G1 by appId", "/servicePrincipals" + filter("appId eq '"+audit.IntegrationAppID+"'"), 1,
			func(t *testing.T, rows []json.RawMessage) {
				sameJSON(t, "G1", rows, []audit.ServicePrincipal{*snap.Integration})
			}},
		{"G1 resource", "/servicePrincipals" + filter("appId eq '"+audit.GraphAppID+"'"), 1,
			func(t *testing.T, rows []json.RawMessage) {
				sameJSON(t, "G1", rows, snap.Resources)
			}},
		{"G1 nothing", "/servicePrincipals" + filter("appId eq 'nope'"), 1,
			func(t *testing.T, rows []json.RawMessage) {
				sameJSON(t, "G1", rows, []audit.ServicePrincipal{})
			}},
		{"G2 by name", "/servicePrincipals" + filter("displayName eq '"+
			snap.Integration.DisplayName+"'"), 1,
			func(t *testing.T, rows []json.RawMessage) {
				sameJSON(t, "G2", rows, []audit.ServicePrincipal{*snap.Integration})
			}},
		{"G3 grants", "/servicePrincipals/" + integrationID + "/oauth2PermissionGrants", 2,
			func(t *testing.T, rows []json.RawMessage) { sameJSON(t, "G3", rows, grants) }},
		{"G4 assignments", "/servicePrincipals/" + integrationID + "/appRoleAssignments", 1,
			func(t *testing.T, rows []json.RawMessage) {
				sameJSON(t, "G4", rows, snap.AppRoleAssignments)
			}},
		{"G6 chat members", "/chats/" + url.PathEscape(chatID) + "/members", 2,
			func(t *testing.T, rows []json.RawMessage) {
				sameJSON(t, "G6", rows, snap.Members[0].Members)
				for _, r := range rows {
					if !strings.Contains(string(r),
						`"@odata.type":"#microsoft.graph.aadUserConversationMember"`) {
						t.Errorf("member without @odata.type: %s", r)
					}
				}
			}},
		{"G7 channel members", "/teams/" + teamID + "/channels/" + url.PathEscape(channelID) +
			"/members", 1,
			func(t *testing.T, rows []json.RawMessage) {
				sameJSON(t, "G7", rows, snap.Members[1].Members)
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, pages := fetchAll(t, ts.URL, g+tc.path, nil)
			if pages != tc.wantPages {
				t.Errorf("pages = %d, want %d", pages, tc.wantPages)
			}
			tc.check(t, rows)
		})
	}
}

func TestChatIDMustBePercentEncoded(t *testing.T) {
	_, ts := start(t, testSnapshot(), Options{})
	// The SDK escapes ':' and '@'; an id escaped differently still decodes to the same.
	for _, path := range []string{
		"/chats/19%3Aabc123%40thread.v2/members",
		"/chats/19:abc123@thread.v2/members",
	} {
		if a := get(t, ts.URL+graphPrefix+path, nil); a.status != http.StatusOK {
			t.Errorf("%s: status %d: %s", path, a.status, a.body)
		}
	}
	// An id with a '/' escaped stays one segment, and names no chat.
	a := get(t, ts.URL+graphPrefix+"/chats/19%3Aabc%2F123%40thread.v2/members", nil)
	if a.status != http.StatusNotFound || a.errorCode(t) != graphNotFound {
		t.Errorf("escaped slash: status %d: %s", a.status, a.body)
	}
}

func TestGraphEntities(t *testing.T) {
	_, ts := start(t, testSnapshot(), Options{})
	g := ts.URL + graphPrefix
	const userSelect = "?$select=id,userPrincipalName,accountEnabled,assignedPlans"

	a := get(t, g+"/servicePrincipals/"+graphSPID+
		"?$select=id,appId,displayName,appOwnerOrganizationId,appRoles,oauth2PermissionScopes", nil)
	var sp map[string]json.RawMessage
	if err := json.Unmarshal(a.body, &sp); err != nil || a.status != http.StatusOK {
		t.Fatalf("G5: status %d, %v: %s", a.status, err, a.body)
	}
	if _, ok := sp["accountEnabled"]; ok {
		t.Errorf("G5 sent a field $select did not ask for: %s", a.body)
	}
	if !strings.Contains(string(sp["@odata.context"]), "/$entity") ||
		!strings.Contains(string(sp["appRoles"]), "User.Read.All") {
		t.Errorf("G5 shape: %s", a.body)
	}

	teams := func(body []byte) (enabled bool) {
		var u struct {
			AssignedPlans []struct{ ServicePlanID, CapabilityStatus string } `json:"assignedPlans"`
		}
		if err := json.Unmarshal(body, &u); err != nil {
			t.Fatalf("G8: %v", err)
		}
		for _, p := range u.AssignedPlans {
			if p.ServicePlanID == teams1PlanID && p.CapabilityStatus == "Enabled" {
				return true
			}
		}
		return false
	}
	if a := get(t, g+"/users/"+userA+userSelect, nil); a.status != 200 || !teams(a.body) {
		t.Errorf("licensed user: status %d: %s", a.status, a.body)
	}
	if a := get(t, g+"/users/"+userB+userSelect, nil); a.status != 200 || teams(a.body) {
		t.Errorf("unlicensed user: status %d: %s", a.status, a.body)
	}
	for _, id := range []string{userGone, "unknown"} {
		a := get(t, g+"/users/"+id+userSelect, nil)
		if a.status != http.StatusNotFound || a.errorCode(t) != graphNotFound {
			t.Errorf("user %s: status %d: %s", id, a.status, a.body)
		}
	}
	if a := get(t, g+"/servicePrincipals/unknown", nil); a.status != http.StatusNotFound {
		t.Errorf("unknown service principal: status %d", a.status)
	}
}

func TestConversationErrorsAnswerAsRecorded(t *testing.T) {
	_, ts := start(t, testSnapshot(), Options{})
	cases := []struct {
		chat   string
		status int
		code   string
	}{
		{deniedChatID, http.StatusForbidden, graphDenied},
		{goneChatID, http.StatusNotFound, graphNotFound},
		{"19:unknown@thread.v2", http.StatusNotFound, graphNotFound},
	}
	for _, tc := range cases {
		a := get(t, ts.URL+graphPrefix+"/chats/"+url.PathEscape(tc.chat)+"/members", nil)
		if a.status != tc.status || a.errorCode(t) != tc.code {
			t.Errorf("%s: status %d: %s", tc.chat, a.status, a.body)
		}
	}
}

func TestRequestsOutsideTheContractFail(t *testing.T) {
	_, ts := start(t, testSnapshot(), Options{})
	g, d := ts.URL+graphPrefix, ts.URL+dataversePrefix
	ids := make([]string, 51)
	for i := range ids {
		ids[i] = "'" + guid(1, i) + "'"
	}
	cases := []struct {
		name   string
		url    string
		status int
		code   string
	}{
		{"unknown Graph segment", g + "/groups", 400, graphBadRequest},
		{"members with a query option", g + "/chats/" + url.PathEscape(chatID) +
			"/members?$top=5", 400, graphBadRequest},
		{"unsupported Graph filter", g + "/servicePrincipals?$filter=" +
			url.QueryEscape("startswith(appId,'a')"), 400, graphBadRequest},
		{"bad skiptoken", g + "/servicePrincipals/" + integrationID +
			"/oauth2PermissionGrants?$skiptoken=forged", 400, graphBadRequest},
		{"unknown entity set", d + "/accounts", 404, dvSegmentNotFound},
		{"$top on Dataverse", d + "/msdyn_teamschatassociations?$top=5", 400, dvBadRequest},
		{"other D3 filter", d + "/chats?$filter=" + url.QueryEscape("statecode eq 0"), 400,
			dvBadRequest},
		{"unknown column", d + "/systemusers?$select=systemuserid,title", 400, dvBadRequest},
		{"more than 50 ids", d + "/principalobjectaccessset?$filter=" + url.QueryEscape(
			"Microsoft.Dynamics.CRM.In(PropertyName='objectid',PropertyValues=["+
				strings.Join(ids, ",")+"])"), 400, dvBadRequest},
	}
	for _, tc := range cases {
		a := get(t, tc.url, nil)
		if a.status != tc.status || a.errorCode(t) != tc.code {
			t.Errorf("%s: status %d: %s", tc.name, a.status, a.body)
		}
	}
	resp, err := http.Post(g+"/servicePrincipals", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusMethodNotAllowed {
		t.Errorf("POST: status %d", resp.StatusCode)
	}
}
