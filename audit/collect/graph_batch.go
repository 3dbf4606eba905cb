package collect

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	abs "github.com/microsoft/kiota-abstractions-go"
	"github.com/microsoftgraph/msgraph-sdk-go/models/odataerrors"
)

// Graph's JSON batching ($batch) carries up to 20 GETs in one HTTP request. The
// members of every linked conversation are read this way, in full and incremental
// scans alike, which cuts the requests of the largest Graph source twentyfold. Each
// item has its own status: a throttled item is sent again in a later batch after its
// own Retry-After, charged to the same retry budget as single requests; a failed item
// fails only its conversation.

// batchMax is the most requests Graph accepts in one batch.
const batchMax = 20

type batchRequest struct {
	ID     string `json:"id"`
	Method string `json:"method"`
	URL    string `json:"url"`
}

// batchAnswer is one item of a batch answer. Status 0 means the batch itself failed,
// and failure says how.
type batchAnswer struct {
	ID      string            `json:"id"`
	Status  int               `json:"status"`
	Headers map[string]string `json:"headers,omitempty"`
	Body    json.RawMessage   `json:"body,omitempty"`
	failure failure
}

// header finds a header of the item; batch answers do not fix the case of names.
func (a batchAnswer) header(name string) string {
	for k, v := range a.Headers {
		if strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// itemFailure classifies an item answered with an error status.
func (a batchAnswer) itemFailure() failure {
	if a.Status == 0 {
		return a.failure
	}
	var body struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(a.Body, &body)
	return failure{status: a.Status, code: body.Error.Code,
		err: fmt.Errorf("batch item answered %d", a.Status)}
}

// pathSegment percent-encodes one path segment as the SDK does, ':' and '@' included.
func pathSegment(s string) string {
	return strings.NewReplacer(":", "%3A", "@", "%40").Replace(url.PathEscape(s))
}

// batch sends GETs of paths (relative to the Graph root, at most batchMax) in one
// batch and returns one answer per path, in order. Items answered with a retryable
// status are sent again while the retries and the budget last; when they run out the
// item keeps its last status.
func (c *graphClient) batch(ctx context.Context, paths []string) []batchAnswer {
	out := make([]batchAnswer, len(paths))
	pending := make([]int, len(paths))
	for i := range paths {
		pending[i] = i
	}
	rn := runOf(ctx)
	for attempt := 1; len(pending) > 0; attempt++ {
		answers := c.sendBatch(ctx, paths, pending)
		var again []int
		after := ""
		for _, i := range pending {
			a := answers[i]
			out[i] = a
			if retryable(a.Status) {
				again = append(again, i)
				after = maxRetryAfter(after, a.header("Retry-After"))
			}
		}
		if len(again) == 0 || attempt > maxRetries || ctx.Err() != nil {
			return out
		}
		wait, now := c.retry.delayAfter(after, attempt), c.retry.clock.Now()
		if !c.retry.budget.take(now, wait) {
			return out
		}
		rn.retries.Add(1)
		rn.waited(now, wait, true)
		if err := c.retry.clock.Sleep(ctx, wait); err != nil {
			return out
		}
		pending = again
	}
	return out
}

// maxRetryAfter keeps the longer of two Retry-After values given in seconds.
func maxRetryAfter(a, b string) string {
	fa, errA := strconv.ParseFloat(strings.TrimSpace(a), 64)
	fb, errB := strconv.ParseFloat(strings.TrimSpace(b), 64)
	switch {
	case errB != nil:
		return a
	case errA != nil || fb > fa:
		return b
	}
	return a
}

// sendBatch sends the items of paths named by which; it returns answers indexed like
// paths. A batch that fails as a whole fails each of its items the same way.
func (c *graphClient) sendBatch(ctx context.Context, paths []string, which []int) []batchAnswer {
	out := make([]batchAnswer, len(paths))
	req := struct {
		Requests []batchRequest `json:"requests"`
	}{}
	for _, i := range which {
		req.Requests = append(req.Requests, batchRequest{ID: strconv.Itoa(i), Method: "GET",
			URL: paths[i]})
	}
	body, err := json.Marshal(req)
	if err == nil {
		var raw []byte
		raw, err = c.postBatch(ctx, body)
		if err == nil {
			err = decodeBatch(raw, out)
		}
	}
	for _, i := range which {
		switch {
		case err != nil:
			out[i] = batchAnswer{failure: graphFailure(err)}
		case out[i].Status == 0 && out[i].ID == "":
			out[i] = batchAnswer{failure: failure{err: fmt.Errorf("the batch answer has "+
				"no item %d", i)}}
		}
	}
	return out
}

// postBatch sends one batch through the adapter: its authentication and our retrier.
func (c *graphClient) postBatch(ctx context.Context, body []byte) ([]byte, error) {
	ri := abs.NewRequestInformation()
	ri.Method = abs.POST
	ri.UrlTemplate = "{+baseurl}/$batch"
	ri.PathParameters = c.params()
	ri.Headers.TryAdd("Accept", "application/json")
	ri.SetStreamContentAndContentType(body, "application/json")
	errs := abs.ErrorMappings{"XXX": odataerrors.CreateODataErrorFromDiscriminatorValue}
	v, err := c.adapter.SendPrimitive(ctx, ri, "[]byte", errs)
	if err != nil {
		return nil, err
	}
	raw, _ := v.([]byte)
	if raw == nil {
		return nil, fmt.Errorf("graph sent an empty batch answer")
	}
	return raw, nil
}

// decodeBatch places each answer of a batch at the index its id names.
func decodeBatch(raw []byte, out []batchAnswer) error {
	var ans struct {
		Responses []batchAnswer `json:"responses"`
	}
	if err := json.Unmarshal(raw, &ans); err != nil {
		return fmt.Errorf("read batch answer: %w", err)
	}
	for _, a := range ans.Responses {
		i, err := strconv.Atoi(a.ID)
		if err != nil || i < 0 || i >= len(out) {
			return fmt.Errorf("read batch answer: unknown item id %q", a.ID)
		}
		if a.Status < 100 || a.Status > 599 {
			return fmt.Errorf("read batch answer: item %s has status %d", a.ID, a.Status)
		}
		out[i] = a
	}
	return nil
}

// ok reports whether an item succeeded.
func (a batchAnswer) ok() bool { return a.Status >= 200 && a.Status < 300 }
