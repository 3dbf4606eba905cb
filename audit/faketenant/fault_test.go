package faketenant

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	cases := []struct {
		in   string
		want Fault
	}{
		{"route=D6,kind=429,retry-after=1,every=7",
			Fault{Route: "D6", Kind: Fault429, RetryAfter: "1", Every: 7}},
		{"kind=503,retry-after=0.5,times=3", Fault{Kind: Fault503, RetryAfter: "0.5", Times: 3}},
		{"kind=slow,delay=150ms,route=graph", Fault{Kind: FaultSlow, Delay: 150 * time.Millisecond,
			Route: ScopeGraph}},
		{"kind=concurrency,limit=4,code=0x80072321,route=dataverse",
			Fault{Kind: FaultConcurrency, Limit: 4, Code: "0x80072321", Route: ScopeDataverse}},
		{"kind=truncate, route=all", Fault{Kind: FaultTruncate, Route: ScopeAll}},
	}
	for _, tc := range cases {
		got, err := ParseFault(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("ParseFault(%q) = %+v, %v; want %+v", tc.in, got, err, tc.want)
			continue
		}
		if again, err := ParseFault(got.String()); err != nil || again != got {
			t.Errorf("String %q does not read back: %+v, %v", got.String(), again, err)
		}
	}
	for _, bad := range []string{"", "route=D6", "kind=418", "kind=429,route=G9",
		"kind=429,every=x", "kind=429,retry-after=soon", "kind=slow,delay=1", "kind=429,colour=red",
		"kind=429,times=-1", "kind"} {
		if f, err := ParseFault(bad); err == nil {
			t.Errorf("ParseFault(%q) = %+v, want an error", bad, f)
		}
	}
}

func TestRecoverableFaultsHitBoundedTimes(t *testing.T) {
	chats := "/chats/" + url.PathEscape(chatID) + "/members"
	cases := []struct {
		name       string
		fault      Fault
		path       string
		status     int
		code       string
		retryAfter string
	}{
		{"graph 429 integer", Fault{Kind: Fault429, RetryAfter: "1"}, graphPrefix + chats,
			429, graphThrottled, "1"},
		{"graph 429 fractional twice", Fault{Kind: Fault429, RetryAfter: "0.5", Times: 2},
			graphPrefix + chats, 429, graphThrottled, "0.5"},
		{"dataverse 429 no header", Fault{Kind: Fault429, Route: "D1"},
			dataversePrefix + "/msdyn_teamschatassociations", 429, dvRequestsExceeded, ""},
		{"dataverse 429 other code", Fault{Kind: Fault429, Code: "0x80072321"},
			dataversePrefix + "/msdyn_teamschatassociations", 429, "0x80072321", ""},
		{"502", Fault{Kind: Fault502}, graphPrefix + chats, 502, "badGateway", ""},
		{"503", Fault{Kind: Fault503, RetryAfter: "2"}, graphPrefix + chats, 503,
			"serviceNotAvailable", "2"},
		{"504", Fault{Kind: Fault504, Route: ScopeDataverse},
			dataversePrefix + "/msdyn_teamscollaborations", 504, dvUnexpected, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ts := start(t, testSnapshot(), Options{Faults: []Fault{tc.fault}})
			for i := range tc.fault.times() {
				a := get(t, ts.URL+tc.path, dvHeaders(5000))
				if a.status != tc.status || a.errorCode(t) != tc.code {
					t.Fatalf("attempt %d: status %d: %s", i+1, a.status, a.body)
				}
				if _, set := a.header["Retry-After"]; a.header.Get("Retry-After") != tc.retryAfter ||
					set != (tc.retryAfter != "") {
					t.Errorf("Retry-After = %q", a.header.Get("Retry-After"))
				}
			}
			if a := get(t, ts.URL+tc.path, dvHeaders(5000)); a.status != http.StatusOK {
				t.Errorf("after %d faults: status %d", tc.fault.times(), a.status)
			}
		})
	}
}

func TestDroppedConnectionThenSuccess(t *testing.T) {
	srv, ts := start(t, testSnapshot(), Options{Faults: []Fault{{Kind: FaultDrop, Route: "D1"}}})
	u := ts.URL + dataversePrefix + "/msdyn_teamschatassociations"
	resp, err := http.Get(u)
	if err == nil {
		_, err = io.ReadAll(resp.Body)
		resp.Body.Close()
	}
	if !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("dropped connection: err = %v, want unexpected EOF", err)
	}
	if a := get(t, u, nil); a.status != http.StatusOK {
		t.Errorf("retry: status %d", a.status)
	}
	if got := srv.Stats().Routes[D1].ByStatus; got[StatusDropped] != 1 || got[200] != 1 {
		t.Errorf("D1 statuses = %v", got)
	}
}

func TestPersistentFaults(t *testing.T) {
	grants := graphPrefix + "/servicePrincipals/" + integrationID + "/oauth2PermissionGrants"
	cases := []struct {
		name  string
		fault Fault
		path  string
		check func(t *testing.T, a answer)
	}{
		{"graph 403", Fault{Kind: Fault403, Route: "G3"}, grants, func(t *testing.T, a answer) {
			if a.status != 403 || a.errorCode(t) != graphDenied {
				t.Errorf("status %d: %s", a.status, a.body)
			}
		}},
		{"dataverse 403", Fault{Kind: Fault403, Route: "D4"}, dataversePrefix + "/systemusers",
			func(t *testing.T, a answer) {
				if a.status != 403 || a.errorCode(t) != dvPrivilege {
					t.Errorf("status %d: %s", a.status, a.body)
				}
			}},
		{"truncate", Fault{Kind: FaultTruncate}, grants, func(t *testing.T, a answer) {
			var v any
			if a.status != 200 || json.Unmarshal(a.body, &v) == nil || len(a.body) < 10 {
				t.Errorf("status %d, body %s is whole JSON", a.status, a.body)
			}
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, ts := start(t, testSnapshot(), Options{Faults: []Fault{tc.fault}})
			for range 3 {
				tc.check(t, get(t, ts.URL+tc.path, nil))
			}
		})
	}
}

func TestRepeatingNextLink(t *testing.T) {
	_, ts := start(t, testSnapshot(), Options{GraphPageSize: 1,
		Faults: []Fault{{Kind: FaultRepeatLink, Route: "G3"}}})
	first := ts.URL + graphPrefix + "/servicePrincipals/" + integrationID + "/oauth2PermissionGrants"
	link := first
	for range 3 {
		p := get(t, link, nil).page(t)
		if p.NextLink != link || len(p.Value) != 1 {
			t.Fatalf("page at %s: nextLink %q, %d rows", link, p.NextLink, len(p.Value))
		}
	}
}

func TestEmptyPageLeadsOnToTheRows(t *testing.T) {
	snap := testSnapshot()
	_, ts := start(t, snap, Options{Faults: []Fault{{Kind: FaultEmptyPage, Route: "D1", Times: 2}}})
	u := ts.URL + dataversePrefix + "/msdyn_teamschatassociations"
	first := get(t, u, dvHeaders(3)).page(t)
	if len(first.Value) != 0 || first.NextLink == "" {
		t.Fatalf("first page: %d rows, nextLink %q", len(first.Value), first.NextLink)
	}
	rows, pages := fetchAll(t, ts.URL, u, dvHeaders(3))
	// Three pages of rows, each preceded by two empty ones.
	if pages != 9 {
		t.Errorf("pages = %d, want 9", pages)
	}
	sameJSON(t, "D1", rows, snap.ChatLinks)
}

func TestSlowAnswerPastClientTimeout(t *testing.T) {
	_, ts := start(t, testSnapshot(), Options{
		Faults: []Fault{{Kind: FaultSlow, Route: "G6", Delay: 5 * time.Second}}})
	u := ts.URL + graphPrefix + "/chats/" + url.PathEscape(chatID) + "/members"
	client := &http.Client{Timeout: 100 * time.Millisecond}
	began := time.Now()
	if _, err := client.Get(u); err == nil {
		t.Fatal("slow answer came within the client timeout")
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Errorf("client waited %v", took)
	}
	resp, err := client.Get(u)
	if err != nil {
		t.Fatalf("second attempt: %v", err)
	}
	resp.Body.Close()
}

func TestLatency(t *testing.T) {
	_, ts := start(t, testSnapshot(), Options{Latency: 60 * time.Millisecond})
	began := time.Now()
	get(t, ts.URL+dataversePrefix+"/msdyn_teamscollaborations", nil)
	if took := time.Since(began); took < 60*time.Millisecond {
		t.Errorf("answer took %v, want at least the latency", took)
	}
}

func TestConcurrencyLimit(t *testing.T) {
	srv, ts := start(t, testSnapshot(), Options{Latency: 300 * time.Millisecond,
		Faults: []Fault{{Kind: FaultConcurrency, Limit: 2, RetryAfter: "1"}}})
	u := ts.URL + dataversePrefix + "/msdyn_teamschatassociations"
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		answers []answer
	)
	for range 6 {
		wg.Go(func() {
			a := get(t, u, nil)
			mu.Lock()
			answers = append(answers, a)
			mu.Unlock()
		})
	}
	wg.Wait()
	ok, throttled := 0, 0
	for _, a := range answers {
		switch a.status {
		case http.StatusOK:
			ok++
		case http.StatusTooManyRequests:
			throttled++
			if a.errorCode(t) != dvConcurrency || a.header.Get("Retry-After") != "1" {
				t.Errorf("throttled answer: %v %s", a.header, a.body)
			}
		}
	}
	if ok < 1 || ok > 2 || throttled != 6-ok {
		t.Errorf("%d answered, %d throttled", ok, throttled)
	}
	if srv.Stats().MaxInFlight < 3 {
		t.Errorf("max in flight = %d", srv.Stats().MaxInFlight)
	}
	// Graph is not subject to the Dataverse limit.
	if a := get(t, ts.URL+graphPrefix+"/users/"+userA, nil); a.status != http.StatusOK {
		t.Errorf("graph: status %d", a.status)
	}
}

// hitURLs returns which of the access-check URLs a seeded every=3 fault hits.
func hitURLs(t *testing.T, seed int64) []string {
	_, ts := start(t, testSnapshot(), Options{Seed: seed,
		Faults: []Fault{{Kind: Fault503, Route: "D6", Every: 3}}})
	var hit []string
	for i := range 30 {
		path := "/systemusers(" + guid(9, i) + ")/" + accessFunction + "?@tid=" +
			url.QueryEscape("{'@odata.id':'accounts("+recordA+")'}")
		if get(t, ts.URL+dataversePrefix+path, nil).status == 503 {
			hit = append(hit, path)
		}
	}
	return hit
}

func TestFaultSelectionIsSeeded(t *testing.T) {
	a, b := hitURLs(t, 1), hitURLs(t, 1)
	if len(a) == 0 || len(a) == 30 {
		t.Fatalf("every=3 hit %d of 30 requests", len(a))
	}
	if strings.Join(a, " ") != strings.Join(b, " ") {
		t.Errorf("the same seed hit different requests:\n%v\n%v", a, b)
	}
	if c := hitURLs(t, 2); strings.Join(a, " ") == strings.Join(c, " ") {
		t.Errorf("seeds 1 and 2 hit the same requests")
	}
}

func TestFaultOnlyHitsItsRoute(t *testing.T) {
	_, ts := start(t, testSnapshot(), Options{Faults: []Fault{{Kind: Fault403, Route: "D6"}}})
	if a := get(t, ts.URL+dataversePrefix+"/msdyn_teamschatassociations", nil); a.status != 200 {
		t.Errorf("D1 hit by a D6 fault: status %d", a.status)
	}
}

func TestClientGoneDuringLatency(t *testing.T) {
	srv, ts := start(t, testSnapshot(), Options{Latency: time.Minute})
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+graphPrefix+"/users/"+userA, nil)
	if _, err := http.DefaultClient.Do(req); err == nil {
		t.Fatal("answer came before the latency passed")
	}
	deadline := time.Now().Add(2 * time.Second)
	for srv.Stats().Total == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if got := srv.Stats().Routes[G8].ByStatus[StatusDropped]; got != 1 {
		t.Errorf("abandoned request recorded %v", srv.Stats().Routes[G8])
	}
}
