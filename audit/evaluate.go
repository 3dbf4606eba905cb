package audit

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Evaluate runs every control over the snapshot and returns the results. Tenant-scope
// controls run once; batch-scope controls run over batches of rows on every worker, each
// batch joined just before it is evaluated, so memory holds one batch per worker on
// top of the snapshot and the findings.
func (e *Engine) Evaluate(ctx context.Context, snap *Snapshot, opts EvalOptions) (*Results, error) {
	if err := snap.Validate(); err != nil {
		return nil, err
	}
	opts = opts.withDefaults()
	ix := newIndex(snap)
	tenant, err := ast.InterfaceToValue(ix.tenantInput())
	if err != nil {
		return nil, fmt.Errorf("build policy input: %w", err)
	}

	out := make([]outcome, len(e.Controls))
	if err := e.tenant.evalInto(ctx, batchInput(tenant, nil, nil), out); err != nil {
		return nil, err
	}
	if e.batch != nil {
		if err := e.evalBatches(ctx, ix, tenant, opts, out); err != nil {
			return nil, err
		}
	}
	return e.results(snap, out), nil
}

// batchInput is the input document: the tenant context and one batch of rows.
func batchInput(tenant ast.Value, links, chatSync []*ast.Term) ast.Value {
	return ast.NewObject(
		[2]*ast.Term{ast.StringTerm("tenant"), ast.NewTerm(tenant)},
		[2]*ast.Term{ast.StringTerm("links"), ast.ArrayTerm(links...)},
		[2]*ast.Term{ast.StringTerm("chatSync"), ast.ArrayTerm(chatSync...)},
	)
}

// rowBatch is a range of one kind of row.
type rowBatch struct {
	kind       byte // 'c' chat links, 'h' channel links, 's' chat sync rows
	start, end int
}

func (e *Engine) evalBatches(ctx context.Context, ix *index, tenant ast.Value,
	opts EvalOptions, out []outcome) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	batches := make(chan rowBatch)
	go func() {
		defer close(batches)
		s := ix.snap
		for _, kind := range []struct {
			k byte
			n int
		}{{'c', len(s.ChatLinks)}, {'h', len(s.ChannelLinks)}, {'s', len(s.ChatSync)}} {
			for start := 0; start < kind.n; start += opts.BatchSize {
				b := rowBatch{kind.k, start, min(start+opts.BatchSize, kind.n)}
				select {
				case batches <- b:
				case <-ctx.Done():
					return
				}
			}
		}
	}()

	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		firstErr error
	)
	for w := 0; w < opts.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			local := make([]outcome, len(out))
			for b := range batches {
				if err := e.evalBatch(ctx, ix, tenant, b, local); err != nil {
					mu.Lock()
					if firstErr == nil {
						firstErr = err
					}
					mu.Unlock()
					cancel()
					return
				}
			}
			mu.Lock()
			for i := range out {
				out[i].findings = append(out[i].findings, local[i].findings...)
				out[i].errors = append(out[i].errors, local[i].errors...)
			}
			mu.Unlock()
		}()
	}
	wg.Wait()
	if firstErr != nil {
		return firstErr
	}
	return ctx.Err()
}

func (e *Engine) evalBatch(ctx context.Context, ix *index, tenant ast.Value, b rowBatch,
	out []outcome) error {
	rows := make([]*ast.Term, 0, b.end-b.start)
	s := ix.snap
	for i := b.start; i < b.end; i++ {
		switch b.kind {
		case 'c':
			rows = append(rows, ix.chatLinkTerm(&s.ChatLinks[i]))
		case 'h':
			rows = append(rows, ix.channelLinkTerm(&s.ChannelLinks[i]))
		default:
			rows = append(rows, ix.chatSyncTerm(&s.ChatSync[i]))
		}
	}
	input := batchInput(tenant, rows, nil)
	if b.kind == 's' {
		input = batchInput(tenant, nil, rows)
	}
	return e.batch.evalInto(ctx, input, out)
}

// now is the clock of ScannedAt, replaceable in tests.
var now = func() time.Time { return time.Now().UTC() }
