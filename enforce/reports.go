package enforce

import (
	"errors"
	"iter"
	"math"
	"strings"

	"github.com/domainlint/domainlint/dmarc/aggregate"
)

// Rows turns aggregate reports (package dmarc/aggregate) into the rows
// Evaluate replays: each record of each report, for the domains the
// report is about. A report that could not be read goes to onErr (which
// may be nil) and the rest are read on; a report received twice
// (aggregate.ErrDuplicate) counts once and is not an error.
func Rows(reports iter.Seq2[*aggregate.Report, error], onErr func(error)) iter.Seq[Row] {
	return func(yield func(Row) bool) {
		for rep, err := range reports {
			if err != nil {
				if !errors.Is(err, aggregate.ErrDuplicate) && onErr != nil {
					onErr(err)
				}
				continue
			}
			for _, rec := range rep.Records {
				if !yield(RowOf(rec)) {
					return
				}
			}
		}
	}
}

// RowOf is one aggregate-report record as a Row.
func RowOf(rec aggregate.Record) Row {
	n := rec.Count
	if n > math.MaxInt32 {
		n = math.MaxInt32
	}
	row := Row{Source: rec.SourceIP, Count: int(n),
		HeaderFrom: rec.Identifiers.HeaderFrom, EnvelopeFrom: rec.Identifiers.EnvelopeFrom,
		Reported: Reported{Disposition: strings.ToLower(string(rec.Evaluated.Disposition)),
			DKIM: strings.ToLower(string(rec.Evaluated.DKIM)), SPF: strings.ToLower(string(rec.Evaluated.SPF))}}
	best := 0 // the first reason of the highest rank: relayed mail first
	for _, r := range rec.Evaluated.Reasons {
		if _, n := classify(string(r.Type), r.Comment); n > best {
			best = n
			row.Reported.Override, row.Reported.OverrideComment = strings.ToLower(string(r.Type)), r.Comment
		}
	}
	for _, d := range rec.DKIM {
		if strings.TrimSpace(d.Domain) == "" {
			continue // <dkim><domain/><result>none</result>: no signature (Microsoft's way)
		}
		row.DKIM = append(row.DKIM, DKIM{Domain: d.Domain, Selector: d.Selector, Result: strings.ToLower(string(d.Result))})
	}
	for _, s := range rec.SPF {
		row.SPF = append(row.SPF, SPF{Domain: s.Domain, Scope: strings.ToLower(string(s.Scope)), Result: strings.ToLower(string(s.Result))})
	}
	return row
}
