package faketenant

import (
	"encoding/json"
	"net/http"
	"sort"
	"sync"
)

// StatusDropped is the status recorded for a request whose connection was closed
// before a response was complete.
const StatusDropped = 0

// RequestRecord is one request as the server counted it.
type RequestRecord struct {
	Method string `json:"method"`
	Route  Route  `json:"route"`
	Status int    `json:"status"`
	// Batched is set for an item of a Graph batch: it is no HTTP request of its own.
	Batched bool `json:"batched,omitempty"`
}

// RouteStats counts the requests of one route.
type RouteStats struct {
	Requests int `json:"requests"`
	// Batched counts the requests that came as items of a Graph batch (route GB).
	Batched int `json:"batched,omitempty"`
	// ByStatus counts answers by HTTP status; 0 is a dropped connection.
	ByStatus map[int]int `json:"byStatus"`
}

// Stats is what the server has answered so far.
type Stats struct {
	// Total counts HTTP requests: a Graph batch is one, its items are counted under
	// their own routes as batched.
	Total  int                  `json:"total"`
	Routes map[Route]RouteStats `json:"routes"`
	// MaxInFlight is the most Dataverse requests that were in flight at once.
	MaxInFlight int `json:"maxInFlightDataverse"`
}

// Requests returns how many requests route r received.
func (s Stats) Requests(r Route) int { return s.Routes[r].Requests }

// counter records requests; it is safe for concurrent use.
type counter struct {
	mu          sync.Mutex
	records     []RequestRecord
	maxInFlight int
}

func (c *counter) add(rec RequestRecord) {
	c.mu.Lock()
	c.records = append(c.records, rec)
	c.mu.Unlock()
}

func (c *counter) observeInFlight(n int) {
	c.mu.Lock()
	c.maxInFlight = max(c.maxInFlight, n)
	c.mu.Unlock()
}

func (c *counter) snapshot() Stats {
	c.mu.Lock()
	defer c.mu.Unlock()
	s := Stats{Routes: map[Route]RouteStats{}, MaxInFlight: c.maxInFlight}
	for _, rec := range c.records {
		rs := s.Routes[rec.Route]
		if rs.ByStatus == nil {
			rs.ByStatus = map[int]int{}
		}
		if rec.Batched {
			rs.Batched++
		} else {
			s.Total++
		}
		rs.Requests++
		rs.ByStatus[rec.Status]++
		s.Routes[rec.Route] = rs
	}
	return s
}

func (c *counter) list() []RequestRecord {
	c.mu.Lock()
	defer c.mu.Unlock()
	return append([]RequestRecord(nil), c.records...)
}

func (c *counter) reset() {
	c.mu.Lock()
	c.records, c.maxInFlight = nil, 0
	c.mu.Unlock()
}

// Stats returns the request counts so far.
func (s *Server) Stats() Stats { return s.count.snapshot() }

// Requests returns every request so far, in the order their answers began.
func (s *Server) Requests() []RequestRecord { return s.count.list() }

// ResetStats forgets the requests counted so far, e.g. between benchmark iterations.
func (s *Server) ResetStats() { s.count.reset() }

// serveStats answers GET /_fake/stats; DELETE resets the counts.
func (s *Server) serveStats(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
	case http.MethodDelete:
		s.ResetStats()
		w.WriteHeader(http.StatusNoContent)
		return
	default:
		w.Header().Set("Allow", "GET, DELETE")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(s.Stats())
}

// Seen returns the routes that received requests, in contract order, unknown last.
func (s Stats) Seen() []Route {
	out := make([]Route, 0, len(s.Routes))
	for r := range s.Routes {
		out = append(out, r)
	}
	order := map[Route]int{}
	for i, r := range Routes {
		order[r] = i
	}
	sort.Slice(out, func(i, j int) bool {
		oi, iok := order[out[i]]
		oj, jok := order[out[j]]
		if iok != jok {
			return iok
		}
		return oi < oj
	})
	return out
}
