package main

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/domainlist"
	"github.com/domainlint/domainlint/resolver"
)

// summary counts a -domains sweep's reports, for the lines it ends with
// on stderr.
type summary struct {
	start     time.Time
	reports   int
	failed    int // with error findings
	nxdomain  int
	errored   int            // could not be checked (errors)
	kinds     map[string]int // domains by the kinds of their errors
	temporary int            // reports holding only temporary failures
	cut       int            // cut short by an interruption
	queries   int            // packets sent, by the reports' counts
	questions int
}

func newSummary(start time.Time) *summary {
	return &summary{start: start, kinds: map[string]int{}}
}

// add counts one report.
func (s *summary) add(rep *check.Report) {
	s.reports++
	s.queries += rep.Stats.Queries
	s.questions += rep.Stats.Questions
	switch {
	case interrupted(rep):
		s.cut++
	case len(rep.Errors) > 0:
		s.errored++
		seen := map[string]bool{}
		temporary := true
		for _, e := range rep.Errors {
			k := e.Kind()
			if !seen[k] {
				seen[k] = true
				s.kinds[k]++
			}
			temporary = temporary && (k == "temporary" || k == "timeout")
		}
		if temporary {
			s.temporary++
		}
	case rep.NXDomain:
		s.nxdomain++
	case rep.Failed():
		s.failed++
	}
}

// print writes the summary: the domains and what became of them, the
// list's rejected lines and repeats, the DNS traffic, and what -resume
// will do next.
func (s *summary) print(w io.Writer, live *resolver.Client, list domainlist.Stats, resume *resumeFile) {
	ok := s.reports - s.failed - s.nxdomain - s.errored - s.cut
	line := fmt.Sprintf("swept %d domains in %v: %d without error findings, %d with, %d NXDOMAIN, %d could not be checked",
		s.reports, time.Since(s.start).Round(time.Millisecond), ok, s.failed, s.nxdomain, s.errored)
	if len(s.kinds) > 0 {
		var ks []string
		for _, k := range slices.Sorted(maps.Keys(s.kinds)) {
			ks = append(ks, k+" "+itoa(s.kinds[k]))
		}
		line += " (" + strings.Join(ks, ", ") + ")"
	}
	if s.cut > 0 {
		line += fmt.Sprintf(", %d cut short", s.cut)
	}
	sayf(w, "%s", line)
	line = fmt.Sprintf("list: %d lines, %d not domain names, %d repeats dropped", list.Lines, list.Rejected, list.Repeats)
	if list.Skipped > 0 {
		line += fmt.Sprintf(", %d left to other workers or already reported", list.Skipped)
	}
	if list.Unremembered > 0 {
		line += fmt.Sprintf(" (%d names past the %d remembered: their repeats, if any, were checked again)", list.Unremembered, domainlist.DefaultMaxSeen)
	}
	if live != nil {
		st := live.Stats()
		line += fmt.Sprintf("; DNS: %d queries sent, %d answers from the cache, %d timeouts", st.Sent, st.CacheHits, st.Timeouts)
		if st.Paced > 0 {
			line += fmt.Sprintf(", %d held back by -rate", st.Paced)
		}
	} else {
		line += fmt.Sprintf("; DNS: %d queries sent, %d questions asked", s.queries, s.questions)
	}
	sayf(w, "%s", line)
	if resume != nil {
		_, givenUp := resume.retries()
		if s.temporary > 0 || givenUp > 0 {
			sayf(w, "-resume: %d domains failed only temporarily in this run: running again checks them again (each at most %d times); %d already given up on", s.temporary, resumeRetries, givenUp)
		}
	}
}

// sayf writes a line of the command's own on stderr.
func sayf(w io.Writer, format string, args ...any) {
	fmt.Fprintf(w, "domainlint: "+format+"\n", args...)
}

func itoa(n int) string { return strconv.Itoa(n) }
