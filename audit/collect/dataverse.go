package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/policy"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/teamschat-audit/teamschat-audit/audit"
)

// maxAnswerBytes bounds one Dataverse answer (5000 rows of a wide table fit easily).
const maxAnswerBytes = 256 << 20

// dataverse is a small typed client of the Dataverse Web API on an azcore pipeline:
// bearer token for the environment's scope, our retry policy with its shared pause,
// no telemetry.
type dataverse struct {
	pl      runtime.Pipeline
	retrier *retrier
	root    string // https://ORG.crm.dynamics.com/api/data/v9.2/
	pageCap int
	budget  time.Duration
}

func newDataverse(o Options, cred azcore.TokenCredential, b *budget) *dataverse {
	perRetry := []policy.Policy{}
	if cred != nil {
		perRetry = append(perRetry, runtime.NewBearerTokenPolicy(markedCredential{cred},
			[]string{o.DataverseURL + "/.default"}, nil))
	}
	r := newRetrier("Dataverse", o, b, true)
	pl := runtime.NewPipeline("teamschat-audit", "v1", runtime.PipelineOptions{
		PerCall:  []policy.Policy{retryPolicy{r}},
		PerRetry: perRetry,
	}, &policy.ClientOptions{
		Retry:     policy.RetryOptions{MaxRetries: -1},
		Telemetry: policy.TelemetryOptions{Disabled: true},
		Transport: &http.Client{Transport: baseTransport()},
	})
	return &dataverse{pl: pl, retrier: r, root: o.DataverseURL + dataverseAPIPath, pageCap: o.PageCap,
		budget: o.RetryBudget}
}

// dataverseError is an error answer: {"error":{"code":"0x80040220","message":"..."}}.
type dataverseError struct {
	Status  int
	Code    string
	Message string
}

func (e *dataverseError) Error() string {
	return fmt.Sprintf("Dataverse answered %d %s", e.Status, e.Code)
}

// get sends a GET for path (relative to the API root, or an absolute next link) and
// decodes a 2xx JSON answer into v. Other answers become a failure.
func (d *dataverse) get(ctx context.Context, path string, v any) *failure {
	u := path
	if !strings.HasPrefix(path, "https://") && !strings.HasPrefix(path, "http://") {
		u = d.root + path
	}
	req, err := runtime.NewRequest(ctx, http.MethodGet, u)
	if err != nil {
		return &failure{err: fmt.Errorf("build request: %w", err)}
	}
	h := req.Raw().Header
	h.Set("Accept", "application/json")
	h.Set("OData-MaxVersion", "4.0")
	h.Set("OData-Version", "4.0")
	h.Set("Prefer", "odata.maxpagesize="+strconv.Itoa(dataversePageSize)+
		`, odata.include-annotations="*"`)

	resp, err := d.pl.Do(req)
	if err != nil {
		return &failure{err: err}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return &failure{status: 0, err: &exhaustedError{attempts: 1,
			err: describeTransport(err, 0), advice: "check the network"}}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return &failure{status: resp.StatusCode, code: errorCode(body),
			err: &dataverseError{Status: resp.StatusCode, Code: errorCode(body)}}
	}
	if err := json.Unmarshal(body, v); err != nil {
		return &failure{err: describeJSON(err)}
	}
	return nil
}

func errorCode(body []byte) string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	if json.Unmarshal(body, &e) != nil {
		return ""
	}
	return e.Error.Code
}

func describeJSON(err error) error {
	var syn *json.SyntaxError
	switch {
	case err == io.ErrUnexpectedEOF || strings.Contains(err.Error(), "unexpected end of JSON"):
		return fmt.Errorf("truncated JSON")
	case asError(err, &syn):
		return fmt.Errorf("invalid JSON at byte %d", syn.Offset)
	}
	return fmt.Errorf("unexpected JSON: %v", err)
}

// dvPage is one page of a Dataverse collection.
type dvPage struct {
	Value       []json.RawMessage `json:"value"`
	NextLink    string            `json:"@odata.nextLink"`
	MoreRecords *bool             `json:"@Microsoft.Dynamics.CRM.morerecords"`
}

// pageRows reads a collection to its end, handing each row to each. A row each
// rejects is counted and reported, never dropped silently.
func (d *dataverse) pageRows(ctx context.Context, path string, n need,
	each func(json.RawMessage) error) *shortfall {
	rn := runOf(ctx)
	p := newPager(d.root, d.pageCap)
	bad, firstBad := 0, ""
	for {
		var page dvPage
		if f := d.get(ctx, path, &page); f != nil {
			return failed(p.pages, *f, n, d.budget)
		}
		for i, row := range page.Value {
			if err := each(row); err != nil {
				bad++
				if firstBad == "" {
					firstBad = fmt.Sprintf("row %d of page %d: %v", i+1, p.pages+1, err)
				}
			}
		}
		rn.page(len(page.Value))
		more, short := p.follow(page.NextLink)
		if short == nil && !more && page.MoreRecords != nil && *page.MoreRecords {
			short = &shortfall{status: audit.StatusIncomplete, reason: fmt.Sprintf("Dataverse said "+
				"more records exist for %s but sent no next link (page %d)", n.what, p.pages)}
		}
		if short == nil && bad > 0 {
			short = &shortfall{status: audit.StatusIncomplete, reason: fmt.Sprintf("%d rows of %s "+
				"could not be read; first: %s", bad, n.what, firstBad)}
		}
		if short != nil || !more {
			return short
		}
		path = page.NextLink
	}
}
