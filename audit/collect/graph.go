package collect

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	absauth "github.com/microsoft/kiota-abstractions-go/authentication"
	absser "github.com/microsoft/kiota-abstractions-go/serialization"
	kauth "github.com/microsoft/kiota-authentication-azure-go"
	khttp "github.com/microsoft/kiota-http-go"
	jsonser "github.com/microsoft/kiota-serialization-json-go"
	core "github.com/microsoftgraph/msgraph-sdk-go-core"
)

// graphClient is Kiota's request adapter over our own transport: the request builders
// of msgraph-sdk-go build the requests and parse the answers, while retries and paging
// are ours (see retry.go and pageGraph).
type graphClient struct {
	adapter *core.GraphRequestAdapterBase
	base    string
	pageCap int
	budget  time.Duration
	// retry is the transport's retrier; batches retry their items through it.
	retry *retrier
}

func newGraphClient(o Options, cred azcore.TokenCredential, b *budget) (*graphClient, error) {
	var auth absauth.AuthenticationProvider = &absauth.AnonymousAuthenticationProvider{}
	if cred != nil {
		u, err := url.Parse(o.GraphURL)
		if err != nil {
			return nil, fmt.Errorf("graph url: %w", err)
		}
		// Kiota's provider compares host names without the port, and silently sends a
		// request to any other host without a token; graphTransport refuses those.
		scope := u.Scheme + "://" + u.Host + "/.default"
		auth, err = kauth.NewAzureIdentityAuthenticationProviderWithScopesAndValidHosts(
			markedCredential{cred}, []string{scope}, []string{u.Hostname()})
		if err != nil {
			return nil, fmt.Errorf("graph auth: %w", err)
		}
	}

	parse := absser.NewParseNodeFactoryRegistry()
	parse.ContentTypeAssociatedFactories["application/json"] = jsonser.NewJsonParseNodeFactory()
	write := absser.NewSerializationWriterFactoryRegistry()
	write.ContentTypeAssociatedFactories["application/json"] =
		jsonser.NewJsonSerializationWriterFactory()

	// Kiota's default middleware minus its retry handler, which ours replaces.
	retry := graphTransport{r: newRetrier("Graph", o, b, false), base: baseTransport(),
		needToken: cred != nil}
	client := &http.Client{Transport: khttp.NewCustomTransportWithParentTransport(retry,
		khttp.NewParametersNameDecodingHandler(),
		khttp.NewRedirectHandler(),
		khttp.NewUserAgentHandler(),
	)}
	adapter, err := core.NewGraphRequestAdapterBaseWithParseNodeFactoryAndSerializationWriterFactoryAndHttpClient(
		auth, core.GraphClientOptions{}, parse, write, client)
	if err != nil {
		return nil, fmt.Errorf("graph adapter: %w", err)
	}
	adapter.SetBaseUrl(o.GraphURL)
	return &graphClient{adapter: adapter, base: o.GraphURL, pageCap: o.PageCap,
		budget: o.RetryBudget, retry: retry.r}, nil
}

// params are the path parameters every request builder starts from.
func (c *graphClient) params() map[string]string {
	return map[string]string{"baseurl": c.base}
}

func baseTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = MaxConcurrency
	return t
}

// graphPage is what every Graph collection response offers.
type graphPage[T any] interface {
	GetValue() []T
	GetOdataNextLink() *string
}

// pageGraph reads a Graph collection to its end: first fetches page one, next the
// page a next link names (through the request builder's WithUrl). Kiota's page
// iterator is not used because it follows a repeating next link forever. each takes one
// item and returns false to stop reading, with no shortfall: the caller judges what it has.
func pageGraph[T any, P graphPage[T]](ctx context.Context, c *graphClient, n need,
	first func(context.Context) (P, error), next func(context.Context, string) (P, error),
	each func(T) bool) *shortfall {
	rn := runOf(ctx)
	p := newPager(c.base, c.pageCap)
	page, err := first(ctx)
	for {
		if err != nil {
			return failed(p.pages, graphFailure(err), n, c.budget)
		}
		if any(page) == nil {
			return stopped(p.pages, fmt.Sprintf("Graph sent an empty answer for %s", n.what))
		}
		items := page.GetValue()
		rn.page(len(items))
		for _, it := range items {
			if !each(it) {
				return nil
			}
		}
		link := str(page.GetOdataNextLink())
		more, short := p.follow(link)
		if short != nil || !more {
			return short
		}
		page, err = next(ctx, link)
	}
}

// graphGet fetches one object; notFound is true when Graph says it does not exist.
func graphGet[T any](ctx context.Context, c *graphClient, n need,
	get func(context.Context) (T, error)) (v T, notFound bool, short *shortfall) {
	v, err := get(ctx)
	if err != nil {
		s := failed(0, graphFailure(err), n, c.budget)
		return v, s.notFound, s
	}
	if any(v) == nil {
		return v, false, stopped(0, fmt.Sprintf("Graph sent an empty answer for %s", n.what))
	}
	runOf(ctx).page(1)
	return v, false, nil
}

var errNoCredential = errors.New("no credential: --auth none is allowed only when " +
	"every endpoint is on loopback")
