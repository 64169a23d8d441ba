package resolver

import (
	"context"
	"sync/atomic"
)

// Budget bounds the DNS packets sent on behalf of one context: a hostile
// include or CNAME maze must not turn a scanner into an amplifier. Cache
// hits and coalesced questions cost nothing; every packet sent (each try,
// each TCP retry) costs one.
type Budget struct {
	max  int64
	used atomic.Int64
}

type budgetKey struct{}

// WithBudget returns a context whose lookups through a Client may send at
// most max packets in all; past that Lookup fails with ErrBudget and sends
// nothing. max <= 0 means no limit, while still counting.
func WithBudget(ctx context.Context, max int) context.Context {
	return context.WithValue(ctx, budgetKey{}, &Budget{max: int64(max)})
}

// BudgetFrom returns the context's budget, or nil.
func BudgetFrom(ctx context.Context) *Budget {
	b, _ := ctx.Value(budgetKey{}).(*Budget)
	return b
}

// Used returns the packets sent so far under the budget.
func (b *Budget) Used() int {
	if b == nil {
		return 0
	}
	return int(b.used.Load())
}

// Max returns the limit (0: none).
func (b *Budget) Max() int {
	if b == nil || b.max <= 0 {
		return 0
	}
	return int(b.max)
}

// take charges one packet; false when the budget is spent.
func (b *Budget) take() bool {
	if b == nil {
		return true
	}
	n := b.used.Add(1)
	if b.max > 0 && n > b.max {
		b.used.Add(-1)
		return false
	}
	return true
}
