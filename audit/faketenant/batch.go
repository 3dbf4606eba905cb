package faketenant

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"
)

// Graph JSON batching: POST {graph}/$batch with {"requests":[{"id","method","url"}]}
// (at most 20, urls relative to the version root) answers 200 with
// {"responses":[{"id","status","headers","body"}]}. Each item is routed, answered and
// hit by faults exactly as the same request sent alone, and counted under its own
// route (marked batched); the batch itself counts as one request of route GB.
// Faults that act on a connection (drop, truncate, slow) cannot hit one item of a
// shared answer, so an item they hit applies them to the whole batch.

// Batch is the route of the batch request itself. It is not in Routes: a fault reaches
// it only when named explicitly, since scope faults already hit its items.
const Batch Route = "GB"

const (
	batchPath     = graphPrefix + "/$batch"
	batchMaxItems = 20
	batchMaxBody  = 1 << 20
)

type batchItem struct {
	ID     string `json:"id"`
	Method string `json:"method"`
	URL    string `json:"url"`
}

type batchAnswer struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers"`
	Body    json.RawMessage   `json:"body,omitempty"`
}

// serveBatch answers a batch; fx holds the faults that hit the batch itself.
func (s *Server) serveBatch(w *recorder, r *http.Request, fx effects) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeError(w, apiGraph, apiError{status: http.StatusMethodNotAllowed,
			code: "Request_BadRequest", message: "The HTTP method is not allowed."})
		return
	}
	if fx.err != nil {
		writeError(w, apiGraph, *fx.err)
		return
	}
	items, bad := readBatch(r)
	if bad != nil {
		writeError(w, apiGraph, *bad)
		return
	}
	answers := make([]batchAnswer, len(items))
	for i, it := range items {
		var itemFx effects
		answers[i], itemFx = s.batchItem(r, it)
		fx.drop = fx.drop || itemFx.drop
		fx.truncate = fx.truncate || itemFx.truncate
		fx.delay = max(fx.delay, itemFx.delay)
	}
	if !sleep(r, s.opts.Latency+fx.delay) {
		return
	}
	if fx.drop && dropConnection(w.ResponseWriter, w.settle) {
		return
	}
	c := &call{w: w, r: r, req: request{route: Batch, api: apiGraph}}
	if fx.truncate {
		var buf truncated
		c.w = &buf
		c.json(map[string]any{"responses": answers})
		buf.flushHalf(w)
		return
	}
	c.json(map[string]any{"responses": answers})
}

// readBatch parses and checks a batch request as Graph does.
func readBatch(r *http.Request) ([]batchItem, *apiError) {
	bad := func(msg string) *apiError {
		return &apiError{status: http.StatusBadRequest, code: graphBadRequest, message: msg}
	}
	raw, err := io.ReadAll(io.LimitReader(r.Body, batchMaxBody+1))
	if err != nil || len(raw) > batchMaxBody {
		return nil, bad("Invalid batch payload format.")
	}
	var body struct {
		Requests []batchItem `json:"requests"`
	}
	if err := json.Unmarshal(raw, &body); err != nil {
		return nil, bad("Invalid batch payload format.")
	}
	n := len(body.Requests)
	if n == 0 || n > batchMaxItems {
		return nil, bad(fmt.Sprintf("Number of requests must be between 1 and %d, got %d.",
			batchMaxItems, n))
	}
	seen := map[string]bool{}
	for _, it := range body.Requests {
		if it.ID == "" || seen[it.ID] {
			return nil, bad("Each request of a batch needs a unique id.")
		}
		seen[it.ID] = true
	}
	return body.Requests, nil
}

// batchItem answers one item of a batch as the same request sent alone.
func (s *Server) batchItem(parent *http.Request, it batchItem) (batchAnswer, effects) {
	start := time.Now()
	var buf truncated
	buf.Header().Set("Content-Type", "application/json")
	route, fx := Unknown, effects{}
	defer func() {
		s.count.add(RequestRecord{Method: strings.ToUpper(it.Method), Route: route,
			Status: buf.status, Batched: true})
		s.opts.Logger.Debug("fake tenant batch item", "route", string(route),
			"status", buf.status, "ms", time.Since(start).Milliseconds())
	}()

	target := "/" + strings.TrimPrefix(it.URL, "/")
	r, err := http.NewRequestWithContext(parent.Context(), http.MethodGet, graphPrefix+target, nil)
	switch {
	case err != nil || strings.Contains(it.URL, "://"):
		writeError(&buf, apiGraph, apiError{status: http.StatusBadRequest, code: graphBadRequest,
			message: "Invalid request URL in batch."})
	case !strings.EqualFold(it.Method, http.MethodGet):
		writeError(&buf, apiGraph, apiError{status: http.StatusMethodNotAllowed,
			code: "Request_BadRequest", message: "The HTTP method is not allowed."})
	default:
		r.Host, r.TLS = parent.Host, parent.TLS
		req := classify(r)
		route = req.route
		fx = s.decide(req, r, 0)
		switch {
		case fx.err != nil:
			writeError(&buf, apiGraph, *fx.err)
		case req.route == Unknown:
			writeError(&buf, apiGraph, unknownSegment(apiGraph, req.segment))
		default:
			s.dispatch(&call{w: &buf, r: r, req: req, fx: fx})
		}
	}
	buf.status = max(buf.status, http.StatusOK)
	return answerOf(it.ID, &buf), fx
}

// answerOf turns a buffered answer into a batch item: a JSON body is embedded as is.
func answerOf(id string, buf *truncated) batchAnswer {
	a := batchAnswer{ID: id, Status: buf.status, Headers: map[string]string{}}
	for _, name := range []string{"Content-Type", "Retry-After"} {
		if v := buf.Header().Get(name); v != "" {
			a.Headers[name] = v
		}
	}
	body := buf.body.Bytes()
	switch {
	case len(body) == 0:
	case json.Valid(body):
		a.Body = append(json.RawMessage(nil), body...)
	default:
		a.Body, _ = json.Marshal(string(body))
	}
	return a
}

// isBatch reports whether r is a batch request.
func isBatch(r *http.Request) bool { return r.URL.EscapedPath() == batchPath }
