package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// results has a failing control with a new, an old and a waived finding, plus a new
// finding of an observation control. Resource names hold text that must never leave.
func results(exit int) *audit.Results {
	r := &audit.Results{Complete: exit != audit.ExitUndecided,
		ScannedAt: time.Date(2026, 12, 3, 2, 0, 0, 0, time.UTC),
		Controls: []audit.ControlResult{{ID: "ACCESS-01", Status: audit.Fail},
			{ID: "ACCESS-02", Status: audit.Pass, Observation: true}},
	}
	add := func(id, control string, isNew, waived bool) {
		f := audit.Finding{ID: id, Control: control, Severity: "high", New: isNew,
			Resource: audit.Resource{Type: "chatLink", ID: id, Name: "Merger talks " + id}}
		if waived {
			f.Waived = &audit.WaiverRef{ID: "w", Reason: "r", Owner: "o", Expires: "2027-01-01"}
		}
		r.Findings = append(r.Findings, f)
	}
	add("f1", "ACCESS-01", true, false)
	add("f2", "ACCESS-01", false, false)
	add("f3", "ACCESS-01", true, true)
	add("f4", "ACCESS-02", true, false)
	r.Finalize()
	if exit == audit.ExitUndecided {
		r.Summary.Incomplete = []audit.SourceName{audit.SourceMembers}
	}
	return r
}

func TestDecide(t *testing.T) {
	noNew := results(audit.ExitFailed)
	noNew.Findings[0].New = false
	cases := []struct {
		name  string
		r     *audit.Results
		err   error
		send  bool
		event Event
		count int
	}{
		{"new failing", results(audit.ExitFailed), nil, true, EventNewFindings, 1},
		{"nothing new", noNew, nil, false, "", 0},
		{"incomplete", results(audit.ExitUndecided), nil, true, EventIncomplete, 1},
		{"could not run", nil, errors.New("snapshot x.json: no such file\nmore"), true,
			EventError, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, send := Decide("contoso", tc.r, tc.err)
			if send != tc.send || s.Event != tc.event || s.NewFailing != tc.count {
				t.Errorf("send %v event %q new %d, want %v %q %d", send, s.Event,
					s.NewFailing, tc.send, tc.event, tc.count)
			}
			if tc.err != nil && s.Error != "snapshot x.json: no such file" {
				t.Errorf("error %q", s.Error)
			}
		})
	}
}

func TestGuessFormat(t *testing.T) {
	cases := map[string]Format{
		"https://contoso.webhook.office.com/webhookb2/abc/IncomingWebhook/def": FormatTeams,
		"https://prod-01.westeurope.logic.azure.com:443/workflows/x/triggers":  FormatTeams,
		"https://default1.environment.api.powerplatform.com/powerautomate/x":   FormatTeams,
		"https://outlook.office.com/webhook/abc":                               FormatTeams,
		"https://hooks.example.com/teams":                                      FormatJSON,
		"https://webhook.office.com.evil.example/x":                            FormatJSON,
		"::bad": FormatJSON,
	}
	for u, want := range cases {
		if got := GuessFormat(u); got != want {
			t.Errorf("GuessFormat(%s) = %s, want %s", u, got, want)
		}
	}
}

func TestPayloads(t *testing.T) {
	s, _ := Decide("contoso", results(audit.ExitFailed), nil)
	for _, f := range []Format{FormatTeams, FormatJSON} {
		body, err := Payload(s, f)
		if err != nil {
			t.Fatal(err)
		}
		if bytes.Contains(body, []byte("Merger")) {
			t.Errorf("%s payload carries a resource name: %s", f, body)
		}
		var m map[string]any
		if err := json.Unmarshal(body, &m); err != nil {
			t.Fatal(err)
		}
		switch f {
		case FormatTeams:
			att := m["attachments"].([]any)[0].(map[string]any)
			content := att["content"].(map[string]any)
			if m["type"] != "message" || content["type"] != "AdaptiveCard" ||
				att["contentType"] != "application/vnd.microsoft.card.adaptive" {
				t.Errorf("not a Teams card message: %s", body)
			}
			if !bytes.Contains(body, []byte("ACCESS-01 (high): 1 new")) {
				t.Errorf("card lacks the control line: %s", body)
			}
		case FormatJSON:
			if m["event"] != string(EventNewFindings) || m["newFailingFindings"] != 1.0 {
				t.Errorf("json payload %s", body)
			}
		}
	}
	if _, err := Payload(s, "xml"); err == nil {
		t.Error("unknown format accepted")
	}
}

func TestSendRetriesAndNeverLeaksTheURL(t *testing.T) {
	cases := []struct {
		name      string
		failFirst int32 // answers 503 this many times
		status    int   // then answers this
		delivered bool
		attempts  int32
	}{
		{"first try", 0, http.StatusOK, true, 1},
		{"after two failures", 2, http.StatusAccepted, true, 3},
		{"always failing", 100, http.StatusOK, false, 3},
		{"rejected without retry", 0, http.StatusBadRequest, false, 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var calls atomic.Int32
			var got atomic.Value
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				body, _ := io.ReadAll(r.Body)
				got.Store(body)
				if calls.Add(1) <= tc.failFirst {
					w.WriteHeader(http.StatusServiceUnavailable)
					return
				}
				w.WriteHeader(tc.status)
			}))
			defer srv.Close()
			var logs bytes.Buffer
			snd := &Sender{URL: srv.URL + "/webhookb2/SECRET-SIGNATURE", Format: FormatJSON,
				Retries: 2, MinWait: time.Millisecond, MaxWait: 5 * time.Millisecond,
				Logger: slog.New(slog.NewTextHandler(&logs, nil))}
			s, _ := Decide("contoso", results(audit.ExitFailed), nil)
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if ok := snd.Send(ctx, s); ok != tc.delivered {
				t.Errorf("delivered %v, want %v", ok, tc.delivered)
			}
			if calls.Load() != tc.attempts {
				t.Errorf("%d attempts, want %d", calls.Load(), tc.attempts)
			}
			if b, _ := got.Load().([]byte); !bytes.Contains(b, []byte(`"tenant":"contoso"`)) {
				t.Errorf("body %s", b)
			}
			if strings.Contains(logs.String(), "SECRET") {
				t.Errorf("log quotes the webhook URL: %s", logs.String())
			}
			if !tc.delivered && !strings.Contains(logs.String(), "not delivered") {
				t.Errorf("failure not logged: %s", logs.String())
			}
		})
	}
}

func TestSendUnreachable(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	u := srv.URL + "/hook/SECRET"
	srv.Close() // nothing listens there any more
	var logs bytes.Buffer
	snd := &Sender{URL: u, Retries: 1, MinWait: time.Millisecond, MaxWait: time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	if snd.Send(context.Background(), &Summary{Tenant: "t", Event: EventError}) {
		t.Fatal("delivered to a closed server")
	}
	if strings.Contains(logs.String(), "SECRET") || !strings.Contains(logs.String(), "unreachable") {
		t.Errorf("log %s", logs.String())
	}
}
