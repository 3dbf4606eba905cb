package collect

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/teamschat-audit/teamschat-audit/audit"
)

// run is the record of one source while it is being collected. Its counters are
// updated by the transports, which find it in the request's context, so every request,
// retry and wait is charged to the source that caused it.
type run struct {
	name     audit.SourceName
	requests atomic.Int64
	retries  atomic.Int64
	pages    atomic.Int64
	items    atomic.Int64
	reused   atomic.Int64
	progress func(Progress)
	// from names the scan reused items come from.
	from *audit.ScanRef

	mu        sync.Mutex
	status    audit.Status
	reason    string
	itemFails int
	firstFail string
	// waits is the wall time in which at least one of the source's requests was waiting,
	// before a retry or on a paused service; waits that overlap count once. Sources wait
	// at the same time, so theirs may add up to more than the run waited in all.
	waits waitSpan
}

func newRun(name audit.SourceName, progress func(Progress)) *run {
	return &run{name: name, status: audit.StatusComplete, progress: progress}
}

type runKey struct{}

func withRun(ctx context.Context, r *run) context.Context {
	return context.WithValue(ctx, runKey{}, r)
}

// runOf returns the run of ctx, or a throwaway one for requests no source owns.
func runOf(ctx context.Context) *run {
	if r, ok := ctx.Value(runKey{}).(*run); ok {
		return r
	}
	return &run{}
}

// fail marks the source not complete. The first reason wins: later failures are most
// often consequences of it. A status of error is kept over incomplete.
func (r *run) fail(status audit.Status, reason string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.status == audit.StatusComplete || (r.status == audit.StatusIncomplete &&
		status == audit.StatusError) {
		r.status = status
		if r.reason == "" || status == audit.StatusError {
			r.reason = reason
		}
	}
}

// itemFailed records that one item of the source could not be read; the item itself
// carries the error, the source says how many failed.
func (r *run) itemFailed(reason string) {
	r.mu.Lock()
	r.itemFails++
	if r.firstFail == "" {
		r.firstFail = reason
	}
	r.mu.Unlock()
}

func (r *run) page(items int) {
	p := r.pages.Add(1)
	n := r.items.Add(int64(items))
	r.report(Progress{Source: r.name, Pages: int(p), Items: int(n)})
}

// waited records a wait of d beginning at from.
func (r *run) waited(from time.Time, d time.Duration, throttled bool) {
	r.mu.Lock()
	r.waits.add(from, d)
	r.mu.Unlock()
	r.report(Progress{Source: r.name, Pages: int(r.pages.Load()),
		Items: int(r.items.Load()), Throttled: throttled, Wait: d})
}

func (r *run) report(p Progress) {
	if r.progress != nil && r.name != "" {
		r.progress(p)
	}
}

// source turns the run into the snapshot's record. items is what the snapshot holds.
func (r *run) source(items int) *audit.Source {
	r.mu.Lock()
	defer r.mu.Unlock()
	s := &audit.Source{
		Status:   r.status,
		Reason:   r.reason,
		Items:    items,
		Requests: int(r.requests.Load()),
		Retries:  int(r.retries.Load()),
		Pages:    int(r.pages.Load()),
		WaitMS:   r.waits.total.Milliseconds(),
	}
	if n := r.reused.Load(); n > 0 {
		s.Reused, s.ReusedFrom = int(n), r.from
	}
	if r.itemFails > 0 {
		if s.Status == audit.StatusComplete {
			s.Status = audit.StatusIncomplete
		}
		msg := fmt.Sprintf("%d of %d items could not be read; first: %s",
			r.itemFails, items, r.firstFail)
		if s.Reason == "" {
			s.Reason = msg
		} else {
			s.Reason += "; " + msg
		}
	}
	return s
}

// dependsOn marks r incomplete when a source it was derived from is not complete: an
// empty list built from a failed one would otherwise read as a clean tenant.
func (r *run) dependsOn(others ...*run) {
	for _, o := range others {
		if st := o.state(); st != audit.StatusComplete {
			r.fail(audit.StatusIncomplete, fmt.Sprintf("built from %s, which is %s", o.name, st))
		}
	}
}

// state is the status the source would be recorded with now.
func (r *run) state() audit.Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.status == audit.StatusComplete && r.itemFails > 0 {
		return audit.StatusIncomplete
	}
	return r.status
}

// clock is time, replaceable in tests.
type clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
