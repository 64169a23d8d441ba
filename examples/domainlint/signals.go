package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"
)

// stopGrace is how long a run may go on after the first SIGINT or
// SIGTERM: a sweep's checks in flight end within 100 ms of being
// cancelled, and their output is written; a run blocked where no context
// reaches (opening a FIFO, a stalled read of a file) is ended then.
const stopGrace = 5 * time.Second

// stopOnSignal returns a context cancelled at the first SIGINT or SIGTERM:
// a sweep stops starting domains and finishes the output of those in
// flight. A second signal, or grace after the first, calls exit at once
// with 128 + the signal's number (130, 143), saying so on stderr. stop
// ends the watch.
func stopOnSignal(grace time.Duration, stderr io.Writer, exit func(int)) (ctx context.Context, stop func()) {
	ctx, cancel := context.WithCancel(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	done := make(chan struct{})
	code := func(s os.Signal) int {
		if n, ok := s.(syscall.Signal); ok {
			return 128 + int(n)
		}
		return exitFailure
	}
	go func() {
		var first os.Signal
		select {
		case first = <-sigs:
		case <-done:
			return
		}
		cancel()
		timer := time.NewTimer(grace)
		defer timer.Stop()
		select {
		case s := <-sigs:
			fmt.Fprintf(stderr, "domainlint: %v again: stopping now\n", s)
			exit(code(s))
		case <-timer.C:
			fmt.Fprintf(stderr, "domainlint: still running %v after the signal (%v): stopping now\n", grace, first)
			exit(code(first))
		case <-done:
		}
	}()
	return ctx, func() {
		signal.Stop(sigs)
		close(done)
		cancel()
	}
}
