package main

import (
	"context"
	"fmt"
	"iter"
	"os"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/domainlint/domainlint/dmarc/aggregate"
	"github.com/domainlint/domainlint/enforce"
)

// setupReports makes -reports the rows the enforce check replays: read
// anew for each domain checked (a stream, never held whole), problems with
// single reports said once on stderr.
func (o *options) setupReports(e *env) error {
	if o.reports == "" {
		return nil
	}
	since, err := parseSince(o.since, time.Now())
	if err != nil {
		return err
	}
	if strings.HasPrefix(o.reports, "imaps://") && os.Getenv("DOMAINLINT_IMAP_PASSWORD") == "" {
		return fmt.Errorf("-reports %s: set DOMAINLINT_IMAP_PASSWORD to the mailbox's password", o.reports)
	}
	if !strings.HasPrefix(o.reports, "imaps://") {
		if _, err := os.Stat(o.reports); err != nil {
			return fmt.Errorf("-reports: %v", err)
		}
	}
	opts := aggregate.Options{Since: since, IMAPPassword: os.Getenv("DOMAINLINT_IMAP_PASSWORD")}
	var once sync.Once
	e.opts.EnforcePolicy = o.enforce
	e.opts.Reports = func(ctx context.Context) iter.Seq[enforce.Row] {
		first := false
		once.Do(func() { first = true })
		return enforce.Rows(aggregate.Open(ctx, o.reports, opts), func(err error) {
			if first {
				fmt.Fprintf(o.stderr, "domainlint: -reports: %v\n", err)
			}
		})
	}
	return nil
}

// parseSince reads -since: a period back from now ("30d", "12h", "90m")
// or a date ("2026-11-01").
func parseSince(s string, now time.Time) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse("2006-01-02", s); err == nil {
		return t, nil
	}
	if days, ok := strings.CutSuffix(s, "d"); ok {
		if n, err := strconv.Atoi(days); err == nil && n >= 0 {
			return now.AddDate(0, 0, -n), nil
		}
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return now.Add(-d), nil
	}
	return time.Time{}, fmt.Errorf("-since %q: want a period (30d, 12h) or a date (2026-11-01)", s)
}
