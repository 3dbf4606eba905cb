package faketenant

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
)

// postBatch sends a batch of GETs and returns the status and the decoded answer.
func postBatch(t *testing.T, base string, urls ...string) (int, []batchAnswer) {
	t.Helper()
	var req struct {
		Requests []batchItem `json:"requests"`
	}
	for i, u := range urls {
		req.Requests = append(req.Requests, batchItem{ID: fmt.Sprint(i + 1), Method: "GET", URL: u})
	}
	body, _ := json.Marshal(req)
	resp, err := http.Post(base+batchPath, "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var out struct {
		Responses []batchAnswer `json:"responses"`
	}
	if resp.StatusCode == http.StatusOK {
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
			t.Fatalf("batch answer: %v", err)
		}
	}
	return resp.StatusCode, out.Responses
}

func TestBatchAnswersEachItemAsAlone(t *testing.T) {
	srv, ts := start(t, testSnapshot(), Options{})
	members := "/chats/" + url.PathEscape(chatID) + "/members"
	alone := get(t, ts.URL+graphPrefix+members, nil)

	status, answers := postBatch(t, ts.URL, members,
		"/chats/"+url.PathEscape(deniedChatID)+"/members", "/groups")
	if status != http.StatusOK || len(answers) != 3 {
		t.Fatalf("batch: %d, %d answers", status, len(answers))
	}
	byID := map[string]batchAnswer{}
	for _, a := range answers {
		byID[a.ID] = a
	}
	var got, want struct {
		Value []json.RawMessage `json:"value"`
	}
	_ = json.Unmarshal(byID["1"].Body, &got)
	_ = json.Unmarshal(alone.body, &want)
	if byID["1"].Status != 200 || len(got.Value) == 0 || len(got.Value) != len(want.Value) {
		t.Errorf("item 1: %d, %d members, alone %d", byID["1"].Status, len(got.Value),
			len(want.Value))
	}
	if byID["2"].Status != 403 || !strings.Contains(string(byID["2"].Body), "error") {
		t.Errorf("item 2: %d %s", byID["2"].Status, byID["2"].Body)
	}
	if byID["3"].Status != 400 {
		t.Errorf("item 3 (outside the contract): %d", byID["3"].Status)
	}

	s := srv.Stats()
	if s.Total != 2 || s.Requests(Batch) != 1 || s.Requests(G6) != 3 ||
		s.Routes[G6].Batched != 2 || s.Routes[Unknown].Batched != 1 {
		t.Errorf("stats = %+v", s)
	}
}

func TestBatchFaultsHitItems(t *testing.T) {
	f, err := ParseFault("route=G6,kind=429,retry-after=2")
	if err != nil {
		t.Fatal(err)
	}
	_, ts := start(t, testSnapshot(), Options{Faults: []Fault{f}})
	members := "/chats/" + url.PathEscape(chatID) + "/members"
	_, answers := postBatch(t, ts.URL, members)
	if len(answers) != 1 || answers[0].Status != 429 || answers[0].Headers["Retry-After"] != "2" {
		t.Fatalf("throttled item: %+v", answers)
	}
	if _, answers = postBatch(t, ts.URL, members); answers[0].Status != 200 {
		t.Errorf("the retried item: %d", answers[0].Status)
	}
}

func TestBatchRejectsBadBatches(t *testing.T) {
	_, ts := start(t, testSnapshot(), Options{})
	many := make([]string, batchMaxItems+1)
	for i := range many {
		many[i] = "/users/x"
	}
	if status, _ := postBatch(t, ts.URL, many...); status != http.StatusBadRequest {
		t.Errorf("%d items: %d", len(many), status)
	}
	if a := get(t, ts.URL+batchPath, nil); a.status != http.StatusMethodNotAllowed {
		t.Errorf("GET $batch: %d", a.status)
	}
}
