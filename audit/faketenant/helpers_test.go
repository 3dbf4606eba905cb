package faketenant

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

const (
	integrationID = "11111111-0000-0000-0000-000000000001"
	graphSPID     = "11111111-0000-0000-0000-000000000002"
	chatID        = "19:abc123@thread.v2"
	deniedChatID  = "19:denied@thread.v2"
	goneChatID    = "19:meeting_gone@thread.v2"
	teamID        = "22222222-0000-0000-0000-000000000001"
	channelID     = "19:chan1@thread.tacv2"
	userA         = "33333333-0000-0000-0000-00000000000a"
	userB         = "33333333-0000-0000-0000-00000000000b"
	userGone      = "33333333-0000-0000-0000-00000000000c"
	sysA          = "44444444-0000-0000-0000-00000000000a"
	sysB          = "44444444-0000-0000-0000-00000000000b"
	recordA       = "55555555-0000-0000-0000-00000000000a"
	recordB       = "55555555-0000-0000-0000-00000000000b"
)

func ptr[T any](v T) *T { return &v }

// testSnapshot is a small tenant with one of everything, and enough items in each
// collection to page at size 2 or 3.
func testSnapshot() *audit.Snapshot {
	yes := ptr(true)
	s := &audit.Snapshot{SchemaVersion: audit.SchemaVersion}
	s.Integration = &audit.ServicePrincipal{ID: integrationID, AppID: audit.IntegrationAppID,
		DisplayName: "Dynamics 365 collaboration with Microsoft Teams", AccountEnabled: yes,
		AppOwnerOrganizationID: "f8cdef31-a31e-4b4a-93e4-5f571e91255a"}
	s.Resources = []audit.ServicePrincipal{{ID: graphSPID, AppID: audit.GraphAppID,
		DisplayName: "Microsoft Graph", AccountEnabled: yes,
		AppRoles: []audit.AppRole{{ID: "df021288-bdef-4463-88db-98f22de89214",
			Value: "User.Read.All", AllowedMemberTypes: []string{"Application"}, IsEnabled: yes}},
		OAuth2PermissionScopes: []audit.PermissionScope{{ID: "7e9a077b-3711-42b9-b7cb-5fa5f3f7fea7",
			Value: "Chat.ReadWrite.All", Type: "Admin", IsEnabled: yes}}}}
	for i, scope := range []string{"Chat.ReadWrite.All", "User.ReadBasic.All", "Presence.Read.All"} {
		g := audit.DelegatedGrant{ID: "grant-" + scope, ClientID: integrationID,
			ConsentType: "AllPrincipals", ResourceID: graphSPID, Scope: scope}
		if i == 2 {
			g.ConsentType, g.PrincipalID = "Principal", userA
		}
		s.DelegatedGrants = append(s.DelegatedGrants, g)
	}
	s.DelegatedGrants = append(s.DelegatedGrants, audit.DelegatedGrant{ID: "other",
		ClientID: graphSPID, ConsentType: "AllPrincipals", ResourceID: graphSPID, Scope: "x"})
	s.AppRoleAssignments = []audit.AppRoleAssignment{
		{ID: "ara-1", AppRoleID: "df021288-bdef-4463-88db-98f22de89214",
			PrincipalID: integrationID, PrincipalType: "ServicePrincipal", ResourceID: graphSPID,
			ResourceDisplayName: "Microsoft Graph", CreatedDateTime: "2024-01-02T03:04:05Z"},
		{ID: "ara-2", AppRoleID: audit.NoPermissionRoleID, PrincipalID: integrationID,
			ResourceID: graphSPID},
	}

	for i := range 7 {
		s.ChatLinks = append(s.ChatLinks, audit.ChatLink{
			ID: guid(0x60, i), Name: "link", ChatID: chatID, RegardingID: recordA,
			RegardingTable: "account", RecordState: ptr(i % 2), StateCode: ptr(0),
			CreatedOn: "2025-05-06T07:08:09Z", CreatedBy: sysA,
			Extra: []audit.Column{{Name: "versionnumber", Value: int64(1000 + i)},
				{Name: "statuscode", Value: int64(1)}},
		})
	}
	s.ChannelLinks = []audit.ChannelLink{{ID: guid(0x70, 0), RegardingID: recordB,
		RegardingTable: "opportunity", TeamID: teamID, ChannelID: channelID,
		ChannelName: "General", StateCode: ptr(0), CreatedBy: sysB,
		Extra: []audit.Column{{Name: "msdyn_channeltype", Value: "standard"}}}}
	for i := range 4 {
		a := audit.ChatActivity{ID: guid(0x80, i), Subject: "topic", TeamsChatID: chatID,
			StateCode: ptr(1)}
		if i == 3 {
			a.TeamsChatID = "" // not a Teams chat: the D3 filter leaves it out
		}
		s.ChatSync = append(s.ChatSync, a)
	}

	s.Members = []audit.Conversation{
		{ConversationID: chatID, Members: []audit.Member{
			{ID: "m1", UserID: userA, DisplayName: "Ada", Roles: []string{"owner"}, TenantID: "t"},
			{ID: "m2", UserID: userB, DisplayName: "Bo", Email: "bo@example.com", TenantID: "t"},
			{ID: "m3", UserID: userGone, Roles: []string{"guest"}, TenantID: "other"},
		}},
		{ConversationID: channelID, TeamID: teamID, Members: []audit.Member{
			{ID: "c1", UserID: userB, Roles: []string{"owner"}}}},
		{ConversationID: deniedChatID, Error: "forbidden: Authorization_RequestDenied"},
		{ConversationID: goneChatID, Error: "chat not found"},
	}
	s.Users = []audit.SystemUser{
		{SystemUserID: sysA, AADObjectID: userA, IsDisabled: ptr(false), FullName: "Ada"},
		{SystemUserID: sysB, AADObjectID: userB, IsDisabled: ptr(true), FullName: "Bo",
			DomainName: "bo@example.com"},
		{SystemUserID: guid(0x90, 0), ApplicationID: "app", FullName: "App user"},
	}
	s.Licences = []audit.Licence{
		{UserID: userA, UserPrincipalName: "ada@example.com", AccountEnabled: yes,
			TeamsEnabled: true},
		{UserID: userB, UserPrincipalName: "bo@example.com", AccountEnabled: yes},
		{UserID: userGone, Error: "user not found"},
	}
	s.Access = []audit.AccessCheck{
		{SystemUserID: sysA, RecordTable: "account", RecordID: recordA,
			AccessRights: "ReadAccess, WriteAccess"},
		{SystemUserID: sysB, RecordTable: "account", RecordID: recordA, Error: "forbidden"},
		{SystemUserID: sysB, RecordTable: "opportunity", RecordID: recordB,
			Error: "record does not exist"},
	}
	for i := range 5 {
		rec := recordA
		if i >= 3 {
			rec = recordB
		}
		s.Shares = append(s.Shares, audit.Share{ID: guid(0xa0, i), ObjectID: rec,
			ObjectTypeCode: "account", PrincipalID: sysB, PrincipalTypeCode: "systemuser",
			AccessRightsMask: 1 << (i + 10), ChangedOn: "2025-01-01T00:00:00Z"})
	}
	return s
}

func guid(prefix, i int) string { return fmt.Sprintf("%08x-0000-0000-0000-%012x", prefix, i) }

// start serves snap over loopback HTTP.
func start(t *testing.T, snap *audit.Snapshot, opts Options) (*Server, *httptest.Server) {
	t.Helper()
	srv, err := New(snap, opts)
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv)
	t.Cleanup(ts.Close)
	return srv, ts
}

// dvHeaders are the headers the collector sends to Dataverse.
func dvHeaders(maxPage int) http.Header {
	h := http.Header{}
	h.Set("Accept", "application/json")
	h.Set("OData-MaxVersion", "4.0")
	h.Set("OData-Version", "4.0")
	h.Set("Prefer", "odata.maxpagesize="+strconv.Itoa(maxPage)+`, odata.include-annotations="*"`)
	h.Set("Authorization", "Bearer not-a-token")
	return h
}

func jsonString(v any) string { b, _ := json.Marshal(v); return string(b) }

type answer struct {
	status int
	header http.Header
	body   []byte
}

func get(t *testing.T, url string, h http.Header) answer {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	if h != nil {
		req.Header = h.Clone()
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("GET %s: read body: %v", url, err)
	}
	return answer{status: resp.StatusCode, header: resp.Header, body: b}
}

type page struct {
	Context  string            `json:"@odata.context"`
	NextLink string            `json:"@odata.nextLink"`
	Value    []json.RawMessage `json:"value"`
}

func (a answer) page(t *testing.T) page {
	t.Helper()
	var p page
	if err := json.Unmarshal(a.body, &p); err != nil {
		t.Fatalf("decode page: %v: %s", err, a.body)
	}
	return p
}

// errorCode returns the error body's code, failing when the body is not an error.
func (a answer) errorCode(t *testing.T) string {
	t.Helper()
	var e struct {
		Error struct{ Code, Message string } `json:"error"`
	}
	if err := json.Unmarshal(a.body, &e); err != nil || e.Error.Code == "" ||
		e.Error.Message == "" {
		t.Fatalf("not an error body (%v): %s", err, a.body)
	}
	return e.Error.Code
}

// fetchAll follows nextLinks from url and returns every row and the number of pages.
// It stops after maxPages so a looping server cannot hang the test.
func fetchAll(t *testing.T, base, url string, h http.Header) ([]json.RawMessage, int) {
	t.Helper()
	const maxPages = 100
	var rows []json.RawMessage
	for pages := 1; pages <= maxPages; pages++ {
		a := get(t, url, h)
		if a.status != http.StatusOK {
			t.Fatalf("GET %s: status %d: %s", url, a.status, a.body)
		}
		p := a.page(t)
		if p.Context == "" {
			t.Fatalf("page without @odata.context: %s", a.body)
		}
		rows = append(rows, p.Value...)
		if p.NextLink == "" {
			return rows, pages
		}
		if !strings.HasPrefix(p.NextLink, base+"/") {
			t.Fatalf("nextLink %q is not absolute under %s", p.NextLink, base)
		}
		url = p.NextLink
	}
	t.Fatalf("more than %d pages from %s", maxPages, url)
	return nil, 0
}

// sameJSON fails unless got, decoded into T and encoded again, equals want encoded:
// the evidence types' own encoding is the comparison, so [] and null lists agree.
func sameJSON[T any](t *testing.T, what string, rows []json.RawMessage, want []T) {
	t.Helper()
	got := make([]T, len(rows))
	for i, r := range rows {
		if err := json.Unmarshal(r, &got[i]); err != nil {
			t.Fatalf("%s: row %d: %v", what, i, err)
		}
	}
	if g, w := jsonString(got), jsonString(orEmpty(want)); g != w {
		t.Errorf("%s:\n got %s\nwant %s", what, g, w)
	}
}
