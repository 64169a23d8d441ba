package resolver_test

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/domainlint/domainlint/resolver/dnstest"
	"github.com/miekg/dns"
)

// hostile is a DNS server on 127.0.0.1 that sends whatever a test's reply
// function returns: several packets per query, wrong questions, referrals,
// junk. It serves UDP and TCP on one port and stops when the test ends.
type hostile struct {
	Addr    string
	queries atomic.Int64
}

// replyFunc returns the packets to send for query q, in order.
type replyFunc func(q *dns.Msg, tcp bool) []*dns.Msg

func startHostile(t testing.TB, reply replyFunc) *hostile {
	t.Helper()
	pc, ln, err := dnstest.Listen()
	if err != nil {
		t.Fatal(err)
	}
	h := &hostile{Addr: pc.LocalAddr().String()}
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		pc.Close()
		ln.Close()
		wg.Wait()
	})
	wg.Add(2)
	go func() {
		defer wg.Done()
		buf := make([]byte, 65535)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := new(dns.Msg)
			if q.Unpack(buf[:n]) != nil || len(q.Question) != 1 {
				continue
			}
			h.queries.Add(1)
			for _, m := range reply(q, false) {
				b, err := m.Pack()
				if err != nil {
					panic(err)
				}
				pc.WriteTo(b, addr)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				stop := context.AfterFunc(doneCtx(done), func() { conn.Close() })
				defer stop()
				var l [2]byte
				if _, err := io.ReadFull(conn, l[:]); err != nil {
					return
				}
				b := make([]byte, binary.BigEndian.Uint16(l[:]))
				if _, err := io.ReadFull(conn, b); err != nil {
					return
				}
				q := new(dns.Msg)
				if q.Unpack(b) != nil || len(q.Question) != 1 {
					return
				}
				h.queries.Add(1)
				for _, m := range reply(q, true) {
					b, err := m.Pack()
					if err != nil {
						panic(err)
					}
					conn.Write(binary.BigEndian.AppendUint16(nil, uint16(len(b))))
					conn.Write(b)
				}
			}()
		}
	}()
	return h
}

func doneCtx(done chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-done; cancel() }()
	return ctx
}

func rr(t testing.TB, s string) dns.RR {
	t.Helper()
	r, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func reply(q *dns.Msg, aa bool, answer ...dns.RR) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative = aa
	m.Answer = answer
	return m
}

func hostileClient(t testing.TB, h *hostile, mod func(*resolver.Config)) *resolver.Client {
	t.Helper()
	cfg := resolver.Config{Servers: []string{h.Addr}, Timeout: 300 * time.Millisecond, Tries: 1}
	if mod != nil {
		mod(&cfg)
	}
	c, err := resolver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestHostileMismatchedThenReal: for every query the server first sends a
// packet with the right ID but another question, then the real answer at
// once. The first is read past; the second answers (issue 19, item 1).
func TestHostileMismatchedThenReal(t *testing.T) {
	h := startHostile(t, func(q *dns.Msg, tcp bool) []*dns.Msg {
		wrong := reply(q, true, rr(t, "wrong.example. 60 IN A 192.0.2.66"))
		wrong.Question[0].Name = "wrong.example."
		real := reply(q, true, rr(t, q.Question[0].Name+" 60 IN A 192.0.2.1"))
		return []*dns.Msg{wrong, real}
	})
	c := hostileClient(t, h, func(cfg *resolver.Config) { cfg.CacheSize = -1 })
	for i := range 20 {
		name := "n" + strings.Repeat("x", i%5) + "-" + string(rune('a'+i)) + ".example."
		a, err := c.Lookup(context.Background(), name, dns.TypeA)
		if err != nil {
			t.Fatalf("lookup %d: %v", i, err)
		}
		if len(a.Records) != 1 || a.Records[0].(*dns.A).A.String() != "192.0.2.1" {
			t.Fatalf("lookup %d: %v", i, a.Records)
		}
	}
	if st := c.Stats(); st.Timeouts != 0 || st.Errors != 0 {
		t.Errorf("stats %+v", st)
	}
}

// referral is a lame delegation's or an upward referral's response:
// NOERROR, not authoritative, no answer, NS records in the authority
// section and no SOA.
func referral(t testing.TB, q *dns.Msg) *dns.Msg {
	m := reply(q, false)
	m.Ns = []dns.RR{rr(t, "example. 3600 IN NS ns1.elsewhere."), rr(t, "example. 3600 IN NS ns2.elsewhere.")}
	return m
}

func soa(t testing.TB) dns.RR {
	return rr(t, "example. 3600 IN SOA ns.example. hostmaster.example. 1 3600 600 86400 60")
}

// TestHostileReferral: a referral is no answer. Read as one it made SPF,
// DMARC and Microsoft 365 records "missing" (issue 19, item 2); it is a
// temporary failure that says "referral", whether for the question itself
// or for a CNAME's target in another zone. A CNAME into another zone from
// an authoritative server, with NS records beside it, is still chased, and
// an authoritative NODATA (with its SOA) is still NODATA.
func TestHostileReferral(t *testing.T) {
	h := startHostile(t, func(q *dns.Msg, tcp bool) []*dns.Msg {
		name := q.Question[0].Name
		switch name {
		case "lame.example.":
			return []*dns.Msg{referral(t, q)}
		case "alias.example.": // CNAME into another zone, as BIND sends it
			m := reply(q, true, rr(t, "alias.example. 60 IN CNAME target.other."))
			m.Ns = []dns.RR{rr(t, "example. 3600 IN NS ns1.example.")}
			return []*dns.Msg{m}
		case "target.other.":
			return []*dns.Msg{reply(q, true, rr(t, `target.other. 60 IN TXT "v=spf1 -all"`))}
		case "alias-lame.example.":
			return []*dns.Msg{reply(q, true, rr(t, "alias-lame.example. 60 IN CNAME lame.other."))}
		case "lame.other.":
			return []*dns.Msg{referral(t, q)}
		case "nodata.example.":
			m := reply(q, true)
			m.Ns = []dns.RR{soa(t), rr(t, "example. 3600 IN NS ns1.example.")}
			return []*dns.Msg{m}
		}
		m := reply(q, true)
		m.Rcode = dns.RcodeNameError
		m.Ns = []dns.RR{soa(t)}
		return []*dns.Msg{m}
	})
	c := hostileClient(t, h, nil)
	ctx := context.Background()
	for _, name := range []string{"lame.example", "alias-lame.example"} {
		a, err := c.Lookup(ctx, name, dns.TypeTXT)
		if !errors.Is(err, resolver.ErrTemporary) || !strings.Contains(err.Error(), "referral") {
			t.Errorf("%s: %+v, %v: want a temporary error that says referral", name, a, err)
		}
		if testing.Verbose() {
			t.Log(err)
		}
	}
	a, err := c.Lookup(ctx, "alias.example", dns.TypeTXT)
	if err != nil || len(a.Chain) != 1 || len(a.Records) != 1 {
		t.Errorf("CNAME into another zone: %+v, %v: want it chased", a, err)
	}
	a, err = c.Lookup(ctx, "nodata.example", dns.TypeTXT)
	if err != nil || !a.NoData() {
		t.Errorf("authoritative NODATA: %+v, %v", a, err)
	}
	a, err = c.Lookup(ctx, "nx.example", dns.TypeTXT)
	if err != nil || !a.NXDomain() {
		t.Errorf("NXDOMAIN: %+v, %v", a, err)
	}
}

// TestHostileReferralNextServer: a lame server among several is skipped
// like one that says SERVFAIL: the next server answers.
func TestHostileReferralNextServer(t *testing.T) {
	lame := startHostile(t, func(q *dns.Msg, tcp bool) []*dns.Msg { return []*dns.Msg{referral(t, q)} })
	good := startHostile(t, func(q *dns.Msg, tcp bool) []*dns.Msg {
		return []*dns.Msg{reply(q, true, rr(t, q.Question[0].Name+` 60 IN TXT "v=spf1 -all"`))}
	})
	c := hostileClient(t, lame, func(cfg *resolver.Config) { cfg.Servers, cfg.Tries = []string{lame.Addr, good.Addr}, 2 })
	a, err := c.Lookup(context.Background(), "example", dns.TypeTXT)
	if err != nil || len(a.Records) != 1 {
		t.Errorf("%+v, %v: want the second server's answer", a, err)
	}
}

// TestHostileUnusableAnswer: an answer section holding only records of
// another class, another owner or another type answers nothing; it was
// read as NODATA (issue 19, item 9). It is a temporary failure.
func TestHostileUnusableAnswer(t *testing.T) {
	junk := map[string]string{
		"class.example.": `class.example. 60 CH TXT "v=spf1 -all"`,
		"owner.example.": `elsewhere.example. 60 IN TXT "v=spf1 -all"`,
		"type.example.":  `type.example. 60 IN A 192.0.2.1`,
		"cname.example.": `cname.example. 60 CH CNAME target.example.`,
	}
	h := startHostile(t, func(q *dns.Msg, tcp bool) []*dns.Msg {
		name := q.Question[0].Name
		if s, ok := junk[name]; ok {
			return []*dns.Msg{reply(q, true, rr(t, s))}
		}
		return []*dns.Msg{reply(q, true, rr(t, name+` 60 IN TXT "v=spf1 -all"`), rr(t, `junk.example. 60 IN A 192.0.2.1`))}
	})
	c := hostileClient(t, h, nil)
	ctx := context.Background()
	for name := range junk {
		a, err := c.Lookup(ctx, name, dns.TypeTXT)
		if !errors.Is(err, resolver.ErrTemporary) || !strings.Contains(err.Error(), "unusable") {
			t.Errorf("%s: %+v, %v: want a temporary error that says unusable", name, a, err)
		}
	}
	// Junk beside a real answer is dropped, and the answer stands.
	a, err := c.Lookup(ctx, "good.example", dns.TypeTXT)
	if err != nil || len(a.Records) != 1 {
		t.Errorf("good: %+v, %v", a, err)
	}
}

// oneOctetTXT is the costliest answer per octet on the wire: a TXT record
// of n one-octet strings (two octets each on the wire, a string header
// each in memory).
func oneOctetTXT(name string, n int) *dns.TXT {
	t := &dns.TXT{Hdr: dns.RR_Header{Name: name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 3600}}
	t.Txt = make([]string, n)
	for i := range t.Txt {
		t.Txt[i] = string(rune('a' + i%26))
	}
	return t
}

// heapInUse returns the live heap after a collection.
func heapInUse() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// TestHostileCacheBytes: answers of one-octet TXT strings, about 58 KB on
// the wire (over TCP) and ~470 KB each in memory, fill the cache of a
// Client with a CacheBytes of 16 MiB; the heap it holds stays within that
// bound (issue 19, item 7: per entry the cache was unbounded, ~28 GB
// at the 65,536-entry cap).
func TestHostileCacheBytes(t *testing.T) {
	if testing.Short() {
		t.Skip("fills a cache over TCP")
	}
	h := startHostile(t, func(q *dns.Msg, tcp bool) []*dns.Msg {
		m := reply(q, true)
		if !tcp {
			m.Truncated = true
			return []*dns.Msg{m}
		}
		m.Answer = []dns.RR{oneOctetTXT(q.Question[0].Name, 29000)}
		return []*dns.Msg{m}
	})
	const bound = 16 << 20
	c := hostileClient(t, h, func(cfg *resolver.Config) { cfg.CacheBytes, cfg.Timeout = bound, 5*time.Second })
	ctx := context.Background()
	if _, err := c.Lookup(ctx, "warm.example", dns.TypeTXT); err != nil {
		t.Fatal(err)
	}
	before := heapInUse()
	const n = 100
	for i := range n {
		a, err := c.Lookup(ctx, fmt.Sprintf("n%d.example", i), dns.TypeTXT)
		if err != nil {
			t.Fatal(err)
		}
		if len(a.Records) != 1 || len(a.Records[0].(*dns.TXT).Txt) != 29000 {
			t.Fatalf("answer %d: %d records", i, len(a.Records))
		}
	}
	grown := heapInUse() - before
	t.Logf("heap grew %d KB for %d answers of 58 KB on the wire; bound %d KB", grown>>10, n, bound>>10)
	if grown > bound+bound/2 {
		t.Errorf("the cache holds %d KB, more than its bound of %d KB", grown>>10, bound>>10)
	}
	// Cached answers are still answered from the cache.
	hits := c.Stats().CacheHits
	if _, err := c.Lookup(ctx, fmt.Sprintf("n%d.example", n-1), dns.TypeTXT); err != nil {
		t.Fatal(err)
	}
	if c.Stats().CacheHits != hits+1 {
		t.Errorf("the last answer was not cached")
	}
	runtime.KeepAlive(c)
}
