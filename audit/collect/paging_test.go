package collect

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// pages serves a collection as numbered pages: page i answers bodies[i], in which
// NEXT(j) stands for the absolute link to page j.
func pages(bodies ...string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		i := 0
		_, _ = fmt.Sscan(r.URL.Query().Get("page"), &i)
		if i >= len(bodies) {
			http.NotFound(w, r)
			return
		}
		body := bodies[i]
		for j := range bodies {
			body = strings.ReplaceAll(body, fmt.Sprintf("NEXT(%d)", j),
				fmt.Sprintf("http://%s%s?page=%d", r.Host, r.URL.Path, j))
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	})
}

const (
	rowA = `{"msdyn_teamschatassociationid":"a"}`
	rowB = `{"msdyn_teamschatassociationid":"b"}`
)

func TestDataversePaging(t *testing.T) {
	cases := []struct {
		name    string
		bodies  []string
		pageCap int
		rows    int
		status  audit.Status // empty: complete
		reason  string
	}{
		{"one page", []string{`{"value":[` + rowA + `]}`}, 0, 1, "", ""},
		{"empty next link ends", []string{`{"value":[` + rowA + `],"@odata.nextLink":""}`},
			0, 1, "", ""},
		{"empty page with a next link is followed", []string{
			`{"value":[],"@odata.nextLink":"NEXT(1)"}`, `{"value":[` + rowB + `]}`}, 0, 1, "", ""},
		{"two pages", []string{`{"value":[` + rowA + `],"@odata.nextLink":"NEXT(1)"}`,
			`{"value":[` + rowB + `]}`}, 0, 2, "", ""},
		{"repeating next link", []string{`{"value":[` + rowA + `],"@odata.nextLink":"NEXT(1)"}`,
			`{"value":[` + rowB + `],"@odata.nextLink":"NEXT(1)"}`}, 0, 2,
			audit.StatusIncomplete, "sent before"},
		{"page cap", []string{`{"value":[` + rowA + `],"@odata.nextLink":"NEXT(1)"}`,
			`{"value":[` + rowB + `],"@odata.nextLink":"NEXT(2)"}`, `{"value":[]}`}, 2, 2,
			audit.StatusIncomplete, "more than 2 pages"},
		{"morerecords without a next link", []string{
			`{"value":[` + rowA + `],"@Microsoft.Dynamics.CRM.morerecords":true}`}, 0, 1,
			audit.StatusIncomplete, "more records exist"},
		{"truncated JSON", []string{`{"value":[` + rowA + `,{"msdyn_te`}, 0, 0,
			audit.StatusError, "truncated JSON"},
		{"truncated on page two", []string{`{"value":[` + rowA + `],"@odata.nextLink":"NEXT(1)"}`,
			`{"value":[`}, 0, 1, audit.StatusIncomplete, "after 1 pages"},
		{"next link to another host", []string{
			`{"value":[` + rowA + `],"@odata.nextLink":"https://elsewhere.example/x"}`}, 0, 1,
			audit.StatusIncomplete, "points outside"},
		{"row of the wrong shape", []string{`{"value":[` + rowA + `,["not","a","row"]]}`}, 0, 1,
			audit.StatusIncomplete, "1 rows of chat links"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, _ := testDataverse(t, pages(tc.bodies...), Options{PageCap: tc.pageCap})
			got, short := d.chatLinks(withRun(context.Background(),
				newRun(audit.SourceChatLinks, nil)))
			if len(got) != tc.rows {
				t.Errorf("%d rows, want %d", len(got), tc.rows)
			}
			switch {
			case tc.status == "" && short != nil:
				t.Errorf("not complete: %s", short.reason)
			case tc.status != "" && (short == nil || short.status != tc.status ||
				!strings.Contains(short.reason, tc.reason)):
				t.Errorf("shortfall %+v, want %s with %q", short, tc.status, tc.reason)
			}
		})
	}
}

func TestDataverseErrors(t *testing.T) {
	cases := []struct {
		status int
		want   string
	}{
		{403, "Dataverse answered 403 0x80040220 for users (systemuser): give the auditor's " +
			"application user a security role with organization-wide Read on systemuser"},
		{401, "answered 401 for users (systemuser): the credential was refused"},
		{404, "Dataverse answered 404 0x80040220 for users (systemuser)"},
	}
	for _, tc := range cases {
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(tc.status)
			_, _ = w.Write([]byte(`{"error":{"code":"0x80040220","message":"denied"}}`))
		})
		d, _ := testDataverse(t, h, Options{})
		_, short := d.systemUsers(withRun(context.Background(), newRun(audit.SourceUsers, nil)))
		if short == nil || short.status != audit.StatusError || !strings.Contains(short.reason, tc.want) {
			t.Errorf("%d: shortfall %+v, want error with %q", tc.status, short, tc.want)
		}
	}
}

func testGraph(t *testing.T, h http.Handler) *graphClient {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	o, err := Options{GraphURL: ts.URL + "/v1.0", DataverseURL: ts.URL,
		clock: &fakeClock{}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	g, err := newGraphClient(o, nil, newBudget(o.RetryBudget))
	if err != nil {
		t.Fatal(err)
	}
	return g
}

// Graph objects with absent and null fields become evidence with empty values; an
// untyped member keeps its userId; nothing panics and nothing is dropped.
func TestGraphNilFields(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/v1.0/chats/{id}/members", pages(
		`{"value":[{"@odata.type":"#microsoft.graph.aadUserConversationMember","id":"m1",`+
			`"displayName":null,"roles":null,"userId":"u1","email":null},`+
			`{"id":"m2","userId":"u2"},{},null],"@odata.nextLink":"NEXT(1)"}`,
		`{"value":[]}`))
	mux.Handle("/v1.0/servicePrincipals/{id}/appRoleAssignments", pages(
		`{"value":[{"id":"x","appRoleId":null,"createdDateTime":null},{}]}`))
	g := testGraph(t, mux)
	ctx := withRun(context.Background(), newRun(audit.SourceMembers, nil))

	members, short := g.chatMembers(ctx, "19:abc@thread.v2")
	if short != nil {
		t.Fatal(short.reason)
	}
	want := []audit.Member{{ID: "m1", UserID: "u1"}, {ID: "m2", UserID: "u2"}, {}}
	if fmt.Sprint(members) != fmt.Sprint(want) {
		t.Errorf("members = %+v, want %+v", members, want)
	}
	roles, short := g.appRoleAssignments(ctx, "sp")
	if short != nil || len(roles) != 2 || roles[0].ID != "x" || roles[0].AppRoleID != "" {
		t.Errorf("assignments = %+v, %v", roles, short)
	}
}

func TestGraphRepeatingLinkAnd403(t *testing.T) {
	mux := http.NewServeMux()
	mux.Handle("/v1.0/servicePrincipals/{id}/oauth2PermissionGrants", pages(
		`{"value":[{"id":"g1"}],"@odata.nextLink":"NEXT(1)"}`,
		`{"value":[{"id":"g2"}],"@odata.nextLink":"NEXT(1)"}`))
	mux.HandleFunc("/v1.0/chats/{id}/members", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(403)
		_, _ = w.Write([]byte(`{"error":{"code":"Forbidden","message":"Missing role"}}`))
	})
	g := testGraph(t, mux)
	ctx := withRun(context.Background(), newRun(audit.SourceDelegated, nil))

	grants, short := g.delegatedGrants(ctx, "sp")
	if len(grants) != 2 || short == nil || short.status != audit.StatusIncomplete ||
		!strings.Contains(short.reason, "sent before") {
		t.Errorf("grants %d, shortfall %+v", len(grants), short)
	}
	_, short = g.chatMembers(ctx, "19:abc@thread.v2")
	want := "Graph answered 403 Forbidden for chat members: grant ChatMember.Read.All"
	if short == nil || !strings.Contains(short.reason, want) {
		t.Errorf("shortfall %+v, want %q", short, want)
	}
}
