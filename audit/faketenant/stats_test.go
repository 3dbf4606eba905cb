package faketenant

import (
	"encoding/json"
	"net/http"
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
