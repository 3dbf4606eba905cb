package faketenant

import (
	"bufio"
	"encoding/binary"
	"hash/fnv"
	"net/http"
	"strconv"
	"time"
)

// effects is what the faults do to one request.
type effects struct {
	// err replaces the answer.
	err *apiError
	// drop closes the connection in the middle of the answer.
	drop bool
	// truncate cuts the body in half.
	truncate bool
	// repeatLink makes the page's nextLink the URL that fetched it.
	repeatLink bool
	// emptyHops is how many empty pages may precede the rows (0: none).
	emptyHops int
	delay     time.Duration
}

// decide works out which faults hit the request. inFlight is the number of Dataverse
// requests in flight, this one included.
func (s *Server) decide(req request, r *http.Request, inFlight int) effects {
	var fx effects
	for i, f := range s.opts.Faults {
		if !f.applies(req.route) {
			continue
		}
		if f.Kind == FaultConcurrency {
			if req.api == apiDataverse && inFlight > f.limit() && fx.err == nil {
				e := apiError{status: http.StatusTooManyRequests, code: dvConcurrency,
					message: "Number of concurrent requests exceeded the limit of " +
						strconv.Itoa(f.limit()) + ".", retryAfter: f.RetryAfter}
				if f.Code != "" {
					e.code = f.Code
				}
				fx.err = &e
			}
			continue
		}
		if !s.selected(i, f, r) {
			continue
		}
		if f.Kind == FaultEmptyPage {
			// Bounded by the hop count carried in the link, not by attempts: each empty
			// page links to a new URL.
			fx.emptyHops = max(fx.emptyHops, f.times())
			continue
		}
		if f.recoverable() && s.attempt(i, r) > f.times() {
			continue
		}
		switch f.Kind {
		case FaultSlow:
			fx.delay += f.delay()
		case FaultDrop:
			fx.drop = fx.drop || fx.err == nil
		case FaultRepeatLink:
			fx.repeatLink = true
		case FaultTruncate:
			fx.truncate = true
		default:
			if fx.err == nil && !fx.drop {
				e := statusError(req.api, f.status(), f.Code)
				if f.Kind == Fault403 {
					e = denied(req.api)
					if f.Code != "" {
						e.code = f.Code
					}
				}
				e.retryAfter = f.RetryAfter
				fx.err = &e
			}
		}
	}
	return fx
}

// selected reports whether fault i hits the request: a hash of the seed, the fault's
// position and the request's method and URL, so the choice does not depend on the
// order in which concurrent requests arrive.
func (s *Server) selected(i int, f Fault, r *http.Request) bool {
	if f.every() == 1 {
		return true
	}
	h := fnv.New64a()
	var b [16]byte
	binary.LittleEndian.PutUint64(b[:8], uint64(s.opts.Seed))
	binary.LittleEndian.PutUint64(b[8:], uint64(i))
	h.Write(b[:])
	h.Write([]byte(r.Method + " " + r.URL.RequestURI()))
	return h.Sum64()%uint64(f.every()) == 0
}

// attempt counts the requests fault i has seen for this URL, this one included.
func (s *Server) attempt(i int, r *http.Request) int {
	key := strconv.Itoa(i) + " " + r.Method + " " + r.URL.RequestURI()
	s.mu.Lock()
	defer s.mu.Unlock()
	s.attempts[key]++
	return s.attempts[key]
}

// dropConnection answers with headers that promise a body, sends part of it and closes
// the connection, as a proxy that dies mid-response does.
func dropConnection(w http.ResponseWriter, counted func(status int)) bool {
	hj, ok := w.(http.Hijacker)
	if !ok {
		return false
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return false
	}
	defer conn.Close()
	counted(StatusDropped)
	writePartial(buf)
	return true
}

func writePartial(buf *bufio.ReadWriter) {
	_, _ = buf.WriteString("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n" +
		"Content-Length: 4096\r\n\r\n{\"@odata.context\":\"$metadata\",\"value\":[{\"id\":")
	_ = buf.Flush()
}

// sleep waits d unless the client goes away first; it reports whether it waited.
func sleep(r *http.Request, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-r.Context().Done():
		return false
	}
}
