package collect

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// fuzzMarker stands for a tenant value in fuzzed answers: no reason may repeat it.
const fuzzMarker = "TENANTVALUE"

// answerSeeds are answers in the shapes both APIs send, wrong types, broken JSON,
// next links and nesting. Pages are kept short by a page cap of 3.
var answerSeeds = []string{
	`{"value":[{"msdyn_teamschatassociationid":"a","msdyn_teamschatid":"19:x@thread.v2",` +
		`"statecode":0,"_createdby_value":"b","cr1_notes":"TENANTVALUE"}]}`,
	`{"value":[{"systemuserid":"6f1b9a3e-0c1d-4c39-9d7a-1b2c3d4e5f60","isdisabled":"TENANTVALUE"}]}`,
	`{"value":[{"id":"m","userId":"u","displayName":"TENANTVALUE","roles":["owner",1]}]}`,
	`{"value":[{"id":"g","clientId":"c","consentType":"AllPrincipals","resourceId":"r",` +
		`"scope":" Chat.ReadWrite.All "}],"@odata.nextLink":"NEXT"}`,
	`{"id":"u","accountEnabled":"TENANTVALUE","assignedPlans":[{"servicePlanId":` +
		`"57ff2da0-773e-42df-b2af-ffb7a2317929","capabilityStatus":"Enabled"}]}`,
	`{"@odata.context":"x","AccessRights":"ReadAccess, TENANTVALUE"}`,
	`{"value":[{"LogicalName":"account","EntitySetName":"accounts"}]}`,
	`{"value":[{"statecode":1e400,"msdyn_teamschatid":{"TENANTVALUE":[1,2]}}]}`,
	`{"value":"TENANTVALUE"}`, `{"value":[` + strings.Repeat("[", 5000) + `]}`,
	`{"value":[{"TENANTVALUE`, `[]`, `null`, ``, `{"value":null,"@odata.nextLink":5}`,
	`{"value":[],"@odata.nextLink":"https://elsewhere.example/TENANTVALUE"}`,
	`{"value":[],"@Microsoft.Dynamics.CRM.morerecords":true}`,
}

// fuzzServer answers every request with the body held in answer; NEXT in it stands
// for the absolute URL of the request, so a fuzzed answer can link back to itself.
func fuzzServer(f *testing.F) (string, *atomic.Value) {
	var answer atomic.Value
	answer.Store([]byte{})
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body := strings.ReplaceAll(string(answer.Load().([]byte)), "NEXT",
			"http://"+r.Host+r.URL.RequestURI())
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}))
	f.Cleanup(ts.Close)
	return ts.URL, &answer
}

func fuzzOptions(f *testing.F, base string) Options {
	o, err := Options{GraphURL: base + "/v1.0", DataverseURL: base, PageCap: 3,
		clock: &fakeClock{}}.withDefaults()
	if err != nil {
		f.Fatal(err)
	}
	return o
}

// FuzzDecodeAnswers hands one answer to every reader of both APIs. Each must return
// evidence or a shortfall with a reason, never panic, and never quote the answer.
func FuzzDecodeAnswers(f *testing.F) {
	for _, s := range answerSeeds {
		f.Add([]byte(s))
	}
	base, answer := fuzzServer(f)
	o := fuzzOptions(f, base)
	d := newDataverse(o, nil, newBudget(o.RetryBudget))
	g, err := newGraphClient(o, nil, newBudget(o.RetryBudget))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		answer.Store(body)
		ctx := withRun(context.Background(), newRun(audit.SourceChatLinks, nil))
		check := func(what string, s *shortfall) {
			if s == nil {
				return
			}
			if s.reason == "" || strings.ContainsAny(s.reason, "\r\n") {
				t.Errorf("%s: reason %q is blank or not one line", what, s.reason)
			}
			if strings.Contains(s.reason, fuzzMarker) {
				t.Errorf("%s: reason quotes the answer: %q", what, s.reason)
			}
		}
		_, s := d.chatLinks(ctx)
		check("chat links", s)
		_, s = d.systemUsers(ctx)
		check("users", s)
		_, s = d.entitySets(ctx)
		check("entity sets", s)
		_, s = d.shares(ctx, []string{"6f1b9a3e-0c1d-4c39-9d7a-1b2c3d4e5f60"})
		check("shares", s)
		if _, fl := d.access(ctx, "u", "accounts", "r"); fl != nil {
			if msg := fl.reason(needAccess, o.RetryBudget); strings.Contains(msg, fuzzMarker) {
				t.Errorf("access: reason quotes the answer: %q", msg)
			}
		}
		_, s = g.delegatedGrants(ctx, "sp")
		check("delegated grants", s)
		_, s = g.chatMembers(ctx, "19:x@thread.v2")
		check("members", s)
		_, _, s = g.user(ctx, "u")
		check("user", s)
	})
}
