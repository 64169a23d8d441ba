// Command domainlint lints a domain's DNS for mail authentication (SPF,
// DKIM, DMARC) and diffs it against the records Microsoft 365 expects.
//
// With no arguments it lints contoso.com from an embedded example zone,
// offline, so a first run shows real output with no network.
//
// With -zone, names in the zone files are answered from them: the files
// are the new version of your domain. Names outside them (a provider's SPF
// include, the tenant your DKIM selectors point into) are asked of live
// DNS, or with -offline not at all: they are then listed as not verified
// offline, and the SPF lookup count is a lower bound. -snapshot records
// the live answers to a file you can commit; -replay answers from it,
// offline, with the same results.
//
//	domainlint [flags] [domain ...]
//	  (no arguments)        lint the embedded example zone (offline) and say so
//	  -zone FILE            answer from this zone file instead of DNS (repeatable)
//	  -offline              with -zone: ask nothing for names outside the files
//	  -snapshot FILE        with -zone: record live answers for names outside the files
//	  -replay FILE          with -zone: answer names outside the files from a snapshot, offline
//	  -server HOST:PORT     query this DNS server (default: /etc/resolv.conf)
//	  -authoritative        query the domain's own nameservers
//	  -compare HOST:PORT    also ask this server and report split-DNS differences
//	  -m365 TENANT          diff against the Microsoft 365 set for TENANT
//	  -cloud NAME           commercial | gcc | gcchigh | dod | china
//	  -workloads LIST       verify,exchange,teams,intune,dkim,dmarc
//	  -verify CODE          the MS=ms######## code the tenant showed
//	  -hybrid               staged migration: MX and autodiscover may point on-premises
//	  -legacy               require the Skype for Business records
//	  -graph FILE           expected set from Graph JSON instead of templates
//	  -dkim-config FILE     exact DKIM targets from Get-DkimSigningConfig JSON
//	  -selector LIST        DKIM selectors to check
//	  -format FMT           text (default) | json | sarif
//	  -domains FILE         many domains, one per line ('-' for stdin)
//	  -concurrency N        domains checked at once with -domains
//
// Exit status: 0 no error findings; 1 error findings; 2 usage or I/O
// failure, or a domain that could not be checked.
package main

import (
	"context"
	"embed"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/lint"
	"github.com/domainlint/domainlint/records"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/smtpprobe"
	"github.com/domainlint/domainlint/zonefix"
	"github.com/domainlint/domainlint/zonesrc"
)

//go:embed zones/contoso.com.zone zones/providers.snapshot
var embedded embed.FS

const (
	exampleDomain = "contoso.com"
	exampleTenant = "contoso"
	exampleCode   = "MS=ms12345678"
)

func main() {
	// Interrupted, a sweep stops starting domains and finishes the output
	// of those in flight; a second signal, or stopGrace, ends any run.
	ctx, stop := stopOnSignal(stopGrace, os.Stderr, os.Exit)
	code := run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

type options struct {
	stderr        io.Writer // where problems with single reports are said
	zones         listFlag
	offline       bool
	snapshot      string
	replay        string
	server        string
	authoritative bool
	compare       string
	tenant        string
	cloud         string
	workloads     string
	verify        string
	hybrid        bool
	legacy        bool
	gateways      listFlag
	dane          bool
	parked        bool
	discover      bool
	fetch         bool
	disable       listFlag
	enable        listFlag
	rules         bool
	fix           string
	diff          bool
	fixInfo       bool
	keepSerial    bool
	includeRoot   string
	zoneFormat    zonesrc.Format
	smtp          bool
	reports       string
	since         string
	enforce       string
	smtpRecord    string
	smtpReplay    string
	resume        string
	shard         string
	graph         string
	dkimConfig    string
	selectors     string
	format        string
	domains       string
	concurrency   int
	timeout       time.Duration
	color         bool
	scannerOptions
}

// exit codes
const (
	exitOK       = 0
	exitFindings = 1
	exitFailure  = 2
)

func fail(stderr io.Writer, format string, args ...any) int {
	fmt.Fprintf(stderr, "domainlint: "+format+"\n", args...)
	return exitFailure
}

func isTerminal(f any) bool {
	file, ok := f.(*os.File)
	if !ok {
		return false
	}
	st, err := file.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

func run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	fs, o := newFlags(stderr)
	o.stderr = stderr
	cmd, args, code, done := parseArgs(fs, args, stdout, stderr)
	if done {
		return code
	}
	switch {
	case cmd == "version" || o.version:
		return printVersion(stdout, o.format)
	case cmd == "rules" || o.rules:
		return listRules(stdout, o.format)
	}
	o.color = o.format == "text" && isTerminal(stdout) && os.Getenv("NO_COLOR") == ""
	domains, example, err := o.validate(args)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	if example {
		if o.tenant == "" && o.graph == "" {
			o.tenant, o.verify = exampleTenant, exampleCode
		}
		if o.format == "text" {
			fmt.Fprintf(stdout, "No domain given: checking the embedded example zone for %s (tenant %q), offline, with a snapshot of the provider records it points at.\nRun `domainlint -m365 TENANT example.org` to check a live domain, or `domainlint -zone FILE` a zone file.\n\n", exampleDomain, exampleTenant)
		}
	}
	env, err := o.setup(domains, example)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	if o.fix != "" || o.diff {
		if strings.HasPrefix(o.fix, "-") {
			return fail(stderr, "-fix takes the file to write, not %q; -diff alone prints the fixes and writes nothing", o.fix)
		}
		if o.fix != "" && o.diff {
			return fail(stderr, "-fix FILE writes the fixed zone, -diff writes nothing: give one of them")
		}
		if len(o.zones) == 0 || len(env.domains) != 1 {
			return fail(stderr, "-fix and -diff need -zone and one domain: they fix that zone file")
		}
		if o.snapshot != "" {
			return fail(stderr, "-fix and -snapshot: run them one at a time")
		}
		if len(env.conv) > 0 {
			return fail(stderr, "-fix and -diff edit RFC 1035 zone files; for %s the findings' fixes are advice to make in the source", env.conv[0].Zone.Source)
		}
		return fixZone(ctx, stdout, stderr, env.srcs, env.domains[0], env.outside, *o, env.opts)
	}
	return o.check(ctx, env, stdin, stdout, stderr)
}

// newFlags declares the flags into a new options.
func newFlags(stderr io.Writer) (*flag.FlagSet, *options) {
	fs := flag.NewFlagSet("domainlint", flag.ContinueOnError)
	fs.SetOutput(stderr)
	o := &options{}
	fs.Var(&o.zones, "zone", "answer from this zone `file` instead of DNS (repeatable); names outside the files are asked of live DNS unless -offline")
	fs.BoolVar(&o.offline, "offline", false, "with -zone: ask nothing for names outside the zone files; list them as not verified")
	fs.StringVar(&o.snapshot, "snapshot", "", "with -zone: write the live answers for names outside the zone files to `file`, to -replay later")
	fs.StringVar(&o.replay, "replay", "", "with -zone: answer names outside the zone files from this snapshot `file`, offline")
	fs.StringVar(&o.server, "server", "", "query this DNS server, `host:port` (default: /etc/resolv.conf)")
	fs.BoolVar(&o.authoritative, "authoritative", false, "query the domain's own nameservers and report where the resolver's cached view differs")
	fs.StringVar(&o.compare, "compare", "", "also ask this DNS server, `host:port`, and report split-DNS differences")
	fs.StringVar(&o.tenant, "m365", "", "diff against the Microsoft 365 record set for `tenant` (initial domain prefix)")
	fs.StringVar(&o.cloud, "cloud", "", "Microsoft 365 cloud: commercial | gcc | gcchigh | dod | china (default: from the tenant's initial domain, else commercial)")
	fs.BoolVar(&o.parked, "parked", false, "grade the domain as one that sends and receives no mail (as a null MX does): v=spf1 -all, DMARC p=reject, no DKIM keys")
	fs.BoolVar(&o.discover, "discover", false, "probe the common DKIM selectors (Microsoft 365, Google, the usual ESPs; about 30 questions)")
	fs.BoolVar(&o.fetch, "fetch", true, "live runs: fetch the MTA-STS policy and the BIMI indicator over HTTPS (never offline)")
	fs.BoolVar(&o.dane, "dane", false, "require Microsoft 365's inbound DANE: a single MX <token>.<x>-v1.mx.microsoft on a DNSSEC-signed domain")
	fs.Var(&o.gateways, "gateway", "a third-party filtering `host` the MX points at in front of Microsoft 365 (repeatable)")
	fs.StringVar(&o.workloads, "workloads", "", "Microsoft 365 workloads: verify,exchange,teams,intune,dkim,dmarc (default all but verify)")
	fs.BoolVar(&o.hybrid, "hybrid", false, "staged migration: MX and autodiscover may still point on-premises (info, not error)")
	fs.BoolVar(&o.legacy, "legacy", false, "require the Skype for Business records (sip, lyncdiscover, _sip._tls)")
	fs.StringVar(&o.verify, "verify", "", "the MS=ms######## verification `code` the tenant showed")
	fs.StringVar(&o.graph, "graph", "", "expected set from Microsoft Graph serviceConfigurationRecords JSON `file`")
	fs.StringVar(&o.dkimConfig, "dkim-config", "", "exact DKIM targets from Get-DkimSigningConfig | ConvertTo-Json `file`")
	fs.StringVar(&o.selectors, "selector", "", "DKIM selectors to check, comma-separated")
	fs.StringVar(&o.format, "format", "text", "output: text | json | sarif")
	fs.StringVar(&o.domains, "domains", "", "check the domains in `file`, one per line ('-' for stdin)")
	fs.IntVar(&o.concurrency, "concurrency", check.DefaultConcurrency, "domains checked at once with -domains")
	fs.DurationVar(&o.timeout, "timeout", check.DefaultTimeout, "time allowed per domain")
	fs.Var(&o.disable, "disable", "rules not to report: IDs or prefixes, comma-separated (spf.softfail-all,m365)")
	fs.Var(&o.enable, "enable", "report only these rules: IDs or prefixes, comma-separated")
	fs.BoolVar(&o.rules, "rules", false, "list every rule (ID, severity, summary, citation, URL) and exit; also: domainlint rules")
	fs.StringVar(&o.resume, "resume", "", "with -domains and -format json: append reports to `file`, skipping the domains it already reports (a sweep stopped midway goes on)")
	fs.StringVar(&o.shard, "shard", "", "with -domains: check only the domains of shard `K/N` (by a hash of the name; N workers with K = 0…N-1 split a list)")
	fs.Var(&o.zoneFormat, "zone-format", "with -zone: the sources' `format`: zone | octodns | dnscontrol (print-ir JSON) | terraform (a .tf file or a module folder) | terraform-plan (terraform show -json) | route53 (default: told by name and content)")
	fs.StringVar(&o.reports, "reports", "", "DMARC aggregate reports to weigh the DMARC policy against: a `location` (a file — XML, .gz, .zip, .eml, mbox —, a folder, a Maildir, or imaps://user@host/mailbox with the password in DOMAINLINT_IMAP_PASSWORD)")
	fs.StringVar(&o.since, "since", "", "with -reports: only reports of the last `period` (30d, 12h, or a date 2026-11-01)")
	fs.StringVar(&o.enforce, "enforce", "", "with -reports: the `policy` to weigh (quarantine or reject; default: the zone's, or quarantine at p=none)")
	fs.BoolVar(&o.smtp, "smtp", false, "live runs: connect to each MX host on port 25 (STARTTLS, TLS version, certificates, TLSA and MTA-STS matched against what it serves); sends no mail")
	fs.StringVar(&o.smtpRecord, "smtp-record", "", "with -smtp: write what the servers said to `file`, to -smtp-replay later")
	fs.StringVar(&o.smtpReplay, "smtp-replay", "", "answer the SMTP probe from a recording `file` (offline and in tests)")
	fs.StringVar(&o.includeRoot, "include-root", "", "with -zone: the `folder` $INCLUDE may read files under (default: each zone file's own folder)")
	fs.StringVar(&o.fix, "fix", "", "with -zone: write the first zone file to `file` with every fix applied that is proven safe (re-loaded and re-checked), and print them and the diff")
	fs.BoolVar(&o.diff, "diff", false, "with -zone: print the fixes -fix would apply and the diff, writing nothing")
	fs.BoolVar(&o.fixInfo, "fix-info", false, "with -fix or -diff: apply the fixes of info findings too")
	fs.BoolVar(&o.keepSerial, "keep-serial", false, "with -fix or -diff: leave the SOA serial as written (default: raised once when anything changed)")
	o.addScannerFlags(fs)
	fs.Usage = func() {
		fmt.Fprintf(fs.Output(), "usage: domainlint [flags] [domain ...]\n       domainlint [flags] rules | version\n\nWith no domain, lints the embedded example zone for %s, offline.\n\nflags:\n", exampleDomain)
		fs.PrintDefaults()
		fmt.Fprintln(fs.Output(), "\nexit status: 0 no error findings; 1 error findings, or a domain that does not exist; 2 usage or I/O failure, or a domain that could not be checked")
	}
	return fs, o
}

// validate checks the flags against each other and returns the domains
// to check; example is set for a run with nothing named (the embedded
// example zone).
func (o *options) validate(args []string) (domains []string, example bool, err error) {
	if err := o.validateValues(); err != nil {
		return nil, false, err
	}
	domains = args
	example = len(domains) == 0 && o.domains == "" && len(o.zones) == 0
	if example {
		domains = []string{exampleDomain}
	}
	for _, problem := range []string{o.sourceProblem(domains, example), o.sweepProblem(), o.reportsProblem(), o.smtpProblem(example)} {
		if problem != "" {
			return nil, false, errors.New(problem)
		}
	}
	return domains, example, nil
}

// sourceProblem says what is wrong with the flags that choose what
// answers (domains, -zone, -offline, -snapshot, -replay, -authoritative,
// -compare), or "".
func (o *options) sourceProblem(domains []string, example bool) string {
	switch {
	case len(domains) > 0 && o.domains != "":
		return "give domains as arguments or with -domains, not both"
	case len(o.zones) == 0 && !example && (o.offline || o.snapshot != "" || o.replay != ""):
		return "-offline, -snapshot and -replay go with -zone: they say what to do for names outside the zone files"
	case o.snapshot != "" && (o.offline || o.replay != ""):
		return "-snapshot records live answers: it cannot go with -offline or -replay"
	case (o.authoritative || o.compare != "") && (len(o.zones) > 0 || example):
		return "-authoritative and -compare need live DNS, not -zone"
	}
	return ""
}

// sweepProblem says what is wrong with -resume and -shard, or "".
func (o *options) sweepProblem() string {
	switch {
	case (o.resume != "" || o.shard != "") && o.domains == "":
		return "-resume and -shard go with -domains"
	case o.resume != "" && o.format != "json":
		return "-resume appends JSON lines: give -format json"
	}
	return ""
}

// reportsProblem says what is wrong with -since and -enforce, or "".
func (o *options) reportsProblem() string {
	switch {
	case (o.since != "" || o.enforce != "") && o.reports == "":
		return "-since and -enforce go with -reports"
	case o.enforce != "" && o.enforce != "quarantine" && o.enforce != "reject":
		return fmt.Sprintf("-enforce %q: want quarantine or reject", o.enforce)
	}
	return ""
}

// smtpProblem says what is wrong with the SMTP probe's flags, or "".
func (o *options) smtpProblem(example bool) string {
	switch {
	case o.smtp && o.smtpReplay != "":
		return "-smtp probes live servers and -smtp-replay replays a recording: give one"
	case o.smtpRecord != "" && !o.smtp:
		return "-smtp-record goes with -smtp"
	case o.smtp && (o.offline || o.replay != "" || example):
		return "-smtp connects to live servers: not with -offline or -replay (record once with -smtp-record, then -smtp-replay)"
	}
	return ""
}

// validateValues checks the flags that take values of their own.
func (o *options) validateValues() error {
	disable, enable := splitList(o.disable), splitList(o.enable)
	if err := check.CheckRules(check.Rules(), append(slices.Clone(disable), enable...)...); err != nil {
		return fmt.Errorf("-disable/-enable: %v (domainlint rules lists them)", err)
	}
	switch o.format {
	case "text", "json", "sarif":
	default:
		return fmt.Errorf("unknown -format %q (want text, json or sarif)", o.format)
	}
	if o.concurrency <= 0 {
		return errors.New("-concurrency must be at least 1")
	}
	return o.validateScanner()
}

// env is what a run checks with.
type env struct {
	r        resolver.Resolver
	live     *resolver.Client      // the live client, when there is one
	recorder *resolver.Recorder    // -snapshot
	outside  resolver.Resolver     // names outside the zone files (nil offline)
	compare  resolver.Resolver     // -compare
	smtpRec  *smtpprobe.Recording  // -smtp-record
	srcs     []resolver.ZoneSource // the -zone sources as loaded (for -fix and -diff)
	conv     []*zonesrc.Loaded     // zones read from DNS-as-code sources
	opts     check.Options
	domains  []string
	origin   string // the first zone file's apex, for SARIF lines
}

func (o *options) liveClient() (*resolver.Client, error) {
	cfg := o.resolverConfig()
	if o.server != "" {
		cfg.Servers = []string{o.server}
	}
	return resolver.New(cfg)
}

// setup builds the resolver (zone files, the embedded example, or live
// DNS) and the check's options.
func (o *options) setup(domains []string, example bool) (*env, error) {
	e := &env{domains: domains}
	switch {
	case example:
		zr, err := exampleZones()
		if err != nil {
			return nil, fmt.Errorf("embedded zones: %v", err)
		}
		e.r = zr
	case len(o.zones) > 0:
		if err := o.setupZones(e); err != nil {
			return nil, err
		}
	default:
		c, err := o.liveClient()
		if err != nil {
			return nil, err
		}
		e.r, e.live = c, c
	}
	if zr, ok := e.r.(*resolver.Zones); ok && len(zr.Origins()) > 0 {
		e.origin = zr.Origins()[0]
	}
	setFor, err := o.expected()
	if err != nil {
		return nil, err
	}
	var selectors []string
	for _, s := range strings.Split(o.selectors, ",") {
		if s = strings.TrimSpace(s); s != "" {
			selectors = append(selectors, s)
		}
	}
	if o.compare != "" {
		cfg := o.resolverConfig()
		cfg.Servers = []string{o.compare}
		c, err := resolver.New(cfg)
		if err != nil {
			return nil, fmt.Errorf("-compare: %v", err)
		}
		e.compare = c
	}
	e.opts = check.Options{Selectors: selectors, Timeout: o.timeout, Expect: setFor, Disable: splitList(o.disable), Enable: splitList(o.enable),
		DANE: o.dane, Parked: o.parked, Discover: o.discover, Fetch: o.fetch && e.live != nil}
	if err := o.setupSMTP(e); err != nil {
		return nil, err
	}
	if err := o.setupReports(e); err != nil {
		return nil, err
	}
	return e, nil
}

// setupSMTP makes the SMTP prober: live with -smtp (recording with
// -smtp-record), or replaying -smtp-replay.
func (o *options) setupSMTP(e *env) error {
	switch {
	case o.smtp:
		p, err := smtpprobe.New(smtpprobe.Options{})
		if err != nil {
			return err
		}
		e.opts.SMTP = p
		if o.smtpRecord != "" {
			e.smtpRec = &smtpprobe.Recording{}
		}
	case o.smtpReplay != "":
		f, err := os.Open(o.smtpReplay)
		if err != nil {
			return err
		}
		defer f.Close()
		rec, err := smtpprobe.ReadRecording(f)
		if err != nil {
			return fmt.Errorf("-smtp-replay %s: %v", o.smtpReplay, err)
		}
		p, err := smtpprobe.NewReplay(rec, smtpprobe.Options{})
		if err != nil {
			return err
		}
		e.opts.SMTP = p
	}
	return nil
}

// setupZones loads the -zone files and what answers names outside them: a
// snapshot, live DNS (recorded with -snapshot), or nothing.
func (o *options) setupZones(e *env) error {
	var outside resolver.Resolver
	if o.replay == "" && !o.offline {
		c, err := o.liveClient()
		if err != nil {
			return fmt.Errorf("%v (give -offline to check the zone files alone)", err)
		}
		e.live, outside = c, c
		if o.snapshot != "" {
			e.recorder = resolver.NewRecorder(c)
			outside = e.recorder
		}
	}
	domain := ""
	if len(e.domains) > 0 {
		domain = e.domains[0]
	}
	set, err := zonesrc.Load(o.zones, zonesrc.Config{Format: o.zoneFormat, Domain: domain, IncludeRoot: o.includeRoot, Snapshot: o.replay, Outside: outside})
	if err != nil {
		return err
	}
	e.r, e.outside, e.srcs, e.conv = set.Zones, set.Outside, set.Sources, set.Loaded
	if len(e.domains) == 0 && o.domains == "" {
		e.domains = firstOrigin(set.Zones)
		if len(set.Loaded) > 1 {
			// A source that describes several zones (a DNSControl IR, a
			// Terraform module): each is checked.
			e.domains = nil
			for _, c := range set.Loaded {
				e.domains = append(e.domains, strings.TrimSuffix(c.Zone.Origin, "."))
			}
		}
	}
	return nil
}

// checkOne checks one domain, with -authoritative or -compare: every
// phase (finding the nameservers, the check, comparing views) runs under
// the domain's one deadline and one packet budget.
func (o *options) checkOne(ctx context.Context, e *env, d string) *check.Report {
	ctx, cancel := context.WithTimeout(ctx, o.timeout)
	defer cancel()
	ctx = resolver.WithBudget(ctx, check.DefaultBudget)
	target := e.r
	if o.authoritative {
		auth, err := check.Authoritative(ctx, e.r, d, o.resolverConfig())
		if err != nil {
			return check.ErrorReport(d, err)
		}
		defer auth.Close() // one client per domain: release its socket
		target = auth
	}
	rep := check.Domain(ctx, target, d, e.opts)
	if o.authoritative {
		check.CompareViews(ctx, rep, target, e.r, "authoritative", "resolver")
	}
	if e.compare != nil {
		check.CompareViews(ctx, rep, target, e.compare, "resolver", o.compare)
	}
	return rep
}

// check checks the domains named, or those of -domains, and writes the
// reports; it returns the exit status.
func (o *options) check(ctx context.Context, e *env, stdin io.Reader, stdout, stderr io.Writer) int {
	var resume *resumeFile
	outW := stdout
	if o.resume != "" {
		var err error
		if resume, err = openResume(ctx, o.resume); err != nil {
			return fail(stderr, "-resume: %v", err)
		}
		defer resume.Close()
		if resume.bad > 0 {
			fmt.Fprintf(stderr, "domainlint: -resume: %d lines of %s are not whole reports: their domains are checked again\n", resume.bad, o.resume)
		}
		outW = resume
	}
	keep, err := o.domainFilter(resume)
	if err != nil {
		return fail(stderr, "%v", err)
	}
	out := newPrinter(*o, outW)
	out.origin = e.origin
	if len(e.conv) > 0 {
		out.locate = locate(e.conv)
		notEvaluated(stderr, e.conv)
	} else if len(o.zones) > 0 && o.format == "text" {
		out.textLocate = zoneLocate(o.zones[0], e.origin)
	}
	probs := zonesrc.Findings(e.conv)
	status := exitOK
	var writeErr error
	record := func(rep *check.Report) {
		if ps := probs[rep.Domain]; len(ps) > 0 {
			rep.Findings = append(rep.Findings, ps...)
		}
		status = max(status, exitOf(rep))
		if e.smtpRec != nil && rep.SMTP != nil {
			e.smtpRec.Add(rep.SMTP)
		}
		if o.resume != "" && interrupted(rep) {
			return // to be checked when the sweep resumes
		}
		if err := out.report(rep); err != nil && writeErr == nil {
			writeErr = err
		}
	}
	if o.domains != "" {
		if code := o.sweep(ctx, e, stdin, stderr, keep, resume, record); code != exitOK {
			return code
		}
	} else {
		for _, d := range e.domains {
			record(o.checkOne(ctx, e, d))
		}
	}
	if err := out.finish(); err != nil {
		return fail(stderr, "%v", err)
	}
	if writeErr != nil {
		return fail(stderr, "writing the output: %v", writeErr)
	}
	if e.smtpRec != nil {
		if err := writeFile(o.smtpRecord, e.smtpRec.Write); err != nil {
			return fail(stderr, "-smtp-record: %v", err)
		}
	}
	if e.recorder != nil {
		if err := writeSnapshot(o.snapshot, e.recorder); err != nil {
			return fail(stderr, "-snapshot: %v", err)
		}
		fmt.Fprintf(stderr, "domainlint: recorded %d answers for names outside the zone files in %s; check offline with -replay %s\n", e.recorder.Len(), o.snapshot, o.snapshot)
	}
	return status
}

// exitOf is a report's exit status.
func exitOf(rep *check.Report) int {
	switch {
	case len(rep.Errors) > 0:
		return exitFailure
	case rep.Failed() || rep.NXDomain:
		return exitFindings
	}
	return exitOK
}

// writeFile writes path whole with write.
func writeFile(path string, write func(io.Writer) error) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// writeSnapshot writes the recorded answers to path, replacing it whole.
func writeSnapshot(path string, rec *resolver.Recorder) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if err := rec.WriteSnapshot(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// expected returns the function giving each domain's expected Microsoft
// 365 set (nil when none is asked for).
func (o options) expected() (func(string) (*records.Set, error), error) {
	cloud, err := records.ParseCloud(o.cloud)
	if err != nil {
		return nil, err
	}
	workloads, err := records.ParseWorkloads(o.workloads)
	if err != nil {
		return nil, err
	}
	var graph *records.Set
	if o.graph != "" {
		f, err := os.Open(o.graph)
		if err != nil {
			return nil, err
		}
		set, err := records.FromGraph(f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o.graph, err)
		}
		graph = &set
	}
	var dkimConfig *records.DKIMSigningConfig
	if o.dkimConfig != "" {
		if dkimConfig, err = readDKIMConfig(o.dkimConfig); err != nil {
			return nil, err
		}
	}
	if o.tenant == "" && graph == nil {
		if o.verify != "" || o.workloads != "" || o.dkimConfig != "" || len(o.gateways) > 0 {
			return nil, errors.New("-verify, -workloads, -gateway and -dkim-config need -m365 TENANT or -graph FILE")
		}
		return func(string) (*records.Set, error) { return nil, nil }, nil
	}
	var gateways []string
	for _, g := range o.gateways {
		for _, h := range strings.Split(g, ",") {
			if h = strings.TrimSpace(h); h != "" {
				gateways = append(gateways, h)
			}
		}
	}
	m365opts := records.Options{Tenant: o.tenant, Cloud: cloud, Workloads: workloads, VerifyCode: o.verify, Hybrid: o.hybrid, Legacy: o.legacy, Gateways: gateways}
	// Check the options once, so that a bad code or tenant is a usage error.
	if graph == nil {
		if _, err := records.M365("example.com", m365opts); err != nil {
			return nil, err
		}
	}
	return func(domain string) (*records.Set, error) {
		set := records.Set{}
		if graph != nil {
			// Graph's exact rows win; the templates add what Graph does
			// not list (DKIM, DMARC, msoid).
			s, err := records.WithGraph(*graph, m365opts)
			if err != nil {
				return nil, err
			}
			set = s
		} else {
			s, err := records.M365(domain, m365opts)
			if err != nil {
				return nil, err
			}
			set = s
		}
		if dkimConfig != nil {
			exact, err := dkimConfig.For(domain)
			if err != nil {
				return nil, err
			}
			set = set.Replace(exact)
		}
		return &set, nil
	}, nil
}

// firstOrigin is the apex of the first zone file given.
func firstOrigin(z *resolver.Zones) []string {
	for _, o := range z.Origins() {
		if o != "." {
			return []string{strings.TrimSuffix(o, ".")}
		}
	}
	return nil
}

func exampleZones() (*resolver.Zones, error) {
	read := func(name string) (string, error) {
		b, err := embedded.ReadFile("zones/" + name)
		return string(b), err
	}
	contoso, err := read("contoso.com.zone")
	if err != nil {
		return nil, err
	}
	snapText, err := embedded.ReadFile("zones/providers.snapshot")
	if err != nil {
		return nil, err
	}
	snap, err := resolver.ReadSnapshot(strings.NewReader(string(snapText)), "providers.snapshot")
	if err != nil {
		return nil, err
	}
	z, err := resolver.NewZones(resolver.ZoneSource{File: "contoso.com.zone", Text: contoso})
	if err != nil {
		return nil, err
	}
	return z.WithFallback(snap), nil
}

// splitList splits comma-separated flag values.
func splitList(l listFlag) []string {
	var out []string
	for _, v := range l {
		for _, x := range strings.Split(v, ",") {
			if x = strings.TrimSpace(x); x != "" {
				out = append(out, x)
			}
		}
	}
	return out
}

// listRules prints the catalogue: a table for people, or JSON.
func listRules(w io.Writer, format string) int {
	rules := check.Rules()
	if format == "json" {
		if err := json.NewEncoder(w).Encode(rules); err != nil {
			return exitFailure
		}
		return exitOK
	}
	for _, r := range rules {
		fmt.Fprintf(w, "%-28s %-7s %s\n%28s %s", r.ID, r.Severity, r.Summary, "", r.Citation)
		if r.URL != "" {
			fmt.Fprintf(w, " <%s>", r.URL)
		}
		fmt.Fprintln(w)
	}
	return exitOK
}

// fixZone checks domain from the zone files, applies every fix that
// zonefix proves safe to the first, prints what it fixed, what stayed
// advice and the unified diff, and writes the result to out ("" with
// -diff: nothing is written). Exit 0 when no error finding is left, 1
// when some are.
func fixZone(ctx context.Context, stdout, stderr io.Writer, sources []resolver.ZoneSource, domain string, outside resolver.Resolver, o options, opts check.Options) int {
	res, err := zonefix.Fix(ctx, sources, domain, zonefix.Options{Check: opts, Outside: outside, Info: o.fixInfo, KeepSerial: o.keepSerial})
	if err != nil {
		return fail(stderr, "-fix: %v", err)
	}
	for _, a := range res.Applied {
		fmt.Fprintf(stdout, "fixed: %s %s %s: %s\n", a.Finding.Severity, a.Finding.Rule, a.Finding.Name, a.Fix.Message)
	}
	for _, r := range res.Refused {
		fmt.Fprintf(stdout, "not applied: %s %s: %s\n", r.Finding.Rule, r.Finding.Name, r.Why)
	}
	if res.Serial != 0 {
		fmt.Fprintf(stdout, "SOA serial raised to %d\n", res.Serial)
	}
	// What is left that needs a hand: error findings with no edit to make.
	for _, f := range res.Report.Findings {
		if f.Severity == lint.Error && (len(f.Fixes) == 0 || len(f.Fixes[0].Edits) == 0) {
			advice := "no fix to make by machine"
			if len(f.Fixes) > 0 && f.Fixes[0].Message != "" {
				advice = f.Fixes[0].Message
			}
			fmt.Fprintf(stdout, "needs a hand: %s %s: %s (%s)\n", f.Rule, f.Name, f.Message, advice)
		}
	}
	if res.Changed() {
		fmt.Fprint(stdout, zonefix.Diff(sources[0].File, res.Before, res.After))
	}
	if o.fix != "" {
		if err := os.WriteFile(o.fix, []byte(res.After), 0o644); err != nil {
			return fail(stderr, "%v", err)
		}
		fmt.Fprintf(stderr, "domainlint: %s applied, %s written\n", count(len(res.Applied), "fix", "fixes"), o.fix)
	} else {
		fmt.Fprintf(stderr, "domainlint: %s would apply (-diff: nothing written)\n", count(len(res.Applied), "fix", "fixes"))
	}
	// -fix: the exit status is the written zone's; -diff writes nothing,
	// so it is the zone's as it is (a CI step running -diff fails on a
	// broken zone, as a check does).
	if o.fix == "" {
		if res.Initial.Failed() {
			return exitFindings
		}
		return exitOK
	}
	if res.Report.Failed() {
		fmt.Fprintf(stderr, "domainlint: error findings remain that need a hand (their fixes are advice): check %s again\n", o.fix)
		return exitFindings
	}
	return exitOK
}
