package faketenant

import (
	"encoding/base64"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
)

// MaxDataversePageSize is the most rows Dataverse puts on one page.
const MaxDataversePageSize = 5000

// pageToken is where the next page starts. hop counts empty pages already served on the
// way, so an empty-page fault's link differs from the URL that produced it.
type pageToken struct {
	offset int
	hop    int
}

// encode makes the token opaque, as the real services' tokens are: a client must
// follow the link verbatim, not build one.
func (t pageToken) encode() string {
	raw := fmt.Sprintf("offset:%d;hop:%d", t.offset, t.hop)
	return base64.RawURLEncoding.EncodeToString([]byte(raw))
}

func decodeToken(s string) (pageToken, bool) {
	b, err := base64.RawURLEncoding.DecodeString(s)
	if err != nil {
		return pageToken{}, false
	}
	var t pageToken
	if _, err := fmt.Sscanf(string(b), "offset:%d;hop:%d", &t.offset, &t.hop); err != nil {
		return pageToken{}, false
	}
	return t, t.offset >= 0 && t.hop >= 0
}

// Dataverse's $skiptoken is a paging cookie in XML; the fake keeps its token in the
// pagingcookie attribute.
var dvCookie = regexp.MustCompile(`^<cookie pagenumber="(\d+)" pagingcookie="([^"]*)" ` +
	`istracking="False" />$`)

func skiptoken(a api, t pageToken, size int) string {
	if a == apiGraph {
		return t.encode()
	}
	page := t.offset/max(size, 1) + 1
	return fmt.Sprintf(`<cookie pagenumber="%d" pagingcookie="%s" istracking="False" />`,
		page, t.encode())
}

func parseSkiptoken(a api, s string) (pageToken, bool) {
	if a == apiGraph {
		return decodeToken(s)
	}
	m := dvCookie.FindStringSubmatch(s)
	if m == nil {
		return pageToken{}, false
	}
	return decodeToken(m[2])
}

// pageSize is how many rows one page of the request holds. Graph pages at the
// configured size. Dataverse honours Prefer: odata.maxpagesize up to 5000 and pages at
// 5000 without it; a configured size caps both, to force paging in tests.
func (s *Server) pageSize(r *http.Request, a api) (size int, applied string) {
	if a == apiGraph {
		return max(s.opts.GraphPageSize, 1), ""
	}
	size = MaxDataversePageSize
	if n, ok := preferMaxPageSize(r.Header.Values("Prefer")); ok {
		size = min(n, MaxDataversePageSize)
		applied = "odata.maxpagesize=" + strconv.Itoa(size)
	}
	if s.opts.DataversePageSize > 0 {
		size = min(size, s.opts.DataversePageSize)
	}
	return size, applied
}

func preferMaxPageSize(prefer []string) (int, bool) {
	for _, p := range preferences(prefer) {
		if v, ok := strings.CutPrefix(p, "odata.maxpagesize="); ok {
			n, err := strconv.Atoi(v)
			if err == nil && n > 0 {
				return n, true
			}
		}
	}
	return 0, false
}

// wantsAnnotations reports whether the client asked for formatted values, as Dataverse
// sends them only when asked.
func wantsAnnotations(prefer []string) bool {
	for _, p := range preferences(prefer) {
		v, ok := strings.CutPrefix(p, "odata.include-annotations=")
		if !ok {
			continue
		}
		v = strings.Trim(v, `"`)
		if v == "*" || strings.Contains(v, "OData.Community.Display.V1.FormattedValue") {
			return true
		}
	}
	return false
}

func preferences(prefer []string) []string {
	var out []string
	for _, h := range prefer {
		for _, p := range strings.Split(h, ",") {
			if p = strings.TrimSpace(p); p != "" {
				out = append(out, p)
			}
		}
	}
	return out
}

// nextLink is the absolute URL of the page at t: the request's own URL with its
// $skiptoken replaced, so the query options carry over as the services' links do.
func nextLink(r *http.Request, a api, t pageToken, size int) string {
	q := strings.Split(r.URL.RawQuery, "&")
	kept := q[:0]
	for _, p := range q {
		if p != "" && !strings.HasPrefix(p, "$skiptoken=") && !strings.HasPrefix(p, "%24skiptoken=") {
			kept = append(kept, p)
		}
	}
	kept = append(kept, "$skiptoken="+url.QueryEscape(skiptoken(a, t, size)))
	return baseURL(r) + r.URL.EscapedPath() + "?" + strings.Join(kept, "&")
}

// selfLink is the absolute URL of the request itself.
func selfLink(r *http.Request) string {
	u := baseURL(r) + r.URL.EscapedPath()
	if r.URL.RawQuery != "" {
		u += "?" + r.URL.RawQuery
	}
	return u
}

func baseURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
