package collect

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// fakeCredential hands out one token, or fails when err is set.
type fakeCredential struct {
	token string
	err   error
}

func (c fakeCredential) GetToken(context.Context,
	policy.TokenRequestOptions) (azcore.AccessToken, error) {
	if c.err != nil {
		return azcore.AccessToken{}, c.err
	}
	return azcore.AccessToken{Token: c.token, ExpiresOn: time.Now().Add(time.Hour)}, nil
}

// closedPort is a loopback address nothing listens at.
func closedPort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

// A refused connection or a TLS handshake with a plain http server is given up on the
// first attempt, with advice that fits.
func TestHopelessConnectionsAreNotRetried(t *testing.T) {
	plain := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(plain.Close)
	refused := closedPort(t)
	cases := []struct {
		url, want string
	}{
		{"http://" + refused, "connection refused (after 1 attempt); nothing listens at " +
			refused + ": check the URL"},
		{strings.Replace(plain.URL, "http:", "https:", 1), "does not speak TLS (after 1 attempt)"},
	}
	for _, tc := range cases {
		o, err := Options{DataverseURL: tc.url, clock: &fakeClock{}}.withDefaults()
		if err != nil {
			t.Fatal(err)
		}
		d := newDataverse(o, nil, newBudget(o.RetryBudget))
		rn := newRun(audit.SourceChatLinks, nil)
		_, short := d.chatLinks(withRun(context.Background(), rn))
		if short == nil || !strings.Contains(short.reason, tc.want) ||
			strings.Contains(short.reason, "--timeout") {
			t.Errorf("%s: shortfall %+v, want %q", tc.url, short, tc.want)
		}
		if n := rn.requests.Load(); n != 1 {
			t.Errorf("%s: %d attempts, want 1", tc.url, n)
		}
	}
}

func TestAttemptsArePlural(t *testing.T) {
	for n, want := range map[int]string{1: "x (after 1 attempt)", 11: "x (after 11 attempts)"} {
		if got := (&exhaustedError{attempts: n, err: errors.New("x")}).Error(); got != want {
			t.Errorf("%d: %q, want %q", n, got, want)
		}
	}
}

// A credential never goes with a plain http endpoint, loopback or not.
func TestCredentialNeedsHTTPS(t *testing.T) {
	cred := fakeCredential{token: "t"}
	for _, o := range []Options{
		{GraphURL: "http://127.0.0.1:1/v1.0", DataverseURL: "https://127.0.0.1:1"},
		{GraphURL: "https://127.0.0.1:1/v1.0", DataverseURL: "http://localhost:1"},
	} {
		if _, err := Collect(context.Background(), o, cred); err == nil ||
			!strings.Contains(err.Error(), "is not https") {
			t.Errorf("Collect %+v: %v", o, err)
		}
		if _, err := Doctor(context.Background(), o, cred); err == nil ||
			!strings.Contains(err.Error(), "is not https") {
			t.Errorf("Doctor %+v: %v", o, err)
		}
	}
}

// tlsTenant serves Graph and Dataverse over TLS on loopback (a host with a port, as a
// proxy or sovereign endpoint may be) and records the Authorization headers it gets.
func tlsTenant(t *testing.T) (Options, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var seen []string
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		seen = append(seen, r.Header.Get("Authorization"))
		mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"value":[]}`))
	}))
	t.Cleanup(ts.Close)
	saved := http.DefaultTransport // baseTransport clones it: trust the test server
	http.DefaultTransport = ts.Client().Transport
	t.Cleanup(func() { http.DefaultTransport = saved })
	o, err := Options{GraphURL: ts.URL + "/v1.0", DataverseURL: ts.URL,
		clock: &fakeClock{}}.withDefaults()
	if err != nil {
		t.Fatal(err)
	}
	return o, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), seen...)
	}
}

func TestGraphSendsTokenToCustomHTTPSHost(t *testing.T) {
	o, seen := tlsTenant(t)
	g, err := newGraphClient(o, fakeCredential{token: "tok"}, newBudget(o.RetryBudget))
	if err != nil {
		t.Fatal(err)
	}
	ctx := withRun(context.Background(), newRun(audit.SourceMembers, nil))
	if _, short := g.chatMembers(ctx, "19:abc@thread.v2"); short != nil {
		t.Fatal(short.reason)
	}
	if got := seen(); len(got) != 1 || got[0] != "Bearer tok" {
		t.Errorf("Authorization headers = %q", got)
	}
}

// A failed sign-in sends nothing, is not retried and says what to check.
func TestFailedTokenSendsNothing(t *testing.T) {
	o, seen := tlsTenant(t)
	cred := fakeCredential{err: errors.New("AADSTS7000215: invalid client secret")}
	b := newBudget(o.RetryBudget)
	g, err := newGraphClient(o, cred, b)
	if err != nil {
		t.Fatal(err)
	}
	rn := newRun(audit.SourceMembers, nil)
	ctx := withRun(context.Background(), rn)
	_, short := g.chatMembers(ctx, "19:abc@thread.v2")
	want := "no token: AADSTS7000215"
	if short == nil || !strings.Contains(short.reason, want) ||
		!strings.Contains(short.reason, tokenAdvice) {
		t.Errorf("Graph shortfall %+v, want %q", short, want)
	}
	_, short = newDataverse(o, cred, b).chatLinks(ctx)
	if short == nil || !strings.Contains(short.reason, want) ||
		!strings.Contains(short.reason, tokenAdvice) {
		t.Errorf("Dataverse shortfall %+v, want %q", short, want)
	}
	if got := seen(); len(got) != 0 {
		t.Errorf("the server got %d requests without a token", len(got))
	}
	if n := rn.requests.Load(); n > 1 {
		t.Errorf("%d attempts", n)
	}
}

// Whatever Kiota's provider skips, the transport refuses to send unauthenticated.
func TestGraphTransportRefusesRequestWithoutToken(t *testing.T) {
	o, seen := tlsTenant(t)
	tr := graphTransport{r: newRetrier("Graph", o, newBudget(o.RetryBudget), false),
		base: baseTransport(), needToken: true}
	req, _ := http.NewRequest(http.MethodGet, o.GraphURL+"/users/x", nil)
	if _, err := tr.RoundTrip(req); !errors.Is(err, errNoToken) {
		t.Errorf("err = %v", err)
	}
	if len(seen()) != 0 {
		t.Error("a request went out without a token")
	}
}

func TestOptionsRefuseBadValues(t *testing.T) {
	base := Options{DataverseURL: "https://contoso.crm.dynamics.com"}
	cases := []struct {
		edit func(*Options)
		want string
	}{
		{func(o *Options) { o.TenantID = "x" }, `--tenant-id "x" is not a tenant ID`},
		{func(o *Options) { o.TenantID = "contoso.onmicrosoft.com" }, "Entra ID > Overview"},
		{func(o *Options) { o.Timeout = -time.Second }, "--timeout -1s is negative"},
		{func(o *Options) { o.RetryBudget = -time.Second }, "--retry-budget -1s is negative"},
		{func(o *Options) { o.PageCap = -1 }, "--page-cap -1 is negative"},
		{func(o *Options) { o.Concurrency = -3 }, "out of range 1-32"},
	}
	for _, tc := range cases {
		o := base
		tc.edit(&o)
		if _, err := o.withDefaults(); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: err %v, want %q", o, err, tc.want)
		}
	}
	o := base
	o.TenantID = " 72F988BF-86F1-41AF-91AB-2D7CD011DB47 "
	got, err := o.withDefaults()
	if err != nil || got.TenantID != "72f988bf-86f1-41af-91ab-2d7cd011db47" {
		t.Errorf("tenant ID %q, %v", got.TenantID, err)
	}
}
