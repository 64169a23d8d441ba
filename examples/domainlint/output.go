package main

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/dane"
	"github.com/domainlint/domainlint/dkim"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/sarif"
	"github.com/domainlint/domainlint/smtpprobe"
	"github.com/domainlint/domainlint/zoneedit"
	"github.com/domainlint/domainlint/zonesrc"
)

type printer struct {
	origin string // the first zone file's apex, for SARIF lines
	o      options
	w      io.Writer
	enc    *json.Encoder
	sarif  *sarif.Writer // made at the first report: results are streamed
	// locate, for DNS-as-code sources, places a finding at the file and
	// line that wrote its record.
	locate func(f lint.Finding) (string, int)
	// textLocate places findings in a zone file for the text output
	// (SARIF has its own lines and fix regions).
	textLocate func(f lint.Finding) (string, int)
}

func newPrinter(o options, w io.Writer) *printer {
	return &printer{o: o, w: w, enc: json.NewEncoder(w)}
}

// report writes one domain's report: JSON is the library's check.Report
// with the schema's and the tool's versions (jsonReport), one object per
// line.
func (p *printer) report(rep *check.Report) error {
	switch p.o.format {
	case "json":
		return p.enc.Encode(newJSONReport(rep))
	case "sarif":
		if p.sarif == nil {
			sw, err := p.newSARIF(rep.Domain)
			if err != nil {
				return err
			}
			p.sarif = sw
		}
		return p.sarif.Add(rep)
	default:
		return p.text(rep)
	}
}

func (p *printer) finish() error {
	if p.o.format != "sarif" {
		return nil
	}
	if p.sarif == nil {
		sw, err := p.newSARIF("")
		if err != nil {
			return err
		}
		p.sarif = sw
	}
	return p.sarif.Close()
}

// newSARIF starts the SARIF log. Reports are written as they come, never
// collected: a sweep's SARIF holds what its JSON does. With -zone,
// findings about the zone file's records point at their lines; the others
// at the domain alone.
func (p *printer) newSARIF(firstDomain string) (*sarif.Writer, error) {
	if len(p.o.zones) == 0 {
		return sarif.NewWriter(p.w, sarifBase("")), nil
	}
	if p.locate != nil {
		return sarif.NewWriter(p.w, sarif.Options{Locate: p.locate, Rules: append(check.Rules(), zonesrc.Rules()...)}), nil
	}
	artifact := p.o.zones[0]
	origin := p.origin
	if origin == "" {
		origin = firstDomain
	}
	text, zf, err := zoneedit.ReadFile(artifact, origin)
	if err != nil {
		return nil, err
	}
	s := sarifBase(artifact)
	s.Line = func(f lint.Finding) int { return zf.Place(f, origin) }
	s.Lines, s.AddLine = zf.Lines, zf.AddLine
	lines := strings.Split(string(text), "\n")
	s.LineText = func(n int) string {
		if n < 1 || n > len(lines) {
			return ""
		}
		return lines[n-1]
	}
	return sarif.NewWriter(p.w, s), nil
}

const (
	red    = "\033[31m"
	yellow = "\033[33m"
	cyan   = "\033[36m"
	green  = "\033[32m"
	bold   = "\033[1m"
	reset  = "\033[0m"
)

func (p *printer) paint(color, s string) string {
	if !p.o.color {
		return s
	}
	return color + s + reset
}

func (p *printer) severity(s lint.Severity) string {
	name := fmt.Sprintf("%-7s", s)
	switch s {
	case lint.Error:
		return p.paint(red, name)
	case lint.Warning:
		return p.paint(yellow, name)
	}
	return p.paint(cyan, name)
}

func (p *printer) status(s check.Status) string {
	name := fmt.Sprintf("%-8s", s)
	switch s {
	case check.OK:
		return p.paint(green, name)
	case check.Error:
		return p.paint(yellow, name)
	}
	return p.paint(red, name)
}

func (p *printer) text(rep *check.Report) error {
	w := &errWriter{w: p.w}
	fmt.Fprintf(w, "%s  (%s, %s, %d info; %d questions, %d sent as DNS queries, %d ms)\n",
		p.paint(bold, "== "+rep.Domain), count(lint.Count(rep.Findings, lint.Error), "error", "errors"), count(lint.Count(rep.Findings, lint.Warning), "warning", "warnings"),
		lint.Count(rep.Findings, lint.Info), rep.Stats.Questions, rep.Stats.Queries, rep.Stats.Elapsed)
	if rep.NXDomain {
		fmt.Fprintf(w, "\n%s does not exist (NXDOMAIN): its name has no records at all, so there is nothing to lint. Is the name right, and is the domain delegated?\n", rep.Domain)
		p.textFindings(w, rep)
		fmt.Fprintln(w)
		return w.err
	}
	if rep.Waived > 0 {
		fmt.Fprintf(w, "  (%d findings waived by `; ignore` comments in the zone file)\n", rep.Waived)
	}
	for _, section := range []func(io.Writer, *check.Report){p.textRecords, p.textTransport, p.textSMTP, p.textEnforcement, p.textDiff, p.textFindings, p.textRest} {
		section(w, rep)
	}
	fmt.Fprintln(w)
	return w.err
}

// textRecords writes the SPF tree, DMARC and DKIM.
func (p *printer) textRecords(w io.Writer, rep *check.Report) {
	if rep.SPF != nil {
		fmt.Fprintf(w, "\nSPF\n%s", indent(rep.SPF.Tree(), "  "))
	}
	if rep.DMARC != nil {
		fmt.Fprintf(w, "\nDMARC\n%s", indent(dmarcText(rep.DMARC), "  "))
	}
	if len(rep.DKIM) > 0 {
		fmt.Fprintf(w, "\nDKIM\n%s", indent(dkimText(rep.DKIM), "  "))
	}
}

// textTransport writes MX, MTA-STS, DNSSEC and DANE.
func (p *printer) textTransport(w io.Writer, rep *check.Report) {
	if m := rep.MX; m != nil {
		fmt.Fprintf(w, "\nMX (%s)\n", m.Status)
		for _, h := range m.Hosts {
			fmt.Fprintf(w, "  %5d %s: %s", h.Preference, h.Target, h.Status)
			if len(h.Addrs) > 0 {
				fmt.Fprintf(w, " %v", h.Addrs)
			}
			fmt.Fprintln(w)
		}
	}
	if m := rep.MTASTS; m != nil && m.Published() {
		fmt.Fprintf(w, "\nMTA-STS\n  %s", strings.Join(m.Records, " | "))
		if m.Policy != nil {
			fmt.Fprintf(w, "; policy %s (%s)", m.Policy.URL, m.Policy.Status)
		}
		fmt.Fprintln(w)
	}
	if d := rep.DNSSEC; d != nil {
		fmt.Fprintf(w, "\nDNSSEC\n  %s: %s (resolver: %s)\n", d.Domain, d.Status, d.Resolver)
		if d.Note != "" {
			fmt.Fprintf(w, "  note: %s\n", d.Note)
		}
	}
	if d := rep.DANE; d != nil && (d.M365 != nil || slices.ContainsFunc(d.Hosts, func(h dane.Host) bool { return len(h.Records) > 0 })) {
		fmt.Fprintf(w, "\nDANE (TLSA for SMTP)\n")
		for _, h := range d.Hosts {
			fmt.Fprintf(w, "  %s: %d usable TLSA, %s (%s)\n", h.TLSAName, h.Usable, h.DANE, h.Status)
		}
		if m := d.M365; m != nil {
			if len(m.Missing) == 0 {
				fmt.Fprintf(w, "  Microsoft 365 inbound DANE: in place (%s)\n", m.MX)
			} else {
				fmt.Fprintf(w, "  Microsoft 365 inbound DANE still needs: %s\n", strings.Join(m.Missing, ", "))
			}
		}
	}
}

// textSMTP writes each MX host as it answered (-smtp).
func (p *printer) textSMTP(w io.Writer, rep *check.Report) {
	s := rep.SMTP
	if s == nil {
		return
	}
	fmt.Fprintf(w, "\nSMTP (port 25)\n")
	if s.Status == smtpprobe.NotChecked {
		fmt.Fprintf(w, "  not checked: %s\n", s.Detail)
		return
	}
	for _, h := range s.Hosts {
		fmt.Fprintf(w, "  %s %s: %s", h.Host, h.Addr, h.Status)
		if h.TLS != nil {
			fmt.Fprintf(w, ", %s %s, certificate trusted: %v, names match: %v", h.TLS.Version, h.TLS.CipherSuite, h.TLS.Trusted, h.TLS.NameMatches)
		}
		if h.Detail != "" {
			fmt.Fprintf(w, " (%s)", h.Detail)
		}
		fmt.Fprintln(w)
	}
}

// textEnforcement writes what the aggregate reports say enforcement
// would do (-reports).
func (p *printer) textEnforcement(w io.Writer, rep *check.Report) {
	e := rep.Enforcement
	if e == nil {
		return
	}
	fmt.Fprintf(w, "\nDMARC reports under p=%s: %d messages; %d delivered, %d quarantined, %d rejected", e.Policy, e.Messages, e.Delivered+e.Unpoliced, e.Quarantined, e.Rejected)
	if e.Breaks > 0 {
		fmt.Fprintf(w, "; %d that pass today would not", e.Breaks)
	}
	fmt.Fprintln(w)
	for i, s := range e.Sources {
		if i == 10 {
			fmt.Fprintf(w, "  … %d more sources (-format json lists them)\n", len(e.Sources)-10)
			break
		}
		fmt.Fprintf(w, "  %s", s.Addr)
		if s.PTR != "" {
			fmt.Fprintf(w, " (%s)", s.PTR)
		}
		fmt.Fprintf(w, ": %d messages, %d quarantined, %d rejected", s.Messages, s.Quarantined, s.Rejected)
		if s.Breaks > 0 {
			fmt.Fprintf(w, " (%d pass today)", s.Breaks)
		}
		fmt.Fprintln(w)
		for _, why := range s.Why {
			fmt.Fprintf(w, "      %s\n", why)
		}
		for _, a := range s.Advice {
			fmt.Fprintf(w, "      fix: %s\n", a)
		}
	}
}

// textDiff writes the Microsoft 365 diff and the views that differ.
func (p *printer) textDiff(w io.Writer, rep *check.Report) {
	if len(rep.Diff) > 0 {
		fmt.Fprintf(w, "\nMicrosoft 365\n")
		for _, e := range rep.Diff {
			opt := ""
			if e.Optional {
				opt = " (optional)"
			}
			fmt.Fprintf(w, "  %s %-22s %-5s %s%s\n", p.status(e.Status), e.Purpose, e.Type, e.Name, opt)
			if e.Status != check.OK && e.Why != "" {
				fmt.Fprintf(w, "           %s\n", e.Why)
			}
		}
	}
	if len(rep.Views) > 0 {
		fmt.Fprintf(w, "\nViews that differ\n")
		for _, v := range rep.Views {
			fmt.Fprintf(w, "  %s\n", v)
		}
	}
}

// textFindings writes the findings with their fixes.
func (p *printer) textFindings(w io.Writer, rep *check.Report) {
	if len(rep.Findings) > 0 {
		fmt.Fprintf(w, "\nFindings\n")
		for _, f := range rep.Findings {
			fmt.Fprintf(w, "  %s %-26s %s", p.severity(f.Severity), f.Rule, f.Name)
			loc := p.locate
			if loc == nil {
				loc = p.textLocate
			}
			if loc != nil {
				if file, line := loc(f); line > 0 {
					fmt.Fprintf(w, "  (%s:%d)", file, line)
				}
			}
			fmt.Fprintln(w)
			fmt.Fprintf(w, "          %s (%s)\n", f.Message, f.Citation)
			for i, x := range f.Fixes {
				label := "fix"
				if i > 0 {
					label = " or"
				}
				fmt.Fprintf(w, "          %s: %s\n", label, x.Message)
				for _, e := range x.Edits {
					sign := "+"
					if e.Op == lint.Delete {
						sign = "-"
					}
					fmt.Fprintf(w, "            %s %s\n", p.paint(map[string]string{"+": green, "-": red}[sign], sign), e.RR)
				}
			}
		}
	}
}

// textRest writes the onboarding stage, what was not verified and what
// could not be checked.
func (p *printer) textRest(w io.Writer, rep *check.Report) {
	if o := rep.Onboarding; o != nil {
		fmt.Fprintf(w, "\nMicrosoft 365 onboarding: %s\n", o.Stage)
		if o.NextStep != "" {
			fmt.Fprintf(w, "Next step: %s\n", o.NextStep)
		}
	}
	if len(rep.Unverified) > 0 {
		fmt.Fprintf(w, "\nNot verified offline (outside the zone files; -snapshot records them from live DNS)\n")
		for _, u := range rep.Unverified {
			fmt.Fprintf(w, "  %s\n", u)
		}
	}
	if len(rep.Errors) > 0 {
		fmt.Fprintf(w, "\nCould not check\n")
		for _, e := range rep.Errors {
			fmt.Fprintf(w, "  %s\n", e)
		}
	}
}

// errWriter keeps the first write error, so that a run of Fprintf calls
// is checked once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(b []byte) (int, error) {
	if e.err != nil {
		return 0, e.err
	}
	n, err := e.w.Write(b)
	e.err = err
	return n, err
}

// dmarcText describes the policy found and how it was found.
func dmarcText(d *dmarc.Discovery) string {
	var b strings.Builder
	eff := d.Effective()
	switch {
	case eff.Record == nil && (d.RFC9989.Incomplete != "" || d.RFC7489.Incomplete != ""):
		// Not known to be missing: a name could not be asked.
		b.WriteString("no DMARC record verified\n")
	case eff.Record == nil:
		b.WriteString("no DMARC record found\n")
	default:
		fmt.Fprintf(&b, "_dmarc.%s %q\n", eff.PolicyDomain, eff.Record.Raw)
	}
	for _, p := range []*dmarc.Policy{d.RFC9989, d.RFC7489} {
		how := "by the public suffix list"
		if p == d.RFC9989 && p.Incomplete == "" {
			how = "by the DNS tree walk"
		}
		fmt.Fprintf(&b, "%s: organizational domain %s (%s)", p.Algorithm, p.OrgDomain, how)
		if p.Incomplete != "" {
			fmt.Fprintf(&b, "; could not ask %s (%s)", p.Unasked, p.Why())
		}
		b.WriteByte('\n')
	}
	return b.String()
}

// dkimText is one line per selector: where it points and what is there.
func dkimText(sels []*dkim.Selector) string {
	var b strings.Builder
	for _, s := range sels {
		fmt.Fprintf(&b, "%s", s.Name)
		for _, h := range s.Chain {
			fmt.Fprintf(&b, " -> %s", h.Target)
		}
		switch s.Status {
		case dkim.StatusUnverified:
			b.WriteString(": not verified offline (outside the zone files)\n")
		default:
			fmt.Fprintf(&b, ": %s\n", s.Status)
		}
	}
	return b.String()
}

func indent(s, pad string) string {
	var b strings.Builder
	for _, l := range strings.SplitAfter(s, "\n") {
		if l != "" {
			b.WriteString(pad + l)
		}
	}
	return b.String()
}

// progress prints a status line on stderr for -domains runs on a terminal.
type progress struct {
	w      io.Writer
	on     bool
	total  int
	done_  int
	errors int
	start  time.Time
	last   time.Time
	live   *resolver.Client
}

func newProgress(w io.Writer, total int, live *resolver.Client) *progress {
	return &progress{w: w, on: isTerminal(w), total: total, start: time.Now(), live: live}
}

func (p *progress) update(pr check.Progress) {
	p.done_, p.errors = pr.Done, pr.Errors
	if !p.on || time.Since(p.last) < 200*time.Millisecond {
		return
	}
	p.last = time.Now()
	p.print()
}

func (p *progress) print() {
	secs := time.Since(p.start).Seconds()
	total := "?"
	if p.total >= 0 {
		total = fmt.Sprint(p.total)
	}
	qps := 0.0
	if p.live != nil && secs > 0 {
		qps = float64(p.live.Stats().Sent) / secs
	}
	rate := float64(p.done_) / max(secs, 1e-9)
	eta := ""
	if p.total >= 0 && p.done_ > 0 {
		left := time.Duration(float64(max(p.total-p.done_, 0)) / rate * float64(time.Second))
		eta = "  ETA " + left.Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r%d/%s domains  %.0f domains/s  %.0f queries/s  %d errors%s ", p.done_, total, rate, qps, p.errors, eta)
}

func (p *progress) done() {
	if p.on {
		p.print()
		fmt.Fprintln(p.w)
	}
}

// count writes n with the noun's singular or plural: "1 fix", "2 fixes".
func count(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}
