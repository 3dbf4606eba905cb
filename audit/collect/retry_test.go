package collect

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

func TestRetryAfter(t *testing.T) {
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	cases := []struct {
		value string
		want  time.Duration
		ok    bool
	}{
		{"2", 2 * time.Second, true},
		{"0.5", time.Second, true},
		{"1.01", 2 * time.Second, true},
		{"0", 0, true},
		{" 3 ", 3 * time.Second, true},
		{"", 0, false},
		{"-1", 0, false},
		{"soon", 0, false},
		{now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{now.Add(-time.Minute).Format(http.TimeFormat), 0, true},
	}
	for _, tc := range cases {
		got, ok := retryAfter(tc.value, now)
		if got != tc.want || ok != tc.ok {
			t.Errorf("retryAfter(%q) = %v %v, want %v %v", tc.value, got, ok, tc.want, tc.ok)
		}
	}
}

// flaky answers the first fails requests with status (0: drops the connection) and
// the given Retry-After, then 200 with body.
func flaky(fails int, status int, retryAfter, body string) (http.Handler, *atomic.Int64) {
	var n atomic.Int64
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if int(n.Add(1)) <= fails {
			if status == 0 {
				hj, _ := w.(http.Hijacker)
				conn, _, _ := hj.Hijack()
				conn.Close()
				return
			}
			if retryAfter != "" {
				w.Header().Set("Retry-After", retryAfter)
			}
			w.WriteHeader(status)
			_, _ = w.Write([]byte(`{"error":{"code":"0x80072322","message":"throttled"}}`))
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(body))
	}), &n
}

func testDataverse(t *testing.T, h http.Handler, o Options) (*dataverse, *fakeClock) {
	t.Helper()
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	clk := &fakeClock{}
	o.DataverseURL, o.clock = ts.URL, clk
	o, err := o.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return newDataverse(o, nil, newBudget(o.RetryBudget)), clk
}

func TestRetries(t *testing.T) {
	const page = `{"value":[{"systemuserid":"6f1b9a3e-0c1d-4c39-9d7a-1b2c3d4e5f60"}]}`
	cases := []struct {
		name       string
		status     int
		retryAfter string
		fails      int
		budget     time.Duration
		// minSleep is the least the first wait may be; complete says whether the rows
		// arrive in the end.
		minSleep time.Duration
		complete bool
	}{
		{"429 integer Retry-After", 429, "2", 2, 0, 2 * time.Second, true},
		{"429 fractional Retry-After rounds up", 429, "0.2", 1, 0, time.Second, true},
		{"429 without Retry-After backs off", 429, "", 3, 0, 250 * time.Millisecond, true},
		{"502", 502, "", 1, 0, 250 * time.Millisecond, true},
		{"503 with Retry-After", 503, "1", 1, 0, time.Second, true},
		{"504", 504, "", 2, 0, 250 * time.Millisecond, true},
		{"dropped connection", 0, "", 2, 0, 250 * time.Millisecond, true},
		{"budget runs out", 429, "30", 5, time.Minute, 30 * time.Second, false},
		{"retries run out", 503, "0", 50, 0, 0, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			h, hits := flaky(tc.fails, tc.status, tc.retryAfter, page)
			d, clk := testDataverse(t, h, Options{RetryBudget: tc.budget})
			rn := newRun(audit.SourceUsers, nil)
			got, short := d.systemUsers(withRun(context.Background(), rn))
			if tc.complete != (short == nil) || tc.complete != (len(got) == 1) {
				t.Fatalf("complete = %v (%v, %d rows), want %v", short == nil, short, len(got),
					tc.complete)
			}
			if !tc.complete && (short.status != audit.StatusError ||
				!strings.Contains(short.reason, "retries ran out")) {
				t.Errorf("shortfall = %+v", short)
			}
			if len(clk.sleeps) == 0 || clk.sleeps[0] < tc.minSleep {
				t.Errorf("sleeps %v, want the first at least %v", clk.sleeps, tc.minSleep)
			}
			if rn.requests.Load() != hits.Load() || rn.retries.Load() != hits.Load()-1 {
				t.Errorf("counted %d requests, %d retries; server saw %d",
					rn.requests.Load(), rn.retries.Load(), hits.Load())
			}
		})
	}
}

// A 429 on one Dataverse request pauses every other one until its Retry-After passes.
func TestDataverseThrottlePausesClient(t *testing.T) {
	h, _ := flaky(1, 429, "5", `{"value":[]}`)
	d, clk := testDataverse(t, h, Options{})
	ctx := withRun(context.Background(), newRun(audit.SourceChatLinks, nil))
	if _, short := d.chatLinks(ctx); short != nil {
		t.Fatal(short)
	}
	throttledAt := clk.Now()
	d.retrier.gate.close(throttledAt.Add(7 * time.Second))
	other := newRun(audit.SourceUsers, nil)
	if _, short := d.systemUsers(withRun(context.Background(), other)); short != nil {
		t.Fatal(short)
	}
	if w := other.waits.total; w != 7*time.Second {
		t.Errorf("a request of another source waited %v on the paused client, want 7s", w)
	}
}

// A request the paused client would hold past what is left of the budget is given up
// unsent, and its source says how to raise the budget.
func TestPausePastBudgetGivesUp(t *testing.T) {
	h, hits := flaky(0, 0, "", `{"value":[]}`)
	d, _ := testDataverse(t, h, Options{RetryBudget: 3 * time.Second})
	d.retrier.gate.close(d.retrier.clock.Now().Add(10 * time.Second))
	rn := newRun(audit.SourceUsers, nil)
	_, short := d.systemUsers(withRun(context.Background(), rn))
	if short == nil || !strings.Contains(short.reason, "raise --retry-budget") {
		t.Fatalf("shortfall = %+v, want the budget named", short)
	}
	if hits.Load() != 0 {
		t.Errorf("server saw %d requests while the client was paused, want 0", hits.Load())
	}
}

func TestTimeout(t *testing.T) {
	slow := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-time.After(2 * time.Second):
		case <-r.Context().Done():
		}
	})
	d, _ := testDataverse(t, slow, Options{Timeout: 50 * time.Millisecond})
	start := time.Now()
	_, short := d.chatLinks(withRun(context.Background(), newRun(audit.SourceChatLinks, nil)))
	if short == nil || !strings.Contains(short.reason, "no complete answer within 50ms") {
		t.Fatalf("shortfall = %+v", short)
	}
	if time.Since(start) > 5*time.Second {
		t.Errorf("gave up after %v", time.Since(start))
	}
}

// The budget is wall time: waits that overlap cost their union, waits one after
// another cost their sum.
func TestBudgetCountsWallTime(t *testing.T) {
	t0 := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	const d = time.Second
	cases := []struct {
		name string
		// every is the time between the beginnings of eight waits of d.
		every   time.Duration
		budget  time.Duration
		granted int
		used    time.Duration
	}{
		{"together", 0, 3 * time.Second, 8, d},
		{"staggered", 100 * time.Millisecond, 3 * time.Second, 8, d + 700*time.Millisecond},
		{"one after another", d, 3 * time.Second, 3, 3 * d},
		{"with gaps between", 2 * d, 3 * time.Second, 3, 3 * d},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := newBudget(tc.budget)
			granted := 0
			for i := range 8 {
				if b.take(t0.Add(time.Duration(i)*tc.every), d) {
					granted++
				}
			}
			if granted != tc.granted || b.used() != tc.used {
				t.Errorf("granted %d of 8 waits of %s, using %s of %s; want %d, using %s",
					granted, d, b.used(), tc.budget, tc.granted, tc.used)
			}
		})
	}
}

// Eight Dataverse requests throttled at the same time retry within a budget that the
// sum of their waits would overrun, and their source records the wall time waited. No
// bound here is a time the machine must keep: the waits are compared with each other.
func TestConcurrentWaitsShareTheBudget(t *testing.T) {
	const n = 8
	h, hits := flaky(n, 429, "", `{"value":[{"systemuserid":"6f1b9a3e-0c1d-4c39-9d7a-1b2c3d4e5f60"}]}`)
	ts := httptest.NewServer(h)
	t.Cleanup(ts.Close)
	o, err := Options{DataverseURL: ts.URL, Concurrency: n,
		RetryBudget: 1900 * time.Millisecond}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	b := newBudget(o.RetryBudget)
	d := newDataverse(o, nil, b)
	var mu sync.Mutex
	var sum time.Duration // every wait, as if none overlapped
	rn := newRun(audit.SourceUsers, func(p Progress) {
		mu.Lock()
		sum += p.Wait
		mu.Unlock()
	})
	ctx := withRun(context.Background(), rn)

	// Each throttled request backs off at least 250 ms, so the waits add up to 2 s.
	var wg sync.WaitGroup
	shorts := make([]*shortfall, n)
	for i := range n {
		wg.Go(func() { _, shorts[i] = d.systemUsers(ctx) })
	}
	wg.Wait()
	for i, short := range shorts {
		if short != nil {
			t.Errorf("request %d: %v (budget used %s)", i, short, b.used())
		}
	}
	if hits.Load() < 2*n || rn.retries.Load() < n {
		t.Fatalf("server saw %d requests, %d retries; want every request throttled once",
			hits.Load(), rn.retries.Load())
	}
	used, waited := b.used(), rn.waits.total
	mu.Lock()
	defer mu.Unlock()
	if used*2 > sum || (waited-used).Abs() > 50*time.Millisecond {
		t.Errorf("used %s of the budget, source waited %s, the waits add up to %s; want "+
			"the first two about the same, under half the sum", used, waited, sum)
	}
}
