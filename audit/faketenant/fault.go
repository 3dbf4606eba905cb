package faketenant

import (
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
)

// FaultKind is what a fault does to a request it hits.
type FaultKind string

const (
	Fault429         FaultKind = "429"
	Fault502         FaultKind = "502"
	Fault503         FaultKind = "503"
	Fault504         FaultKind = "504"
	FaultDrop        FaultKind = "drop"
	Fault403         FaultKind = "403"
	FaultRepeatLink  FaultKind = "repeat-link"
	FaultEmptyPage   FaultKind = "empty-page"
	FaultTruncate    FaultKind = "truncate"
	FaultSlow        FaultKind = "slow"
	FaultConcurrency FaultKind = "concurrency"
)

var faultKinds = []FaultKind{Fault429, Fault502, Fault503, Fault504, FaultDrop, Fault403,
	FaultRepeatLink, FaultEmptyPage, FaultTruncate, FaultSlow, FaultConcurrency}

// Route scopes of a fault besides a single route.
const (
	ScopeAll       = "all"
	ScopeGraph     = "graph"
	ScopeDataverse = "dataverse"
)

// Fault is one injected failure; the package doc describes each field's flag key.
type Fault struct {
	// Route is a route (G1..D7), ScopeGraph, ScopeDataverse, or ScopeAll ("" = all).
	Route string
	Kind  FaultKind
	// Every hits about one request in Every; 0 or 1 hits every request.
	Every int
	// Times bounds how often one URL is hit by a recoverable fault; 0 means once.
	Times int
	// RetryAfter is the Retry-After header value, sent verbatim; "" sends none.
	RetryAfter string
	// Delay is how long a slow fault waits; 0 means one second.
	Delay time.Duration
	// Limit is the concurrency fault's allowed in-flight requests; 0 means 52.
	Limit int
	// Code replaces the error code of the body.
	Code string
}

// recoverable reports whether a retrying client gets past the fault.
func (f Fault) recoverable() bool {
	switch f.Kind {
	case Fault403, FaultRepeatLink, FaultTruncate:
		return false
	}
	return true
}

func (f Fault) applies(r Route) bool {
	if r == Batch {
		return f.Route == string(Batch)
	}
	switch f.Route {
	case "", ScopeAll:
		return r != Unknown
	case ScopeGraph:
		return r.IsGraph()
	case ScopeDataverse:
		return r.IsDataverse()
	}
	return Route(f.Route) == r
}

func (f Fault) every() int { return max(f.Every, 1) }
func (f Fault) times() int { return max(f.Times, 1) }

func (f Fault) delay() time.Duration {
	if f.Delay <= 0 {
		return time.Second
	}
	return f.Delay
}

func (f Fault) limit() int {
	if f.Limit <= 0 {
		return 52
	}
	return f.Limit
}

func (f Fault) status() int {
	switch f.Kind {
	case Fault429, FaultConcurrency:
		return http.StatusTooManyRequests
	case Fault502:
		return http.StatusBadGateway
	case Fault503:
		return http.StatusServiceUnavailable
	case Fault504:
		return http.StatusGatewayTimeout
	case Fault403:
		return http.StatusForbidden
	}
	return 0
}

// Validate checks that the fault names a known kind and route.
func (f Fault) Validate() error {
	if !slices.Contains(faultKinds, f.Kind) {
		return fmt.Errorf("unknown fault kind %q", f.Kind)
	}
	switch f.Route {
	case "", ScopeAll, ScopeGraph, ScopeDataverse, string(Batch):
	default:
		if !slices.Contains(Routes, Route(f.Route)) {
			return fmt.Errorf("unknown route %q (want G1..G8, D1..D7, graph, dataverse or all)",
				f.Route)
		}
	}
	if f.Every < 0 || f.Times < 0 || f.Limit < 0 || f.Delay < 0 {
		return fmt.Errorf("fault %s: negative value", f.Kind)
	}
	if f.RetryAfter != "" {
		if v, err := strconv.ParseFloat(f.RetryAfter, 64); err != nil || v < 0 {
			return fmt.Errorf("retry-after %q: want seconds, e.g. 1 or 0.5", f.RetryAfter)
		}
	}
	return nil
}

// ParseFault reads a fault from its flag form, e.g. "route=D6,kind=429,retry-after=1,every=7".
func ParseFault(s string) (Fault, error) {
	var f Fault
	for _, pair := range strings.Split(s, ",") {
		key, val, ok := strings.Cut(strings.TrimSpace(pair), "=")
		if !ok {
			return Fault{}, fmt.Errorf("fault %q: %q is not key=value", s, pair)
		}
		var err error
		switch key {
		case "route":
			f.Route = val
		case "kind":
			f.Kind = FaultKind(val)
		case "every":
			f.Every, err = strconv.Atoi(val)
		case "times":
			f.Times, err = strconv.Atoi(val)
		case "retry-after":
			f.RetryAfter = val
		case "delay":
			f.Delay, err = time.ParseDuration(val)
		case "limit":
			f.Limit, err = strconv.Atoi(val)
		case "code":
			f.Code = val
		default:
			return Fault{}, fmt.Errorf("fault %q: unknown key %q", s, key)
		}
		if err != nil {
			return Fault{}, fmt.Errorf("fault %q: %s: %w", s, key, err)
		}
	}
	if f.Kind == "" {
		return Fault{}, fmt.Errorf("fault %q: kind is required", s)
	}
	if err := f.Validate(); err != nil {
		return Fault{}, fmt.Errorf("fault %q: %w", s, err)
	}
	return f, nil
}

// String is the fault's flag form; ParseFault reads it back.
func (f Fault) String() string {
	parts := []string{"kind=" + string(f.Kind)}
	if f.Route != "" {
		parts = append(parts, "route="+f.Route)
	}
	add := func(key string, v int) {
		if v != 0 {
			parts = append(parts, key+"="+strconv.Itoa(v))
		}
	}
	add("every", f.Every)
	add("times", f.Times)
	add("limit", f.Limit)
	if f.RetryAfter != "" {
		parts = append(parts, "retry-after="+f.RetryAfter)
	}
	if f.Delay != 0 {
		parts = append(parts, "delay="+f.Delay.String())
	}
	if f.Code != "" {
		parts = append(parts, "code="+f.Code)
	}
	return strings.Join(parts, ",")
}

// FaultHelp describes the fault syntax for a command's help text.
const FaultHelp = `--fault takes comma-separated key=value pairs, e.g.
  route=D6,kind=429,retry-after=1,every=7

  route        G1..G8, D1..D7, graph, dataverse or all (default all); GB hits
               the Graph batch request itself (its items are hit by their own routes)
  kind         429 502 503 504 drop 403 repeat-link empty-page truncate slow concurrency
  every        hit about one request in N, chosen by a hash of --seed and the URL (default 1)
  times        how often one URL is hit before it is answered normally (default 1);
               429, 5xx, drop, slow and empty-page only: 403, repeat-link and truncate persist
  retry-after  Retry-After header value, verbatim ("1", "0.5"); absent unless set
  delay        how long slow waits (default 1s)
  limit        concurrency: Dataverse requests allowed in flight (default 52)
  code         the error code of the body`
