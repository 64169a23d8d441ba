package resolver_test

import (
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"blitiri.com.ar/go/spf"
	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

var fixtures = []resolver.ZoneSource{
	{File: "testdata/example.com.zone"},
	{File: "testdata/provider.test.zone"},
}

// view is an Answer reduced to comparable text.
type view struct {
	Rcode   string
	Chain   []string
	Records []string
	Err     string
}

func see(a *resolver.Answer, err error) view {
	if err != nil {
		switch {
		case errors.Is(err, resolver.ErrCNAMELoop):
			return view{Err: "loop"}
		case errors.Is(err, resolver.ErrCNAMEChain):
			return view{Err: "chain"}
		case errors.Is(err, resolver.ErrTemporary):
			return view{Err: "temporary"}
		}
		return view{Err: err.Error()}
	}
	v := view{Rcode: dns.RcodeToString[a.Rcode]}
	for _, c := range a.Chain {
		v.Chain = append(v.Chain, c.Hdr.Name+">"+c.Target)
	}
	for _, rr := range a.Records {
		v.Records = append(v.Records, rr.String())
	}
	return v
}

func newClient(t *testing.T, srv *dnstest.Server, mod func(*resolver.Config)) *resolver.Client {
	t.Helper()
	cfg := resolver.Config{Servers: []string{srv.Addr}, Timeout: 500 * time.Millisecond}
	if mod != nil {
		mod(&cfg)
	}
	c, err := resolver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

var questions = []struct {
	name  string
	qtype uint16
}{
	{"example.com", dns.TypeA},
	{"EXAMPLE.com.", dns.TypeTXT},
	{"example.com", dns.TypeMX},
	{"example.com", dns.TypeAAAA},           // NODATA
	{"nope.example.com", dns.TypeA},         // NXDOMAIN
	{"deep.example.com", dns.TypeTXT},       // empty non-terminal: NODATA
	{"b.deep.example.com", dns.TypeTXT},     // empty non-terminal: NODATA
	{"a.b.deep.example.com", dns.TypeTXT},   // data below it
	{"www.example.com", dns.TypeA},          // in-zone CNAME
	{"alias.example.com", dns.TypeA},        // two in-zone hops
	{"alias.example.com", dns.TypeCNAME},    // CNAME asked for itself
	{"out.example.com", dns.TypeTXT},        // CNAME into another zone, then in-zone
	{"out.example.com", dns.TypeMX},         // … ending in NODATA
	{"dangle.example.com", dns.TypeTXT},     // dangling: NXDOMAIN at the target
	{"loop1.example.com", dns.TypeTXT},      // in-zone loop
	{"xloop.example.com", dns.TypeTXT},      // loop across zones
	{"x.wild.example.com", dns.TypeTXT},     // wildcard
	{"x.y.wild.example.com", dns.TypeA},     // wildcard, deeper
	{"x.wild.example.com", dns.TypeMX},      // wildcard NODATA
	{"sub.wild.example.com", dns.TypeTXT},   // real name beats wildcard
	{"z.sub.wild.example.com", dns.TypeTXT}, // closest encloser sub.wild has no wildcard: NXDOMAIN
	{"long.example.com", dns.TypeTXT},       // larger than 1232 octets: TCP
}

// TestZonesAndClientAgree asks the same questions of the zone-backed
// resolver and of the live client against dnstest serving the same zones.
func TestZonesAndClientAgree(t *testing.T) {
	zones, err := resolver.NewZones(fixtures...)
	if err != nil {
		t.Fatal(err)
	}
	srv := dnstest.New(t, fixtures...)
	client := newClient(t, srv, nil)
	ctx := context.Background()
	for _, q := range questions {
		t.Run(fmt.Sprintf("%s/%s", q.name, dns.TypeToString[q.qtype]), func(t *testing.T) {
			want := see(zones.Lookup(ctx, q.name, q.qtype))
			got := see(client.Lookup(ctx, q.name, q.qtype))
			if diff := cmp.Diff(want, got); diff != "" {
				t.Errorf("client differs from zones (-zones +client):\n%s", diff)
			}
			if want.Err == "" && want.Rcode == "" {
				t.Errorf("empty answer")
			}
		})
	}
}

func TestAnswerShapes(t *testing.T) {
	zones, err := resolver.NewZones(fixtures...)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	a, err := zones.Lookup(ctx, "nope.example.com", dns.TypeA)
	if err != nil || !a.NXDomain() || a.NoData() || !a.Void() {
		t.Errorf("nope: %+v %v: want NXDOMAIN", a, err)
	}
	a, err = zones.Lookup(ctx, "example.com", dns.TypeAAAA)
	if err != nil || a.NXDomain() || !a.NoData() || !a.Void() {
		t.Errorf("AAAA: %+v %v: want NODATA", a, err)
	}
	a, err = zones.Lookup(ctx, "example.com", dns.TypeTXT)
	if err != nil {
		t.Fatal(err)
	}
	want := [][]string{{"v=spf1 ", "ip4:192.0.2.0/24 -all"}, {"hello world"}}
	if diff := cmp.Diff(want, a.TXT()); diff != "" {
		t.Errorf("TXT strings must stay apart (-want +got):\n%s", diff)
	}
	a, err = zones.Lookup(ctx, "dangle.example.com", dns.TypeTXT)
	if err != nil || !a.NXDomain() || len(a.Chain) != 1 || a.Target() != "gone.provider.test." {
		t.Errorf("dangle: %+v %v", a, err)
	}
	// Outside the files: by default not asked (not verified, not
	// temporary); as a bare authoritative server, REFUSED.
	_, err = zones.Lookup(ctx, "elsewhere.invalid", dns.TypeA)
	if !errors.Is(err, resolver.ErrUnverified) || errors.Is(err, resolver.ErrTemporary) {
		t.Errorf("out of zone: %v", err)
	}
	_, err = zones.WithFallback(resolver.Refused()).Lookup(ctx, "elsewhere.invalid", dns.TypeA)
	if !errors.Is(err, resolver.ErrOutOfZone) || !errors.Is(err, resolver.ErrTemporary) {
		t.Errorf("out of zone, refused: %v", err)
	}
}

func TestInvalidNames(t *testing.T) {
	zones, err := resolver.NewZones(fixtures...)
	if err != nil {
		t.Fatal(err)
	}
	long63 := "a123456789012345678901234567890123456789012345678901234567890123"
	for _, name := range []string{"", "a..b", " example.com", "exa mple.com", "bücher.example", long63 + ".com",
		long63[:60] + "." + long63[:60] + "." + long63[:60] + "." + long63[:60] + "." + long63[:20]} {
		_, err := zones.Lookup(context.Background(), name, dns.TypeA)
		if !errors.Is(err, resolver.ErrInvalidName) || errors.Is(err, resolver.ErrTemporary) {
			t.Errorf("Lookup(%q) = %v, want ErrInvalidName", name, err)
		}
	}
}

func TestCoalescing(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	srv.SetFault("example.com", dns.TypeTXT, dnstest.Fault{Delay: 100 * time.Millisecond})
	c := newClient(t, srv, nil)
	var wg sync.WaitGroup
	var failed atomic.Int32
	for range 100 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if a, err := c.Lookup(context.Background(), "example.com", dns.TypeTXT); err != nil || len(a.Records) != 2 {
				failed.Add(1)
			}
		}()
	}
	wg.Wait()
	if failed.Load() != 0 {
		t.Errorf("%d lookups failed", failed.Load())
	}
	if n := srv.Count("example.com", dns.TypeTXT); n != 1 {
		t.Errorf("server saw %d queries, want 1", n)
	}
	st := c.Stats()
	if st.Sent != 1 || st.Coalesced+st.CacheHits != 99 {
		t.Errorf("stats = %+v, want 1 sent and 99 coalesced or cached", st)
	}
}

func TestCacheRespectsTTL(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	now := time.Unix(1_000_000, 0)
	var mu sync.Mutex
	clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
	advance := func(d time.Duration) { mu.Lock(); now = now.Add(d); mu.Unlock() }
	c := newClient(t, srv, func(cfg *resolver.Config) { cfg.Now = clock })
	ctx := context.Background()
	ask := func(name string, qt uint16) {
		t.Helper()
		if _, err := c.Lookup(ctx, name, qt); err != nil {
			t.Fatal(err)
		}
	}
	ask("example.com", dns.TypeA) // TTL 300
	ask("example.com", dns.TypeA)
	if n := srv.Count("example.com", dns.TypeA); n != 1 {
		t.Errorf("repeat within TTL reached the server: %d queries", n)
	}
	advance(301 * time.Second)
	ask("example.com", dns.TypeA)
	if n := srv.Count("example.com", dns.TypeA); n != 2 {
		t.Errorf("after TTL: %d queries, want 2", n)
	}
	// Negative answers are cached for min(SOA TTL, MINIMUM) = 60 s (RFC 2308).
	ask("nope.example.com", dns.TypeA)
	advance(59 * time.Second)
	ask("nope.example.com", dns.TypeA)
	if n := srv.Count("nope.example.com", dns.TypeA); n != 1 {
		t.Errorf("NXDOMAIN within negative TTL: %d queries, want 1", n)
	}
	advance(2 * time.Second)
	ask("nope.example.com", dns.TypeA)
	if n := srv.Count("nope.example.com", dns.TypeA); n != 2 {
		t.Errorf("NXDOMAIN after negative TTL: %d queries, want 2", n)
	}
	// Chain steps are cached one by one: the provider's name is asked once.
	ask("out.example.com", dns.TypeTXT)
	ask("target.provider.test", dns.TypeTXT)
	if n := srv.Count("target.provider.test", dns.TypeTXT); n != 1 {
		t.Errorf("provider step asked %d times, want 1", n)
	}
}

func TestTruncatedRetriedOverTCP(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	c := newClient(t, srv, nil)
	a, err := c.Lookup(context.Background(), "long.example.com", dns.TypeTXT)
	if err != nil || len(a.Records) != 3 {
		t.Fatalf("long: %v, %v", a, err)
	}
	srv.SetFault("example.com", dns.TypeMX, dnstest.Fault{Truncate: true})
	a, err = c.Lookup(context.Background(), "example.com", dns.TypeMX)
	if err != nil || len(a.Records) != 1 {
		t.Fatalf("forced truncation: %v, %v", a, err)
	}
	if st := c.Stats(); st.TCPRetries != 2 {
		t.Errorf("TCP retries = %d, want 2", st.TCPRetries)
	}
	// Truncated, then the TCP server never answers: a temporary failure.
	srv.SetFault("mail.example.com", dns.TypeA, dnstest.Fault{Truncate: true, DropTCP: true})
	_, err = c.Lookup(context.Background(), "mail.example.com", dns.TypeA)
	if !errors.Is(err, resolver.ErrTemporary) {
		t.Errorf("truncated then TCP silent: %v, want ErrTemporary", err)
	}
}

func TestDroppedQueryTimesOut(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	srv.SetFault("example.com", dns.TypeA, dnstest.Fault{Drop: true})
	c := newClient(t, srv, func(cfg *resolver.Config) { cfg.Timeout, cfg.Tries = 100*time.Millisecond, 3 })
	start := time.Now()
	_, err := c.Lookup(context.Background(), "example.com", dns.TypeA)
	elapsed := time.Since(start)
	if !errors.Is(err, resolver.ErrTemporary) {
		t.Fatalf("err = %v, want ErrTemporary", err)
	}
	var re *resolver.Error
	if !errors.As(err, &re) || !re.Timeout() {
		t.Errorf("err = %v, want a timeout", err)
	}
	if elapsed > 3*100*time.Millisecond+200*time.Millisecond {
		t.Errorf("took %v, want about timeout × tries = 300ms", elapsed)
	}
	if n := srv.Count("example.com", dns.TypeA); n != 3 {
		t.Errorf("server saw %d tries, want 3", n)
	}
	if st := c.Stats(); st.Timeouts != 3 || st.Errors != 1 {
		t.Errorf("stats = %+v", st)
	}
}

func TestServerErrorsAreTemporary(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	srv.SetFault("example.com", dns.TypeA, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	srv.SetFault("example.com", dns.TypeMX, dnstest.Fault{Rcode: dns.RcodeRefused})
	srv.SetFault("mail.example.com", dns.TypeA, dnstest.Fault{WrongQuestion: true})
	c := newClient(t, srv, func(cfg *resolver.Config) { cfg.Timeout = 100 * time.Millisecond })
	for _, q := range []struct {
		name  string
		qtype uint16
	}{{"example.com", dns.TypeA}, {"example.com", dns.TypeMX}, {"mail.example.com", dns.TypeA}, {"elsewhere.invalid", dns.TypeA}} {
		_, err := c.Lookup(context.Background(), q.name, q.qtype)
		if !errors.Is(err, resolver.ErrTemporary) {
			t.Errorf("%s %s: err = %v, want ErrTemporary", q.name, dns.TypeToString[q.qtype], err)
		}
	}
	if n := srv.Count("example.com", dns.TypeA); n != 1 {
		t.Errorf("SERVFAIL from the only server was asked %d times, want 1", n)
	}
}

func TestBudget(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	c := newClient(t, srv, nil)
	ctx := resolver.WithBudget(context.Background(), 2)
	for _, name := range []string{"example.com", "mail.example.com"} {
		if _, err := c.Lookup(ctx, name, dns.TypeA); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Lookup(ctx, "example.com", dns.TypeA); err != nil {
		t.Errorf("cache hit must not need budget: %v", err)
	}
	_, err := c.Lookup(ctx, "www.example.com", dns.TypeA)
	if !errors.Is(err, resolver.ErrBudget) || errors.Is(err, resolver.ErrTemporary) {
		t.Errorf("err = %v, want ErrBudget", err)
	}
	if n := srv.Total(); n != 2 {
		t.Errorf("server saw %d queries, want 2", n)
	}
	if b := resolver.BudgetFrom(ctx); b.Used() != 2 || b.Max() != 2 {
		t.Errorf("budget used %d of %d", b.Used(), b.Max())
	}
}

func TestCancelReturnsPromptly(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	srv.SetFault("example.com", dns.TypeA, dnstest.Fault{Drop: true})
	c := newClient(t, srv, func(cfg *resolver.Config) { cfg.Timeout = 5 * time.Second })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(20*time.Millisecond, cancel)
	start := time.Now()
	_, err := c.Lookup(ctx, "example.com", dns.TypeA)
	if !errors.Is(err, context.Canceled) || errors.Is(err, resolver.ErrTemporary) {
		t.Errorf("err = %v, want context.Canceled", err)
	}
	if d := time.Since(start); d > 100*time.Millisecond {
		t.Errorf("returned after %v, want within 100ms of cancel", d)
	}
	// Let the abandoned flight wind down before goleak looks.
	deadline := time.Now().Add(time.Second)
	for c.Stats().Errors == 0 && time.Now().Before(deadline) {
		time.Sleep(5 * time.Millisecond)
	}
}

func TestChains(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	c := newClient(t, srv, func(cfg *resolver.Config) { cfg.MaxCNAMEHops = 1 })
	_, err := c.Lookup(context.Background(), "alias.example.com", dns.TypeA)
	if !errors.Is(err, resolver.ErrCNAMEChain) {
		t.Errorf("two hops with MaxCNAMEHops 1: %v", err)
	}
	_, err = c.Lookup(context.Background(), "loop1.example.com", dns.TypeA)
	if !errors.Is(err, resolver.ErrCNAMELoop) && !errors.Is(err, resolver.ErrCNAMEChain) {
		t.Errorf("loop: %v", err)
	}
}

// TestNetAdapterWithBlitiri runs blitiri.com.ar/go/spf over the adapter and
// checks that NXDOMAIN, NODATA and SERVFAIL keep their meaning end to end.
func TestNetAdapterWithBlitiri(t *testing.T) {
	zone := resolver.ZoneSource{Origin: "spf.test", Text: `
@        3600 IN SOA ns hostmaster 1 3600 600 86400 60
pass     IN TXT "v=spf1 ip4:192.0.2.1 -all"
nodata   IN A   192.0.2.1
broken   IN TXT "v=spf1 include:servfail.spf.test -all"
servfail IN TXT "v=spf1 -all"
voids    IN TXT "v=spf1 a:n1.spf.test a:n2.spf.test a:n3.spf.test -all"
`}
	srv := dnstest.New(t, zone)
	srv.SetFault("servfail.spf.test", 0, dnstest.Fault{Rcode: dns.RcodeServerFailure})
	c := newClient(t, srv, nil)
	ad := resolver.NetAdapter{R: c}
	ip := net.ParseIP("192.0.2.1")
	for _, tc := range []struct {
		domain string
		want   spf.Result
	}{
		{"pass.spf.test", spf.Pass},
		{"nxdomain.spf.test", spf.None},
		{"nodata.spf.test", spf.None},
		{"broken.spf.test", spf.TempError},
		{"servfail.spf.test", spf.TempError},
		{"voids.spf.test", spf.PermError},
	} {
		got, err := spf.CheckHostWithSender(ip, "helo.test", "user@"+tc.domain,
			spf.WithResolver(ad), spf.WithContext(context.Background()))
		if got != tc.want {
			t.Errorf("%s: %v (%v), want %v", tc.domain, got, err, tc.want)
		}
	}
	_, err := ad.LookupTXT(context.Background(), "nxdomain.spf.test")
	de, ok := err.(*net.DNSError)
	if !ok || !de.IsNotFound || de.IsTemporary {
		t.Errorf("NXDOMAIN via adapter = %#v, want bare *net.DNSError IsNotFound", err)
	}
	_, err = ad.LookupTXT(context.Background(), "servfail.spf.test")
	de, ok = err.(*net.DNSError)
	if !ok || de.IsNotFound || !de.IsTemporary {
		t.Errorf("SERVFAIL via adapter = %#v, want bare *net.DNSError IsTemporary", err)
	}
	txts, err := ad.TXTFunc(context.Background())("pass.spf.test")
	if err != nil || len(txts) != 1 {
		t.Errorf("TXTFunc = %v, %v", txts, err)
	}
}

func TestZoneErrors(t *testing.T) {
	_, err := resolver.NewZones(resolver.ZoneSource{Origin: "bad.test", File: "bad.zone", Text: "@ IN SOA ns h 1 2 3 4 5\nwww IN A not-an-address\n"})
	if err == nil || !strings.Contains(err.Error(), "bad.zone") || !strings.Contains(err.Error(), "line: 2") {
		t.Errorf("syntax error = %v, want file and line", err)
	}
	_, err = resolver.NewZones(resolver.ZoneSource{Origin: "inc.test", File: "inc.zone", Text: "$INCLUDE /etc/passwd\n"})
	if err == nil {
		t.Errorf("$INCLUDE accepted by default")
	}
	_, err = resolver.NewZones(resolver.ZoneSource{Text: "www IN A 192.0.2.1\n"})
	if err == nil || !strings.Contains(err.Error(), "origin") {
		t.Errorf("no SOA, no origin: %v", err)
	}
	_, err = resolver.NewZones(resolver.ZoneSource{File: "testdata/does-not-exist.zone"})
	if err == nil {
		t.Errorf("missing file accepted")
	}
}

// TestAbandonedFlightNotJoined: a question whose every waiter gave up is
// not joined by a later caller, who gets a real answer, not the first
// caller's cancellation.
func TestAbandonedFlightNotJoined(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	srv.SetFault("example.com", dns.TypeA, dnstest.Fault{Delay: 150 * time.Millisecond})
	c := newClient(t, srv, func(cfg *resolver.Config) { cfg.Timeout = time.Second })
	ctx, cancel := context.WithCancel(context.Background())
	time.AfterFunc(30*time.Millisecond, cancel)
	if _, err := c.Lookup(ctx, "example.com", dns.TypeA); !errors.Is(err, context.Canceled) {
		t.Fatalf("first caller: %v", err)
	}
	a, err := c.Lookup(context.Background(), "example.com", dns.TypeA)
	if err != nil || len(a.Records) != 1 {
		t.Errorf("second caller: %v, %v", a, err)
	}
}

// TestSocketReuse: questions share one UDP socket per server, closed by
// Close and opened again on demand.
func TestSocketReuse(t *testing.T) {
	srv := dnstest.New(t, fixtures...)
	c := newClient(t, srv, nil)
	defer c.Close()
	for _, name := range []string{"example.com", "mail.example.com", "www.example.com", "alias.example.com"} {
		if _, err := c.Lookup(context.Background(), name, dns.TypeAAAA); err != nil {
			t.Fatal(err)
		}
	}
	if st := c.Stats(); st.Sent < 4 || st.Errors != 0 {
		t.Errorf("stats %+v", st)
	}
	c.Close()
	if _, err := c.Lookup(context.Background(), "example.com", dns.TypeMX); err != nil {
		t.Errorf("after Close: %v", err)
	}
}

// TestNothingListening: a port where nothing listens fails fast (ICMP port
// unreachable), as a temporary error, not after the timeout.
func TestNothingListening(t *testing.T) {
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := pc.LocalAddr().String()
	pc.Close()
	c, err := resolver.New(resolver.Config{Servers: []string{addr}, Timeout: 2 * time.Second, Tries: 2})
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	start := time.Now()
	_, err = c.Lookup(context.Background(), "example.com", dns.TypeA)
	if !errors.Is(err, resolver.ErrTemporary) {
		t.Errorf("err = %v, want ErrTemporary", err)
	}
	if d := time.Since(start); d > time.Second {
		t.Errorf("took %v: a closed port should fail at once", d)
	}
}
