package resolver

import (
	"bytes"
	"errors"
	"net"
	"testing"
	"time"

	"golang.org/x/net/ipv4"

	"github.com/google/go-cmp/cmp"
	"github.com/miekg/dns"
)

// TestAppendQuery: the query packed by hand is the one dns.Msg.Pack packs.
func TestAppendQuery(t *testing.T) {
	for _, name := range []string{".", "example.com.", "_dmarc.mail.d000001.test.", `a\.b.example.`, `\000x.example.`} {
		q := &dns.Msg{Question: []dns.Question{{Name: name, Qtype: dns.TypeTXT, Qclass: dns.ClassINET}}}
		q.Opcode = dns.OpcodeQuery
		q.RecursionDesired = true
		q.AuthenticatedData = true
		q.SetEdns0(1232, false)
		want, err := q.Pack()
		if err != nil {
			t.Fatal(err)
		}
		got, err := appendQuery(nil, name, dns.TypeTXT, 1232)
		if err != nil || !bytes.Equal(got, want) {
			t.Errorf("%s: %x, %v\nwant %x", name, got, err, want)
		}
		if !rawQuestionMatches(got, name, dns.TypeTXT) || rawQuestionMatches(got, "x"+name, dns.TypeTXT) && name != "." {
			t.Errorf("%s: rawQuestionMatches is wrong on the query itself", name)
		}
	}
}

// TestFastReply: the one-pass reading of a response gives what unpacking
// it whole and newStep give, for every shape, and declines the shapes it
// leaves to them.
func TestFastReply(t *testing.T) {
	rr := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	soa := rr("example.com. 300 IN SOA ns.example.com. h.example.com. 1 2 3 4 60")
	type tc struct {
		name   string
		qname  string
		qtype  uint16
		rcode  int
		ad     bool
		answer []dns.RR
		ns     []dns.RR
		extra  []dns.RR
		fast   bool
	}
	opt := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT, Class: 1232}}
	badvers := &dns.OPT{Hdr: dns.RR_Header{Name: ".", Rrtype: dns.TypeOPT, Class: 1232, Ttl: 1 << 24}}
	for _, c := range []tc{
		{"TXT", "example.com.", dns.TypeTXT, 0, false, []dns.RR{rr(`example.com. 60 IN TXT "v=spf1" " -all"`), rr(`example.com. 60 IN TXT "x"`)}, nil, []dns.RR{opt}, true},
		{"AD", "example.com.", dns.TypeA, 0, true, []dns.RR{rr("example.com. 60 IN A 192.0.2.1")}, nil, nil, true},
		{"CNAME chain", "www.example.com.", dns.TypeA, 0, false, []dns.RR{rr("www.example.com. 60 IN CNAME example.com."), rr("example.com. 60 IN A 192.0.2.1")}, nil, nil, true},
		{"alias only", "s1._domainkey.example.com.", dns.TypeTXT, 0, false, []dns.RR{rr("s1._domainkey.example.com. 60 IN CNAME s1.dkim.example.")}, nil, nil, true},
		{"NODATA", "example.com.", dns.TypeMX, 0, false, nil, []dns.RR{soa}, []dns.RR{opt}, true},
		{"NXDOMAIN", "nx.example.com.", dns.TypeA, dns.RcodeNameError, false, nil, []dns.RR{soa}, nil, true},
		{"SERVFAIL", "example.com.", dns.TypeA, dns.RcodeServerFailure, false, nil, nil, nil, true},
		{"BADVERS", "example.com.", dns.TypeA, 0, false, nil, nil, []dns.RR{badvers}, true},
		{"NS beside SOA", "example.com.", dns.TypeA, 0, false, nil, []dns.RR{rr("example.com. 60 IN NS ns.example.com."), soa}, nil, true},
		{"another type", "example.com.", dns.TypeA, 0, false, []dns.RR{rr("example.com. 60 IN AAAA 2001:db8::1")}, nil, nil, false},
		{"another owner", "example.com.", dns.TypeA, 0, false, []dns.RR{rr("other.example. 60 IN A 192.0.2.1")}, nil, nil, true},
		{"referral", "example.com.", dns.TypeA, 0, false, nil, []dns.RR{rr("example.com. 60 IN NS ns.example.com.")}, nil, false},
	} {
		m := new(dns.Msg)
		m.SetQuestion(c.qname, c.qtype)
		m.Response, m.Rcode, m.AuthenticatedData = true, c.rcode, c.ad
		m.Answer, m.Ns, m.Extra = c.answer, c.ns, c.extra
		wire, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		k := qkey{c.qname, c.qtype}
		got, fast := fastReply(wire, k)
		if fast != c.fast {
			t.Errorf("%s: read in one pass: %v, want %v", c.name, fast, c.fast)
		}
		whole := new(dns.Msg)
		if err := whole.Unpack(wire); err != nil {
			t.Fatal(err)
		}
		want := msgOutcome(whole, k)
		if !fast {
			got = parseReply(wire, k)
		}
		if got.rcode != want.rcode || (got.err == nil) != (want.err == nil) {
			t.Errorf("%s: rcode %d, err %v; want %d, %v", c.name, got.rcode, got.err, want.rcode, want.err)
			continue
		}
		if got.st == nil || want.st == nil {
			if got.st != want.st {
				t.Errorf("%s: step %v, want %v", c.name, got.st, want.st)
			}
			continue
		}
		str := func(rrs []dns.RR) []string {
			var out []string
			for _, r := range rrs {
				out = append(out, r.String())
			}
			return out
		}
		if got.st.rcode != want.st.rcode || got.st.ad != want.st.ad ||
			!cmp.Equal(str(got.st.answer), str(want.st.answer)) ||
			!cmp.Equal(got.st.zones, want.st.zones) || got.st.negTTL != want.st.negTTL {
			t.Errorf("%s: step %+v, want %+v", c.name, got.st, want.st)
		}
	}
}

// TestFlushFinishesDead: a packet written by the reader's flush (sent
// while it delivered) whose flight's waiters all left before it was on
// the mux (abandon could not find it) is finished once written, as send
// finishes it, not left to hold its slot until its timeout.
func TestFlushFinishesDead(t *testing.T) {
	m, _ := silentMux(t, Config{Timeout: 10 * time.Second})
	m.mu.Lock()
	m.delivering = true // as the reader does while it hands out answers
	m.mu.Unlock()
	f := &flight{k: qkey{"a.example.", dns.TypeTXT}, done: make(chan struct{})}
	f.dead.Store(true) // its waiter left after attempt looked
	if err := m.send(f); err != nil {
		t.Fatal(err)
	}
	m.flush(nil)
	select {
	case <-f.done:
	case <-time.After(2 * time.Second):
		t.Fatal("a dead flight written by flush is still pending")
	}
}

// failingBatch writes the first packet of a flush and fails on the rest.
type failingBatch struct {
	inner interface {
		ReadBatch([]ipv4.Message, int) (int, error)
		WriteBatch([]ipv4.Message, int) (int, error)
	}
	calls int
}

func (b *failingBatch) ReadBatch(ms []ipv4.Message, flags int) (int, error) {
	return b.inner.ReadBatch(ms, flags)
}

func (b *failingBatch) WriteBatch(ms []ipv4.Message, flags int) (int, error) {
	b.calls++
	if b.calls == 1 {
		return b.inner.WriteBatch(ms[:1], flags)
	}
	return -1, errors.New("sendmmsg: no buffer space")
}

// TestFlushFailed: the packets a failed sendmmsg did not write go on to
// their question's next try, each once; the one written is not sent again.
func TestFlushFailed(t *testing.T) {
	m, pc := silentMux(t, Config{Timeout: 10 * time.Second, Tries: 2})
	m.batch = &failingBatch{inner: m.batch} // before the reader starts
	m.mu.Lock()
	m.delivering = true
	m.mu.Unlock()
	var fs []*flight
	for _, name := range []string{"a.example.", "b.example.", "c.example."} {
		f := &flight{k: qkey{name, dns.TypeTXT}, done: make(chan struct{}), waiters: 1}
		fs = append(fs, f)
		if err := m.send(f); err != nil {
			t.Fatal(err)
		}
	}
	m.flush(nil)
	got := map[string]int{}
	pc.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	buf := make([]byte, 512)
	for {
		n, _, err := pc.ReadFrom(buf)
		if err != nil {
			break
		}
		q := new(dns.Msg)
		if q.Unpack(buf[:n]) == nil && len(q.Question) == 1 {
			got[q.Question[0].Name]++
		}
	}
	for i, f := range fs {
		if got[f.k.name] != 1 {
			t.Errorf("%s sent %d times, want 1", f.k.name, got[f.k.name])
		}
		if want := min(i, 1); f.try != want {
			t.Errorf("%s at try %d, want %d", f.k.name, f.try, want)
		}
	}
	m.mu.Lock()
	if len(m.pending) != 3 {
		t.Errorf("%d packets awaited, want 3", len(m.pending))
	}
	m.mu.Unlock()
}

// silentMux returns the socket of a Client of cfg to a server that never
// answers, and the server's end; the test is skipped where the socket has
// no batched writes.
func silentMux(t *testing.T, cfg Config) (*udpMux, net.PacketConn) {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0") // never answers
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	cfg.Servers = []string{pc.LocalAddr().String()}
	c, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	m, err := c.mux(0)
	if err != nil {
		t.Fatal(err)
	}
	if m.batch == nil {
		t.Skip("no batched writes on this socket")
	}
	return m, pc
}
