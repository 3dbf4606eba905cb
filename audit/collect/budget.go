package collect

import (
	"sync"
	"time"
)

// budget bounds the wall time the run spends waiting on throttling and before retries,
// for every request of both services together. Waits that overlap cost their union,
// not their sum: eight requests waiting out the same second cost one second of budget.
// A wait is charged when it begins, for what it adds past the waits already granted,
// and refused when that would take the time spent past the budget, so the run never
// begins a wait it cannot afford.
type budget struct {
	total time.Duration
	mu    sync.Mutex
	spent waitSpan
}

func newBudget(d time.Duration) *budget { return &budget{total: d} }

// take grants a wait of d beginning at from, or refuses it. A wait that ends before a
// granted one does costs nothing, so it is granted even when nothing is left.
func (b *budget) take(from time.Time, d time.Duration) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.spent.total+b.spent.growth(from, d) > b.total {
		return false
	}
	b.spent.add(from, d)
	return true
}

// used is the wall time charged so far.
func (b *budget) used() time.Duration {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.spent.total
}

// waitSpan is the wall time covered by a set of waits, the length of their union, so
// waits that overlap count once. It needs the waits added in about the order they
// begin, as they are: each adds only what it reaches past the latest end so far, and
// one begun a moment before the last added may lose that moment.
type waitSpan struct {
	end   time.Time
	total time.Duration
}

// growth is how much a wait of d beginning at from would lengthen the union.
func (s *waitSpan) growth(from time.Time, d time.Duration) time.Duration {
	end := from.Add(d)
	switch {
	case !end.After(s.end):
		return 0
	case from.After(s.end):
		return d
	}
	return end.Sub(s.end)
}

func (s *waitSpan) add(from time.Time, d time.Duration) {
	if g := s.growth(from, d); g > 0 {
		s.total += g
		s.end = from.Add(d)
	}
}
