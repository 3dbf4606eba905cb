package collect

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// Defaults for the options a caller leaves at zero. Concurrency stays far below the 52
// concurrent requests Dataverse allows one user, because the auditor shares that limit
// with whatever else runs under its identity.
const (
	DefaultConcurrency = 8
	DefaultTimeout     = 60 * time.Second
	DefaultRetryBudget = 10 * time.Minute
	DefaultPageCap     = 10000
	// MaxConcurrency is the most --concurrency accepts.
	MaxConcurrency    = 32
	dataversePageSize = 5000
	dataverseAPIPath  = "/api/data/v9.2/"
)

// Options says where to collect from and how hard to try.
type Options struct {
	TenantID string
	// DataverseURL is the environment's root, https://ORG.crm.dynamics.com.
	DataverseURL string
	// GraphURL is Graph's versioned root; empty means the cloud's default.
	GraphURL string
	// AppID is the integration's appId; empty means audit.IntegrationAppID.
	AppID string
	Cloud Cloud
	// Concurrency bounds the requests in flight per service.
	Concurrency int
	// Timeout bounds one attempt of one request, body included.
	Timeout time.Duration
	// RetryBudget bounds the total time spent waiting before retries, for the whole run.
	RetryBudget time.Duration
	// PageCap bounds the pages read from one collection; beyond it the source is incomplete.
	PageCap int
	Logger  *slog.Logger
	// Progress, when set, is told about pages, items and throttling waits. Calls are
	// serialised, so the callback needs no locking of its own.
	Progress func(Progress)
	// Previous is the evidence of the tenant's last complete scan, named by PreviousScan.
	// When set and usable, access checks and licences of what did not change since are
	// taken from it instead of read again (incremental.go); nil reads everything.
	Previous     *audit.Snapshot
	PreviousScan audit.ScanRef

	// clock replaces time in tests, so retry waits cost nothing.
	clock clock
}

// Progress is one progress report of one source.
type Progress struct {
	Source audit.SourceName
	Pages  int
	Items  int
	// Throttled is true while the source waits before a retry.
	Throttled bool
	Wait      time.Duration
}

// withDefaults checks o and fills in what was left at zero.
func (o Options) withDefaults() (Options, error) {
	if o.Cloud == "" {
		o.Cloud = CloudPublic
	}
	ep, err := o.Cloud.endpoints()
	if err != nil {
		return o, err
	}
	if o.GraphURL == "" {
		o.GraphURL = ep.graph
	}
	if o.TenantID, err = CleanTenantID("--tenant-id", o.TenantID); err != nil {
		return o, err
	}
	if o.AppID == "" {
		o.AppID = audit.IntegrationAppID
	}
	o.AppID = strings.ToLower(strings.TrimSpace(o.AppID))
	if !isGUID(o.AppID) {
		return o, fmt.Errorf("--app-id %q is not a GUID", o.AppID)
	}
	if o.GraphURL, err = cleanURL("--graph-url", o.GraphURL); err != nil {
		return o, err
	}
	if o.DataverseURL == "" {
		return o, errors.New("--dataverse-url is required (https://ORG.crm.dynamics.com)")
	}
	if o.DataverseURL, err = cleanURL("--dataverse-url", o.DataverseURL); err != nil {
		return o, err
	}
	o.DataverseURL = strings.TrimSuffix(o.DataverseURL, strings.TrimSuffix(dataverseAPIPath, "/"))
	switch {
	case o.Concurrency == 0:
		o.Concurrency = DefaultConcurrency
	case o.Concurrency < 0 || o.Concurrency > MaxConcurrency:
		return o, fmt.Errorf("--concurrency %d is out of range 1-%d", o.Concurrency, MaxConcurrency)
	}
	switch {
	case o.Timeout < 0:
		return o, fmt.Errorf("--timeout %s is negative", o.Timeout)
	case o.RetryBudget < 0:
		return o, fmt.Errorf("--retry-budget %s is negative", o.RetryBudget)
	case o.PageCap < 0:
		return o, fmt.Errorf("--page-cap %d is negative", o.PageCap)
	}
	if o.Timeout == 0 {
		o.Timeout = DefaultTimeout
	}
	if o.RetryBudget == 0 {
		o.RetryBudget = DefaultRetryBudget
	}
	if o.PageCap == 0 {
		o.PageCap = DefaultPageCap
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.clock == nil {
		o.clock = realClock{}
	}
	return o, nil
}

// CleanTenantID checks a tenant ID given by source (a flag or variable name) and returns
// it in lower case; empty stays empty. Members of any other tenant count as external,
// so a mistyped ID would make everyone external.
func CleanTenantID(source, id string) (string, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if id != "" && !isGUID(id) {
		return "", fmt.Errorf("%s %q is not a tenant ID: use the GUID shown in the Entra "+
			"admin center under Entra ID > Overview > Tenant ID", source, id)
	}
	return id, nil
}

// cleanURL accepts an absolute http(s) URL without query or credentials and returns it
// without a trailing slash.
func cleanURL(flag, raw string) (string, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil || u.Host == "" || (u.Scheme != "https" && u.Scheme != "http") {
		return "", fmt.Errorf("%s %q is not an absolute http(s) URL", flag, raw)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return "", fmt.Errorf("%s must not carry credentials, a query or a fragment", flag)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return "", fmt.Errorf("%s must use https (plain http only on loopback)", flag)
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

// checkCredential refuses what would send a request without a token or a token in
// the clear: no credential off loopback, or a credential with a plain http endpoint.
func (o Options) checkCredential(cred azcore.TokenCredential) error {
	if cred == nil {
		if !o.Loopback() {
			return errNoCredential
		}
		return nil
	}
	return CheckTokenURLs(o.GraphURL, o.DataverseURL)
}

// CheckTokenURLs refuses a plain http --graph-url or --dataverse-url: a token goes only
// over https. An empty URL (the default) passes.
func CheckTokenURLs(graphURL, dataverseURL string) error {
	for _, u := range []struct{ flag, raw string }{
		{"--graph-url", graphURL}, {"--dataverse-url", dataverseURL},
	} {
		p, err := url.Parse(strings.TrimSpace(u.raw))
		if u.raw != "" && (err != nil || !strings.EqualFold(p.Scheme, "https")) {
			return fmt.Errorf("%s %s is not https: a token is sent only over https "+
				"(plain http only with --auth none, on loopback)", u.flag, u.raw)
		}
	}
	return nil
}

// Loopback reports whether every endpoint of o is on the local machine, the only case
// in which collecting without a credential is allowed.
func (o Options) Loopback() bool {
	for _, raw := range []string{o.GraphURL, o.DataverseURL} {
		u, err := url.Parse(raw)
		if err != nil || !isLoopback(u.Hostname()) {
			return false
		}
	}
	return true
}

func isLoopback(host string) bool {
	if strings.EqualFold(host, "localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}
