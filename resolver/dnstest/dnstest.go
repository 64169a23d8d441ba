// Package dnstest runs a real authoritative DNS server on 127.0.0.1 for
// tests, as net/http/httptest runs an HTTP server.
//
// The server answers from RFC 1035 master files over UDP and TCP on one
// random port, like a zone's authoritative server would: AA set, NXDOMAIN
// versus NODATA with the SOA, empty non-terminals, wildcards, CNAMEs followed
// within a zone but not into another (the client must chase those), REFUSED
// for names outside its zones, and UDP answers truncated to the client's
// EDNS0 buffer size. Faults can be injected per name and type, and it counts
// the queries it receives.
package dnstest

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync"
	"time"

	"github.com/domainlint/domainlint/internal/zonedb"
	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// TB is the part of testing.TB that New uses.
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// Fault changes how the server treats one name and type.
type Fault struct {
	// Delay holds the answer back this long.
	Delay time.Duration
	// Drop: never answer (over TCP: accept and never answer).
	Drop bool
	// DropTCP: answer UDP as usual but never over TCP.
	DropTCP bool
	// Rcode, when not zero, is the response code sent with no records,
	// e.g. dns.RcodeServerFailure or dns.RcodeRefused.
	Rcode int
	// Truncate: UDP answers carry no records and have TC set.
	Truncate bool
	// WrongQuestion: the response's question names another name.
	WrongQuestion bool
}

// Server is a running DNS server. Its methods are safe for concurrent use.
type Server struct {
	// Addr is "127.0.0.1:port", for UDP and TCP alike.
	Addr string

	db     *zonedb.DB
	udp    *dns.Server
	tcp    *dns.Server
	closed chan struct{}
	once   sync.Once
	wg     sync.WaitGroup

	mu     sync.Mutex
	faults map[key]Fault
	counts map[key]int
	total  int
}

type key struct {
	name  string
	qtype uint16
}

// New starts a server with the zones and stops it when the test ends. It
// fails the test if the zones do not load.
func New(tb TB, zones ...resolver.ZoneSource) *Server {
	tb.Helper()
	s, err := Start(zones...)
	if err != nil {
		tb.Fatalf("dnstest: %v", err)
		return nil
	}
	tb.Cleanup(s.Close)
	return s
}

// Start starts a server with the zones. Call Close when done.
func Start(zones ...resolver.ZoneSource) (*Server, error) {
	srcs := make([]zonedb.Source, len(zones))
	for i, z := range zones {
		srcs[i] = zonedb.Source{Origin: z.Origin, File: z.File, AllowInclude: z.AllowInclude}
		if z.Text != "" {
			srcs[i].Text = []byte(z.Text)
		}
	}
	db, err := zonedb.Load(srcs...)
	if err != nil {
		return nil, err
	}
	s := &Server{db: db, closed: make(chan struct{}), faults: map[key]Fault{}, counts: map[key]int{}}

	pc, ln, err := Listen()
	if err != nil {
		return nil, err
	}
	s.Addr = pc.LocalAddr().String()
	h := dns.HandlerFunc(s.serve)
	s.udp = &dns.Server{PacketConn: pc, Handler: h}
	s.tcp = &dns.Server{Listener: ln, Handler: h, ReadTimeout: 10 * time.Second, IdleTimeout: func() time.Duration { return 10 * time.Second }}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			srv.ActivateAndServe()
		}()
		<-started
	}
	return s, nil
}

// Close stops the server and waits for its goroutines.
func (s *Server) Close() {
	s.once.Do(func() {
		close(s.closed)
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		s.udp.ShutdownContext(ctx)
		s.tcp.ShutdownContext(ctx)
		s.wg.Wait()
	})
}

func normalize(name string) string { return strings.ToLower(dns.Fqdn(name)) }

// SetFault applies f to questions for name and qtype (qtype 0: every type).
// The zero Fault removes it.
func (s *Server) SetFault(name string, qtype uint16, f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	k := key{normalize(name), qtype}
	if f == (Fault{}) {
		delete(s.faults, k)
		return
	}
	s.faults[k] = f
}

// Count returns how many queries for name and qtype (0: any type) arrived,
// over UDP and TCP.
func (s *Server) Count(name string, qtype uint16) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := normalize(name)
	if qtype != 0 {
		return s.counts[key{n, qtype}]
	}
	total := 0
	for k, c := range s.counts {
		if k.name == n {
			total += c
		}
	}
	return total
}

// Total returns how many queries arrived in all.
func (s *Server) Total() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.total
}

// ResetCounts sets every count back to zero.
func (s *Server) ResetCounts() {
	s.mu.Lock()
	defer s.mu.Unlock()
	clear(s.counts)
	s.total = 0
}

func (s *Server) serve(w dns.ResponseWriter, r *dns.Msg) {
	if len(r.Question) != 1 {
		m := new(dns.Msg)
		m.SetRcode(r, dns.RcodeFormatError)
		w.WriteMsg(m)
		return
	}
	q := r.Question[0]
	k := key{normalize(q.Name), q.Qtype}
	tcp := w.LocalAddr().Network() == "tcp"

	s.mu.Lock()
	s.counts[k]++
	s.total++
	f, ok := s.faults[k]
	if !ok {
		f = s.faults[key{k.name, 0}]
	}
	s.mu.Unlock()

	if f.Delay > 0 {
		t := time.NewTimer(f.Delay)
		select {
		case <-t.C:
		case <-s.closed:
			t.Stop()
			return
		}
	}
	if f.Drop || f.DropTCP && tcp {
		return
	}
	m := new(dns.Msg)
	m.SetReply(r)
	m.RecursionAvailable = false
	switch {
	case f.Rcode != 0:
		m.Rcode = f.Rcode
	case f.Truncate && !tcp:
		m.Truncated = true
	default:
		resp, found := s.db.Query(q.Name, q.Qtype)
		if !found {
			m.Rcode = dns.RcodeRefused
			break
		}
		m.Authoritative = true
		m.Rcode = resp.Rcode
		m.Answer = resp.Answer
		m.Ns = resp.Ns
	}
	if f.WrongQuestion {
		m.Question[0].Name = "wrong." + m.Question[0].Name
	}
	size := dns.MinMsgSize
	if o := r.IsEdns0(); o != nil {
		size = max(int(o.UDPSize()), dns.MinMsgSize)
		m.SetEdns0(1232, false)
	}
	if !tcp {
		m.Truncate(size)
	}
	// Names compressed, as real servers send them: an answer of
	// thousands of records still fits the 65,535 octets of a TCP message.
	m.Compress = true
	w.WriteMsg(m)
}

// Listen returns a UDP socket and a TCP listener on one random loopback
// port, as a DNS server needs (for a hostile server of a test's own, say).
// A port taken for TCP by someone else is tried again on another one.
func Listen() (net.PacketConn, net.Listener, error) {
	for attempt := 0; ; attempt++ {
		pc, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			return nil, nil, err
		}
		ln, err := net.Listen("tcp", pc.LocalAddr().String())
		if err == nil {
			return pc, ln, nil
		}
		pc.Close()
		if attempt == 20 {
			return nil, nil, fmt.Errorf("dnstest: no port free for both UDP and TCP: %v", err)
		}
	}
}
