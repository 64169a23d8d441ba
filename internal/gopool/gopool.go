// Package gopool runs functions on goroutines that are kept for the next
// one: a goroutine that has run a check keeps the stack it grew, so the
// next check run on it does not grow one again (copying it at each
// doubling). A sweep runs thousands of short checks a second; started
// each on a new goroutine, growing stacks costs it several per cent of
// its CPU.
package gopool

import (
	"sync"
	"time"
)

// idle is how long a goroutine waits for another function before it ends.
const idle = 100 * time.Millisecond

// Pool runs functions on kept goroutines. The zero Pool is ready; a nil
// *Pool runs each function on a new goroutine.
type Pool struct {
	once sync.Once
	work chan func()
}

// Go runs f on a waiting goroutine of the pool, or on a new one (which
// then waits, a while, for the next).
func (p *Pool) Go(f func()) {
	if p == nil {
		go f()
		return
	}
	p.once.Do(func() { p.work = make(chan func()) })
	select {
	case p.work <- f:
	default:
		go p.loop(f)
	}
}

func (p *Pool) loop(f func()) {
	t := time.NewTimer(idle)
	defer t.Stop()
	for {
		f()
		t.Reset(idle)
		select {
		case f = <-p.work:
		case <-t.C:
			return
		}
	}
}
