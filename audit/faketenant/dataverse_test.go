package faketenant

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

const (
	usersQuery = "?$select=systemuserid,azureactivedirectoryobjectid,applicationid," +
		"isdisabled,fullname,domainname"
	sharesQuery = "?$select=principalobjectaccessid,objectid,objecttypecode,principalid," +
		"principaltypecode,accessrightsmask,inheritedaccessrightsmask,changedon&$filter="
)

func sharesURL(ids ...string) string {
	quoted := make([]string, len(ids))
	for i, id := range ids {
		quoted[i] = "'" + id + "'"
	}
	return "/principalobjectaccessset" + sharesQuery + url.QueryEscape(
		"Microsoft.Dynamics.CRM.In(PropertyName='objectid',PropertyValues=["+
			strings.Join(quoted, ",")+"])")
}

func TestDataverseCollectionsPageAndMatchSnapshot(t *testing.T) {
	snap := testSnapshot()
	_, ts := start(t, snap, Options{})
	d := ts.URL + dataversePrefix
	synced := slices.DeleteFunc(slices.Clone(snap.ChatSync),
		func(a audit.ChatActivity) bool { return a.TeamsChatID == "" })

	cases := []struct {
		name      string
		path      string
		wantPages int
		check     func(t *testing.T, rows []json.RawMessage)
	}{
		{"D1 chat links", "/msdyn_teamschatassociations", 3,
			func(t *testing.T, rows []json.RawMessage) { sameJSON(t, "D1", rows, snap.ChatLinks) }},
		{"D2 channel links", "/msdyn_teamscollaborations", 1,
			func(t *testing.T, rows []json.RawMessage) {
				sameJSON(t, "D2", rows, snap.ChannelLinks)
			}},
		{"D3 chat sync", "/chats?$filter=" + url.QueryEscape("teamschatid ne null"), 1,
			func(t *testing.T, rows []json.RawMessage) { sameJSON(t, "D3", rows, synced) }},
		{"D4 users", "/systemusers" + usersQuery, 1,
			func(t *testing.T, rows []json.RawMessage) { sameJSON(t, "D4", rows, snap.Users) }},
		{"D7 shares", sharesURL(recordA, strings.ToUpper(recordB)), 2,
			func(t *testing.T, rows []json.RawMessage) { sameJSON(t, "D7", rows, snap.Shares) }},
		{"D7 one record", sharesURL(recordB), 1,
			func(t *testing.T, rows []json.RawMessage) {
				sameJSON(t, "D7", rows, snap.Shares[3:])
			}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rows, pages := fetchAll(t, ts.URL, d+tc.path, dvHeaders(3))
			if pages != tc.wantPages {
				t.Errorf("pages = %d, want %d", pages, tc.wantPages)
			}
			for _, r := range rows {
				if !strings.Contains(string(r), `"@odata.etag":"W/\"`) {
					t.Errorf("row without @odata.etag: %s", r)
				}
			}
			tc.check(t, rows)
		})
	}
}

func TestDataverseAnnotationsOnlyWhenAsked(t *testing.T) {
	snap := testSnapshot()
	_, ts := start(t, snap, Options{})
	u := ts.URL + dataversePrefix + "/msdyn_teamschatassociations"

	p := get(t, u, dvHeaders(5000)).page(t)
	var row map[string]any
	if err := json.Unmarshal(p.Value[0], &row); err != nil {
		t.Fatal(err)
	}
	want := map[string]any{
		"statecode" + formatted:               "Active",
		"msdyn_entityrecordstate" + formatted: "Associated",
		"createdon" + formatted:               "5/6/2025 7:08 AM",
		"_createdby_value" + formatted:        "Ada",
		"_createdby_value" + lookupTable:      "systemuser",
		"@odata.etag":                         `W/"1000"`,
	}
	for k, v := range want {
		if row[k] != v {
			t.Errorf("%s = %v, want %v", k, row[k], v)
		}
	}

	plain := dvHeaders(5000)
	plain.Set("Prefer", "odata.maxpagesize=5000")
	a := get(t, u, plain)
	if strings.Contains(string(a.body), formatted) {
		t.Errorf("formatted values sent without being asked for")
	}
	if got := a.header.Get("Preference-Applied"); got != "odata.maxpagesize=5000" {
		t.Errorf("Preference-Applied = %q", got)
	}
}

func TestDataversePageSize(t *testing.T) {
	snap := &audit.Snapshot{SchemaVersion: audit.SchemaVersion}
	for i := range MaxDataversePageSize + 1 {
		snap.Users = append(snap.Users, audit.SystemUser{SystemUserID: guid(7, i)})
	}
	cases := []struct {
		name    string
		prefer  string
		cap     int
		first   int
		applied string
	}{
		{"honours maxpagesize", "odata.maxpagesize=1000", 0, 1000, "odata.maxpagesize=1000"},
		{"5000 at most", "odata.maxpagesize=9000", 0, 5000, "odata.maxpagesize=5000"},
		{"5000 without Prefer", "", 0, 5000, ""},
		{"configured cap", "odata.maxpagesize=1000", 10, 10, "odata.maxpagesize=1000"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ts := start(t, snap, Options{DataversePageSize: tc.cap})
			h := http.Header{}
			if tc.prefer != "" {
				h.Set("Prefer", tc.prefer)
			}
			a := get(t, ts.URL+dataversePrefix+"/systemusers"+usersQuery, h)
			p := a.page(t)
			if len(p.Value) != tc.first || p.NextLink == "" {
				t.Errorf("first page: %d rows, nextLink %q", len(p.Value), p.NextLink)
			}
			if got := a.header.Get("Preference-Applied"); got != tc.applied {
				t.Errorf("Preference-Applied = %q, want %q", got, tc.applied)
			}
			if !strings.Contains(p.NextLink, "$select=systemuserid") ||
				!strings.Contains(p.NextLink, "$skiptoken=%3Ccookie+pagenumber%3D%222%22") {
				t.Errorf("nextLink lost the query or is not a paging cookie: %s", p.NextLink)
			}
		})
	}
}

func TestEntityDefinitions(t *testing.T) {
	_, ts := start(t, testSnapshot(), Options{})
	a := get(t, ts.URL+dataversePrefix+"/EntityDefinitions?$select=LogicalName,EntitySetName",
		dvHeaders(5000))
	var defs struct {
		Value []struct{ LogicalName, EntitySetName string }
	}
	if err := json.Unmarshal(a.body, &defs); err != nil {
		t.Fatal(err)
	}
	sets := map[string]string{}
	for _, v := range defs.Value {
		sets[v.LogicalName] = v.EntitySetName
	}
	for table, set := range map[string]string{"account": "accounts",
		"opportunity": "opportunities", "principalobjectaccess": "principalobjectaccessset",
		"msdyn_teamschatassociation": "msdyn_teamschatassociations"} {
		if sets[table] != set {
			t.Errorf("%s: set %q, want %q", table, sets[table], set)
		}
	}
}

func TestPrincipalAccess(t *testing.T) {
	_, ts := start(t, testSnapshot(), Options{})
	access := func(user, set, record string) string {
		return fmt.Sprintf("%s/systemusers(%s)/%s?@tid=%s", ts.URL+dataversePrefix, user,
			url.PathEscape(accessFunction),
			url.QueryEscape("{'@odata.id':'"+set+"("+record+")'}"))
	}
	a := get(t, access(sysA, "accounts", strings.ToUpper(recordA)), dvHeaders(5000))
	var ok struct {
		Context      string `json:"@odata.context"`
		AccessRights string
	}
	if err := json.Unmarshal(a.body, &ok); err != nil || a.status != 200 {
		t.Fatalf("status %d, %v: %s", a.status, err, a.body)
	}
	if ok.AccessRights != "ReadAccess, WriteAccess" ||
		!strings.HasSuffix(ok.Context, "RetrievePrincipalAccessResponse") {
		t.Errorf("answer: %s", a.body)
	}

	cases := []struct {
		name, user, set, record string
		status                  int
		code                    string
	}{
		{"recorded denial", sysB, "accounts", recordA, 403, dvPrivilege},
		{"recorded missing record", sysB, "opportunities", recordB, 404, dvNotFound},
		{"pair not checked", sysA, "opportunities", recordB, 404, dvNotFound},
		{"wrong table", sysA, "contacts", recordA, 404, dvNotFound},
		{"unknown set", sysA, "widgets", recordA, 404, dvSegmentNotFound},
	}
	for _, tc := range cases {
		a := get(t, access(tc.user, tc.set, tc.record), dvHeaders(5000))
		if a.status != tc.status || a.errorCode(t) != tc.code {
			t.Errorf("%s: status %d: %s", tc.name, a.status, a.body)
		}
	}
}
