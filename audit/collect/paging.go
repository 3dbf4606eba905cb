package collect

import (
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// shortfall is why a listing stopped before its end. A listing that failed on its first
// page has nothing to show (error); one that failed later holds part of the rows
// (incomplete), and both are recorded so, never as an empty clean list.
type shortfall struct {
	status audit.Status
	reason string
	// notFound is set when the service said the object does not exist, with its code.
	notFound bool
	code     string
}

func (s *shortfall) Error() string { return s.reason }

// failed is stopped for a failed request, keeping whether the object was not found.
func failed(pages int, f failure, n need, budget time.Duration) *shortfall {
	s := stopped(pages, f.reason(n, budget))
	s.notFound, s.code = f.notFound(), f.code
	return s
}

func stopped(pages int, reason string) *shortfall {
	if pages == 0 {
		return &shortfall{status: audit.StatusError, reason: reason}
	}
	return &shortfall{status: audit.StatusIncomplete, reason: fmt.Sprintf("%s (after %d pages)", reason, pages)}
}

// pager decides whether to follow a next link: it must be new, on the service's own
// host (a token must never travel elsewhere) and within the page cap.
type pager struct {
	origin string
	cap    int
	pages  int
	seen   map[string]bool
}

func newPager(base string, pageCap int) *pager {
	return &pager{origin: origin(base), cap: pageCap, seen: map[string]bool{}}
}

// follow is called after each page with its next link; it returns true to fetch it.
func (p *pager) follow(link string) (bool, *shortfall) {
	p.pages++
	if strings.TrimSpace(link) == "" {
		return false, nil
	}
	switch {
	case p.seen[link]:
		return false, &shortfall{status: audit.StatusIncomplete, reason: fmt.Sprintf("the service sent a next "+
			"link it had sent before (page %d): the listing may be missing rows", p.pages)}
	case origin(link) != p.origin:
		return false, &shortfall{status: audit.StatusIncomplete, reason: fmt.Sprintf("a next link points "+
			"outside %s (page %d); not followed", p.origin, p.pages)}
	case p.pages >= p.cap:
		return false, &shortfall{status: audit.StatusIncomplete, reason: fmt.Sprintf("more than %d pages: "+
			"raise the page cap", p.cap)}
	}
	p.seen[link] = true
	return true, nil
}

func origin(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return ""
	}
	return strings.ToLower(u.Scheme + "://" + u.Host)
}
