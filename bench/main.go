// Command bench measures domainlint against its peers on one synthetic
// world served by Knot DNS on 127.0.0.1. bench/run.sh drives it:
//
//	bench gen -n 10000 -out DIR          write the world's zones, domains.txt, questions.txt
//	bench run -workload W -impl I -server 127.0.0.1:PORT -domains FILE [-c N] [-n K]
//	bench delay -listen ADDR -upstream ADDR -delay 30ms   a DNS forwarder adding delay to every query
//
// Each run prints one JSON line: the workload, the implementation, domains,
// wall seconds, the packets the implementation says it sent (when it can
// tell), peak RSS and a tally of results.
package main

import (
	"bufio"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/netip"
	"os"
	"runtime"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	blitiri "blitiri.com.ar/go/spf"
	"github.com/domainlint/domainlint/check"
	"github.com/domainlint/domainlint/dmarc"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/spf"
	"github.com/miekg/dns"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: bench gen|run [flags]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "gen":
		fs := flag.NewFlagSet("gen", flag.ExitOnError)
		n := fs.Int("n", 10000, "domains")
		out := fs.String("out", "world", "output folder")
		seed := fs.Uint64("seed", 1, "random seed")
		fs.Parse(os.Args[2:])
		err = generate(*n, *out, *seed)
	case "run":
		err = runWorkload(os.Args[2:])
	case "delay":
		err = delayProxy(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

type result struct {
	Workload string         `json:"workload"`
	Impl     string         `json:"impl"`
	Domains  int            `json:"domains"`
	Seconds  float64        `json:"seconds"`
	Sent     int64          `json:"sent"` // -1: the implementation cannot tell
	RSSKB    int64          `json:"rss_kb"`
	CPU      float64        `json:"cpu_s"` // user + system CPU seconds of the whole process
	Results  map[string]int `json:"results"`
	// Latency is the latency workload's domains, one by one.
	Latency []latency `json:"latency,omitempty"`
}

func readDomains(path string) ([]string, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []string
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if l := sc.Text(); l != "" {
			out = append(out, l)
		}
	}
	return out, sc.Err()
}

// checkOptions are the full check's: every default check, the two
// Microsoft 365 selectors besides those of the zone.
var checkOptions = check.Options{SPF: spf.Linter{SkipSPFType: true}, Selectors: []string{"selector1", "selector2"}}

var clientIP = netip.MustParseAddr("203.0.113.77") // in no domain's policy: every term is evaluated

func runWorkload(args []string) error {
	fs := flag.NewFlagSet("run", flag.ExitOnError)
	workload := fs.String("workload", "spf", "spf | dmarc | check")
	impl := fs.String("impl", "domainlint", "domainlint | blitiri")
	server := fs.String("server", "127.0.0.1:53", "DNS server")
	file := fs.String("domains", "domains.txt", "domains file")
	conc := fs.Int("c", 64, "concurrency")
	profile := fs.String("cpuprofile", "", "write a CPU profile to `file`")
	memprofile := fs.String("memprofile", "", "write an allocation profile to `file` at the end")
	out := fs.String("out", "", "check: write each report as a JSON line to `file` as it completes (streaming output)")
	asked := fs.String("asked", "", "write the distinct questions asked (\"name TYPE\", sorted) to `file` at the end")
	limit := fs.Int("n", 0, "check only the first `K` domains of the file (0: all)")
	flush := fs.String("flush", "", "latency: a shell command run before each domain that empties the resolver's cache")
	delay := fs.Duration("delay", 30*time.Millisecond, "latency: what the resolver adds to every upstream query")
	fs.Parse(args)
	if *memprofile != "" {
		runtime.MemProfileRate = 64 << 10
		defer func() {
			if f, err := os.Create(*memprofile); err == nil {
				pprof.Lookup("allocs").WriteTo(f, 0)
				f.Close()
			}
		}()
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var domains []string
	if *workload != "check" {
		// The check streams the file instead (below): the memory measured
		// is the checker's, not the list's. A list read whole would set
		// the peak RSS at a million domains by itself.
		var err error
		if domains, err = readDomains(*file); err != nil {
			return err
		}
		if *limit > 0 && *limit < len(domains) {
			domains = domains[:*limit]
		}
	}
	client, err := resolver.New(resolver.Config{Servers: []string{*server}, MaxInFlight: 2 * *conc, Timeout: 3 * time.Second})
	if err != nil {
		return err
	}
	ctx := context.Background()
	var r resolver.Resolver = client
	if *asked != "" {
		rec := &recorder{r: client, seen: map[string]bool{}}
		r = rec
		defer rec.write(*asked)
	}
	var job func(d string) string
	sent := func() int64 { return client.Stats().Sent }
	switch *workload + "/" + *impl {
	case "spf/domainlint":
		job = func(d string) string {
			v, _ := spf.Check(ctx, r, clientIP, "helo.bench.example", "postmaster@"+d)
			return string(v.Result)
		}
	case "spf-engine/domainlint":
		// The engine without the shared cache: every domain gets a Client
		// of its own (its own cache and socket, closed after), so nothing
		// one domain asked helps another, as with the peers.
		var total atomic.Int64
		sent = total.Load
		job = func(d string) string {
			c, err := resolver.New(resolver.Config{Servers: []string{*server}, MaxInFlight: 2 * *conc, Timeout: 3 * time.Second})
			if err != nil {
				return "error"
			}
			v, _ := spf.Check(ctx, c, clientIP, "helo.bench.example", "postmaster@"+d)
			c.Close()
			total.Add(c.Stats().Sent)
			return string(v.Result)
		}
	case "spf/blitiri", "spf-engine/blitiri":
		var dialer net.Dialer
		netr := &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, network, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, network, *server)
		}}
		sent = func() int64 { return -1 }
		ip := net.IP(clientIP.AsSlice())
		job = func(d string) string {
			res, _ := blitiri.CheckHostWithSender(ip, "helo.bench.example", "postmaster@"+d, blitiri.WithResolver(netr), blitiri.WithContext(ctx))
			return string(res)
		}
	case "dmarc/domainlint":
		job = func(d string) string {
			disc, _, err := dmarc.Lookup(ctx, r, d)
			if err != nil {
				return "error"
			}
			if p := disc.Effective(); p.Record != nil {
				return "found"
			}
			return "none"
		}
	case "dmarc/discover":
		// The discovery alone, as a receiver (and mailauth) does it.
		job = func(d string) string {
			disc, err := dmarc.Discover(ctx, r, d)
			if err != nil {
				return "error"
			}
			if p := disc.Effective(); p.Record != nil {
				return "found"
			}
			return "none"
		}
	case "latency/domainlint":
		lat, err := measureLatency(*server, domains, checkOptions, *flush, *delay)
		if err != nil {
			return err
		}
		return emit(result{Workload: *workload, Impl: *impl, Domains: len(lat), Seconds: 0, Sent: -1, RSSKB: rss(), CPU: cpu(), Latency: lat})
	case "check/domainlint":
		opts := checkOptions
		// Streamed from the file, as a sweep of a huge list would be.
		n := 0
		seq := func(yield func(string) bool) {
			f, err := os.Open(*file)
			if err != nil {
				return
			}
			defer f.Close()
			sc := bufio.NewScanner(f)
			for sc.Scan() && (*limit <= 0 || n < *limit) {
				if d := sc.Text(); d != "" {
					n++
					if !yield(d) {
						return
					}
				}
			}
		}
		tally := map[string]int{}
		var enc *json.Encoder
		if *out != "" {
			f, err := os.Create(*out)
			if err != nil {
				return err
			}
			defer f.Close()
			bw := bufio.NewWriterSize(f, 64<<10)
			defer bw.Flush()
			enc = json.NewEncoder(bw)
		}
		start := time.Now()
		for rep := range check.Scan(ctx, r, seq, check.ScanOptions{Options: opts, Concurrency: *conc}) {
			if enc != nil {
				if err := enc.Encode(rep); err != nil {
					return err
				}
			}
			switch {
			case len(rep.Errors) > 0:
				tally["errors"]++
			case rep.Failed():
				tally["error-findings"]++
			default:
				tally["clean"]++
			}
		}
		return emit(result{Workload: *workload, Impl: *impl, Domains: n, Seconds: time.Since(start).Seconds(), Sent: sent(), RSSKB: rss(), CPU: cpu(), Results: tally})
	default:
		return fmt.Errorf("no workload %s/%s", *workload, *impl)
	}
	tally := map[string]int{}
	var mu sync.Mutex
	var next atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	for range *conc {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := int(next.Add(1)) - 1
				if i >= len(domains) {
					return
				}
				r := job(domains[i])
				mu.Lock()
				tally[r]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return emit(result{Workload: *workload, Impl: *impl, Domains: len(domains), Seconds: time.Since(start).Seconds(), Sent: sent(), RSSKB: rss(), CPU: cpu(), Results: tally})
}

// recorder notes the questions asked of a Resolver.
type recorder struct {
	r    resolver.Resolver
	mu   sync.Mutex
	seen map[string]bool
}

func (c *recorder) Lookup(ctx context.Context, name string, qtype uint16) (*resolver.Answer, error) {
	a, err := c.r.Lookup(ctx, name, qtype)
	c.mu.Lock()
	c.seen[question(name, qtype)] = true
	if a != nil {
		// The CNAME targets a Client chased are questions too.
		for _, cn := range a.Chain {
			c.seen[question(cn.Target, qtype)] = true
		}
	}
	c.mu.Unlock()
	return a, err
}

// question is a line of questions.txt: "name TYPE", the name without its
// final dot ("." for the root).
func question(name string, qtype uint16) string {
	n := strings.ToLower(strings.TrimSuffix(name, "."))
	if n == "" {
		n = "."
	}
	return n + " " + dns.TypeToString[qtype]
}

func (c *recorder) write(path string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	qs := make([]string, 0, len(c.seen))
	for q := range c.seen {
		qs = append(qs, q)
	}
	slices.Sort(qs)
	writeLines(path, qs)
}

func cpu() float64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()).Seconds()
}

func rss() int64 {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return ru.Maxrss
}

func emit(r result) error {
	return json.NewEncoder(os.Stdout).Encode(r)
}
