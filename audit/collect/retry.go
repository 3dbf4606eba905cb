package collect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
)

// Both services are sent through one retrier of our own instead of the SDKs' retry
// handlers: Kiota's retries only 429/503/504, three times, truncates a fractional
// Retry-After to zero and stops after 180 s; azcore's cannot pause a whole client.
// Completeness matters more here than speed, so the limit is a budget of waiting time
// the user sets, shared by the whole run and counted in wall time (budget.go).

// maxRetries bounds the retries of one request even when the budget would allow more,
// so a server that answers "Retry-After: 0" forever cannot keep a run alive.
const maxRetries = 10

// retrier sends a request until it gets an answer worth keeping.
type retrier struct {
	service string
	clock   clock
	budget  *budget
	// gate, when set, is shared by every request of the service: a 429 pauses them all,
	// as Dataverse asks (its wait grows when a client keeps sending).
	gate    *gate
	slots   chan struct{}
	timeout time.Duration
	log     *slog.Logger
}

func newRetrier(service string, o Options, b *budget, paused bool) *retrier {
	r := &retrier{
		service: service, clock: o.clock, budget: b,
		slots: make(chan struct{}, o.Concurrency), timeout: o.Timeout, log: o.Logger,
	}
	if paused {
		r.gate = &gate{}
	}
	return r
}

func retryable(status int) bool {
	switch status {
	case http.StatusTooManyRequests, http.StatusBadGateway,
		http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true
	}
	return false
}

// exhaustedError is a transport failure that outlasted the retries, or one that no
// retry could mend (transportFault.final).
type exhaustedError struct {
	attempts int
	err      error
	// advice says what the user may do about it.
	advice string
}

func (e *exhaustedError) Error() string {
	return fmt.Sprintf("%v (after %s)", e.err, plural(e.attempts, "attempt"))
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}

func (e *exhaustedError) Unwrap() error { return e.err }

// do sends req through send, retrying throttling, gateway errors and dropped
// connections. When it gives up on a status, the caller gets that response, so a
// retryable status reaching the caller always means the retries ran out.
func (r *retrier) do(req *http.Request, send func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	ctx := req.Context()
	rn := runOf(ctx)
	body, err := replayable(req)
	if err != nil {
		return nil, err
	}
	for attempt := 1; ; attempt++ {
		if err := r.gate.wait(ctx, r.clock, r.budget, rn); err != nil {
			return nil, err
		}
		if body != nil {
			req.Body = io.NopCloser(bytes.NewReader(body))
		}
		rn.requests.Add(1)
		resp, err := r.attempt(ctx, req, send)
		if err == nil && !retryable(resp.StatusCode) {
			return resp, nil
		}
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}

		var fault transportFault
		if err != nil {
			fault = classifyTransport(err, req.URL.Host, r.timeout)
			if fault.final {
				return nil, &exhaustedError{attempts: attempt, err: fault.err, advice: fault.advice}
			}
		}
		wait, now := r.delay(resp, attempt), r.clock.Now()
		throttled := resp != nil && resp.StatusCode == http.StatusTooManyRequests
		if throttled {
			r.gate.close(now.Add(wait))
		}
		if attempt > maxRetries || !idempotent(req) || !r.budget.take(now, wait) {
			if err != nil {
				return nil, &exhaustedError{attempts: attempt, err: fault.err, advice: fault.advice}
			}
			return resp, nil
		}

		rn.retries.Add(1)
		r.log.Debug("retrying", "service", r.service, "source", string(rn.name),
			"attempt", attempt, "status", statusOf(resp), "wait", wait)
		rn.waited(now, wait, throttled)
		if err := r.clock.Sleep(ctx, wait); err != nil {
			return nil, err
		}
	}
}

// attempt sends once and reads the whole answer within the attempt's timeout, so a
// connection dropped in the middle of a body is retried like one dropped before it.
func (r *retrier) attempt(ctx context.Context, req *http.Request,
	send func(*http.Request) (*http.Response, error)) (*http.Response, error) {
	if err := r.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-r.slots }()
	actx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	resp, err := send(req.WithContext(actx))
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes+1))
	if err != nil {
		return nil, err
	}
	if len(body) > maxAnswerBytes {
		return nil, fmt.Errorf("answer larger than %d bytes", maxAnswerBytes)
	}
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	return resp, nil
}

func (r *retrier) acquire(ctx context.Context) error {
	select {
	case r.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// replayable reads the body of a request that has one, so every attempt can send it.
func replayable(req *http.Request) ([]byte, error) {
	if req.Body == nil || req.Body == http.NoBody {
		return nil, nil
	}
	defer req.Body.Close()
	b, err := io.ReadAll(req.Body)
	if err != nil {
		return nil, fmt.Errorf("read request body: %w", err)
	}
	return b, nil
}

// idempotent reports whether a request may be sent again: a GET, or a Graph JSON
// batch, which holds nothing but GETs (graph_batch.go).
func idempotent(req *http.Request) bool {
	return req.Method == http.MethodGet ||
		(req.Method == http.MethodPost && strings.HasSuffix(req.URL.Path, "/$batch"))
}

// delay is how long to wait before the next attempt: the server's Retry-After rounded
// up to whole seconds, or exponential backoff; either with jitter on top, so the
// requests a pause released do not arrive together.
func (r *retrier) delay(resp *http.Response, attempt int) time.Duration {
	var after string
	if resp != nil {
		after = resp.Header.Get("Retry-After")
	}
	return r.delayAfter(after, attempt)
}

// delayAfter is delay for a Retry-After value, which may come from inside a batch answer.
func (r *retrier) delayAfter(after string, attempt int) time.Duration {
	if d, ok := retryAfter(after, r.clock.Now()); ok {
		return d + jitter(d/10+100*time.Millisecond)
	}
	base := min(500*time.Millisecond<<min(attempt-1, 10), 30*time.Second)
	return base/2 + jitter(base/2)
}

func jitter(max time.Duration) time.Duration {
	if max <= 0 {
		return 0
	}
	return rand.N(max)
}

// retryAfter reads a Retry-After value: seconds (fractions rounded up, never down to
// zero) or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		if math.IsNaN(f) || f < 0 {
			return 0, false
		}
		return time.Duration(math.Ceil(min(f, 86400))) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		d := max(t.Sub(now), 0)
		return time.Duration(math.Ceil(d.Seconds())) * time.Second, true
	}
	return 0, false
}

// gate pauses every request of a service until a time; a nil gate never pauses.
type gate struct {
	mu    sync.Mutex
	until time.Time
}

func (g *gate) close(until time.Time) {
	if g == nil {
		return
	}
	g.mu.Lock()
	if until.After(g.until) {
		g.until = until
	}
	g.mu.Unlock()
}

// wait holds a request until the gate opens. The pause is waiting like any other and
// is charged to the budget; while the wait of the request that closed the gate covers
// it, it costs nothing more. A pause the budget cannot cover gives the request up
// unsent, rather than sending it into a service that asked for quiet.
func (g *gate) wait(ctx context.Context, c clock, b *budget, rn *run) error {
	if g == nil {
		return nil
	}
	for {
		g.mu.Lock()
		now := c.Now()
		d := g.until.Sub(now)
		g.mu.Unlock()
		if d <= 0 {
			return nil
		}
		if !b.take(now, d) {
			return &pausedError{wait: d}
		}
		rn.waited(now, d, true)
		if err := c.Sleep(ctx, d); err != nil {
			return err
		}
	}
}

// pausedError is a request given up before it was sent: the service had paused the
// client for longer than the retry budget had left.
type pausedError struct{ wait time.Duration }

func (e *pausedError) Error() string {
	return fmt.Sprintf("the client was paused for %s after throttling, "+
		"more than the retry budget had left", e.wait.Round(time.Millisecond))
}

func statusOf(resp *http.Response) int {
	if resp == nil {
		return 0
	}
	return resp.StatusCode
}

// describeTransport names a transport failure without the URL, which may carry
// identifiers a log reader has no need of.
func describeTransport(err error, timeout time.Duration) error {
	switch {
	case errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("no complete answer within %s", timeout)
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errors.New("connection dropped")
	}
	var ue interface{ Unwrap() error }
	if errors.As(err, &ue) {
		if inner := ue.Unwrap(); inner != nil {
			return fmt.Errorf("connection failed: %v", inner)
		}
	}
	return fmt.Errorf("connection failed: %v", err)
}

// graphTransport puts the retrier under Kiota's middleware.
type graphTransport struct {
	r    *retrier
	base http.RoundTripper
	// needToken refuses any request Kiota left without a token while a credential is
	// in use, rather than letting it go out unauthenticated.
	needToken bool
}

// errNoToken is a Graph request that would have gone out without a token.
var errNoToken = &tokenError{err: errors.New("the request carried no token " +
	"(Graph sends tokens only over https to the host of --graph-url)")}

func (t graphTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if t.needToken && req.Header.Get("Authorization") == "" {
		return nil, errNoToken
	}
	return t.r.do(req, t.base.RoundTrip)
}

// retryPolicy puts the retrier in the azcore pipeline, before the bearer-token policy,
// so each attempt gets a token that is still valid.
type retryPolicy struct{ r *retrier }

func (p retryPolicy) Do(req *policy.Request) (*http.Response, error) {
	return p.r.do(req.Raw(), func(raw *http.Request) (*http.Response, error) {
		return req.Clone(raw.Context()).Next()
	})
}
