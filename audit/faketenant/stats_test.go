package faketenant

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"testing"
)

func TestStatsCountEveryRequestByRouteAndStatus(t *testing.T) {
	srv, ts := start(t, testSnapshot(), Options{})
	g, d := ts.URL+graphPrefix, ts.URL+dataversePrefix
	for range 3 {
		get(t, g+"/chats/"+url.PathEscape(chatID)+"/members", nil)
	}
	get(t, g+"/chats/"+url.PathEscape(deniedChatID)+"/members", nil)
	get(t, d+"/msdyn_teamschatassociations", nil)
	get(t, g+"/groups", nil)

	s := srv.Stats()
	if s.Total != 6 || s.Requests(G6) != 4 || s.Requests(D1) != 1 || s.Requests(Unknown) != 1 {
		t.Fatalf("stats = %+v", s)
	}
	if by := s.Routes[G6].ByStatus; by[200] != 3 || by[403] != 1 {
		t.Errorf("G6 by status = %v", by)
	}
	first := RequestRecord{Method: "GET", Route: G6, Status: 200}
	if recs := srv.Requests(); len(recs) != 6 || recs[0] != first {
		t.Errorf("requests = %v", recs)
	}
	if seen := s.Seen(); len(seen) != 3 || seen[0] != G6 || seen[2] != Unknown {
		t.Errorf("seen = %v", seen)
	}

	var served Stats
	a := get(t, ts.URL+statsPath, nil)
	if err := json.Unmarshal(a.body, &served); err != nil {
		t.Fatal(err)
	}
	if served.Total != 6 || served.Routes[G6].ByStatus[403] != 1 {
		t.Errorf("/_fake/stats = %s", a.body)
	}
	if srv.Stats().Total != 6 {
		t.Errorf("the stats request counted itself")
	}

	req, _ := http.NewRequest(http.MethodDelete, ts.URL+statsPath, nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if srv.Stats().Total != 0 {
		t.Errorf("DELETE did not reset the counts")
	}
}

// statusSpy checks, as the status is written, that the request is counted already.
type statusSpy struct {
	*httptest.ResponseRecorder
	srv         *Server
	countedThen int
}

func (w *statusSpy) WriteHeader(code int) {
	w.countedThen = w.srv.Stats().Total
	w.ResponseRecorder.WriteHeader(code)
}

func TestStatsCountARequestBeforeItsAnswerIsWritten(t *testing.T) {
	srv, err := New(testSnapshot(), Options{})
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{
		graphPrefix + "/chats/" + url.PathEscape(chatID) + "/members",
		graphPrefix + "/groups",
		dataversePrefix + "/msdyn_teamschatassociations",
	} {
		srv.ResetStats()
		w := &statusSpy{ResponseRecorder: httptest.NewRecorder(), srv: srv}
		srv.ServeHTTP(w, httptest.NewRequest(http.MethodGet, target, nil))
		if w.countedThen != 1 || srv.Stats().Total != 1 {
			t.Errorf("%s: counted %d before the answer, %d after", target, w.countedThen,
				srv.Stats().Total)
		}
	}
}
