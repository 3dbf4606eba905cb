package faketenant

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// Options shapes how the server answers.
type Options struct {
	// GraphPageSize is the number of items on one Graph page; 0 means 100.
	GraphPageSize int
	// DataversePageSize caps the rows of one Dataverse page below what the client's
	// Prefer: odata.maxpagesize asks for; 0 means no cap beyond Dataverse's 5000.
	DataversePageSize int
	// Latency is added to every request, for realistic benchmarks.
	Latency time.Duration
	// Faults are injected in order; the first one that answers wins.
	Faults []Fault
	// Seed makes the choice of requests that faults hit repeatable.
	Seed int64
	// Logger receives one debug line per request: route, status and duration, never
	// headers or URLs. nil logs nothing.
	Logger *slog.Logger
}

// Server serves a snapshot as Graph and Dataverse; it is an http.Handler.
type Server struct {
	opts     Options
	ix       *index
	count    counter
	inFlight atomic.Int64

	mu       sync.Mutex
	attempts map[string]int
}

// New returns a server for snap. The snapshot must not change while it is served.
func New(snap *audit.Snapshot, opts Options) (*Server, error) {
	if snap == nil {
		return nil, fmt.Errorf("fake tenant: no snapshot")
	}
	for _, f := range opts.Faults {
		if err := f.Validate(); err != nil {
			return nil, fmt.Errorf("fake tenant: %w", err)
		}
	}
	if opts.GraphPageSize <= 0 {
		opts.GraphPageSize = 100
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &Server{opts: opts, ix: newIndex(snap), attempts: map[string]int{}}, nil
}

// call is one request being answered.
type call struct {
	w   http.ResponseWriter
	r   *http.Request
	req request
	fx  effects
}

func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path == statsPath {
		s.serveStats(w, r)
		return
	}
	start := time.Now()
	req := classify(r)
	if isBatch(r) {
		req.route = Batch
	}
	// The request is counted as its answer starts, before any byte can reach the
	// client, so a client that reads the stats next always finds it counted.
	rec := &recorder{ResponseWriter: w, count: func(status int) {
		s.count.add(RequestRecord{Method: r.Method, Route: req.route, Status: status})
	}}
	defer func() {
		rec.settle(StatusDropped) // nothing was answered: the client went away
		s.opts.Logger.Debug("fake tenant request", "route", string(req.route),
			"status", rec.status, "ms", time.Since(start).Milliseconds())
	}()

	inFlight := 0
	if req.api == apiDataverse {
		inFlight = int(s.inFlight.Add(1))
		defer s.inFlight.Add(-1)
		s.count.observeInFlight(inFlight)
	}
	setHeaders(w, req.api)

	if req.route == Batch {
		s.serveBatch(rec, r, s.decide(req, r, 0))
		return
	}
	if r.Method != http.MethodGet {
		w.Header().Set("Allow", http.MethodGet)
		writeError(rec, req.api, apiError{status: http.StatusMethodNotAllowed,
			code: "Request_BadRequest", message: "The HTTP method is not allowed."})
		return
	}
	fx := s.decide(req, r, inFlight)
	if !sleep(r, s.opts.Latency+fx.delay) {
		return // the client gave up: nothing was answered
	}
	switch {
	case fx.drop:
		if dropConnection(w, rec.settle) {
			return
		}
		writeError(rec, req.api, statusError(req.api, http.StatusBadGateway, ""))
	case fx.err != nil:
		writeError(rec, req.api, *fx.err)
	case req.route == Unknown:
		writeError(rec, req.api, unknownSegment(req.api, req.segment))
	case fx.truncate:
		var buf truncated
		s.dispatch(&call{w: &buf, r: r, req: req, fx: fx})
		buf.flushHalf(rec)
	default:
		s.dispatch(&call{w: rec, r: r, req: req, fx: fx})
	}
}

func setHeaders(w http.ResponseWriter, a api) {
	var id [16]byte
	_, _ = rand.Read(id[:])
	switch a {
	case apiGraph:
		w.Header().Set("request-id", hex.EncodeToString(id[:]))
	case apiDataverse:
		w.Header().Set("OData-Version", "4.0")
		w.Header().Set("x-ms-service-request-id", hex.EncodeToString(id[:]))
	}
}

func (s *Server) dispatch(c *call) {
	handlers := map[Route]func(*call){
		G1: s.servicePrincipalsByAppID, G2: s.servicePrincipalsByName,
		G3: s.delegatedGrants, G4: s.appRoleAssignments, G5: s.servicePrincipal,
		G6: s.chatMembers, G7: s.channelMembers, G8: s.user,
		D1: s.chatLinks, D2: s.channelLinks, D3: s.chatSync, D4: s.systemUsers,
		D5: s.entityDefinitions, D6: s.principalAccess, D7: s.shares,
	}
	handlers[c.req.route](c)
}

// fail answers the call with an error.
func (c *call) fail(e apiError) { writeError(c.w, c.req.api, e) }

// entity answers one object.
func (c *call) entity(context string, body map[string]any) {
	out := map[string]any{"@odata.context": context}
	for k, v := range body {
		out[k] = v
	}
	c.json(out)
}

func (c *call) json(v any) {
	b, err := json.Marshal(v)
	if err != nil {
		c.fail(apiError{status: http.StatusInternalServerError, code: "InternalServerError",
			message: "encode answer: " + err.Error()})
		return
	}
	c.w.Header().Set("Content-Type", "application/json; odata.metadata=minimal; charset=utf-8")
	c.w.WriteHeader(http.StatusOK)
	_, _ = c.w.Write(b)
}

// recorder remembers the status a handler answered with and counts the request once,
// before the status is passed on.
type recorder struct {
	http.ResponseWriter
	status  int
	count   func(status int)
	counted bool
}

// settle counts the request with status unless it was counted already.
func (r *recorder) settle(status int) {
	if r.counted {
		return
	}
	r.counted = true
	if r.count != nil {
		r.count(status)
	}
}

func (r *recorder) WriteHeader(code int) {
	if r.status == 0 {
		r.status = code
		r.settle(code)
	}
	r.ResponseWriter.WriteHeader(code)
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
		r.settle(http.StatusOK)
	}
	return r.ResponseWriter.Write(b)
}

// truncated collects an answer so only its first half can be sent.
type truncated struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (t *truncated) Header() http.Header {
	if t.header == nil {
		t.header = http.Header{}
	}
	return t.header
}

func (t *truncated) WriteHeader(code int)        { t.status = code }
func (t *truncated) Write(b []byte) (int, error) { return t.body.Write(b) }

// flushHalf sends the status, headers and the first half of the body. The length
// matches what is sent, so the connection stays sound and only the JSON is broken.
func (t *truncated) flushHalf(w http.ResponseWriter) {
	for k, v := range t.header {
		w.Header()[k] = v
	}
	half := t.body.Bytes()[:t.body.Len()/2]
	w.Header().Set("Content-Length", fmt.Sprint(len(half)))
	w.WriteHeader(max(t.status, http.StatusOK))
	_, _ = w.Write(half)
}
