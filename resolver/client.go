package resolver

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/miekg/dns"
)

// Config configures a Client. The zero Config is useful: servers from
// /etc/resolv.conf, 2 s per try, 2 tries, 64 queries in flight, 8 CNAME
// hops, a cache of 65,536 entries and 64 MiB.
type Config struct {
	// Servers are "host" or "host:port" addresses (port 53 by default).
	// Empty: the nameservers of ResolvConf.
	Servers []string
	// ResolvConf is read when Servers is empty; default /etc/resolv.conf.
	ResolvConf string
	// Timeout bounds each try (one UDP packet, and its TCP retry); default 2 s.
	Timeout time.Duration
	// Tries is how many times a question is sent before it fails, cycling
	// through Servers; default 2.
	Tries int
	// MaxInFlight caps the packets awaiting an answer at once; default 64.
	MaxInFlight int
	// MaxCNAMEHops bounds CNAME chains; default 8.
	MaxCNAMEHops int
	// CacheSize is the number of answers kept; default 65,536; negative
	// disables the cache.
	CacheSize int
	// CacheBytes bounds the memory the cache holds, as estimated from each
	// entry's records (their structs, names, strings and slices, erring
	// high); default 64 MiB, zero or negative meaning the default. An
	// answer estimated above an eighth of it is not cached. A hostile
	// answer of one-octet TXT strings holds 8 times its size on the wire
	// (~470 KB for one TCP answer): the entry cap alone let the cache grow
	// to ~28 GB.
	CacheBytes int64
	// MaxTTL caps how long an answer is cached; default 1 h.
	MaxTTL time.Duration
	// UDPSize is the EDNS0 buffer size advertised; default 1232 (the DNS
	// flag day 2020 value).
	UDPSize uint16
	// Now is the clock, for tests; default time.Now.
	Now func() time.Time
}

// Stats are a Client's counters since it was created.
type Stats struct {
	Lookups    int64 `json:"lookups"`     // questions asked of the Client, CNAME steps included
	Sent       int64 `json:"sent"`        // packets sent, UDP and TCP
	CacheHits  int64 `json:"cache_hits"`  // questions answered from the cache
	Coalesced  int64 `json:"coalesced"`   // questions that joined an identical one in flight
	Timeouts   int64 `json:"timeouts"`    // tries that timed out
	TCPRetries int64 `json:"tcp_retries"` // truncated UDP answers retried over TCP
	Errors     int64 `json:"errors"`      // questions that failed
}

// Client is a caching stub resolver over UDP and TCP. It is safe for
// concurrent use; share one across goroutines so that they share its cache.
// It holds one UDP socket per server it has asked; Close releases them.
type Client struct {
	cfg     Config
	servers []string
	sem     chan struct{}

	mu      sync.Mutex
	cache   map[qkey]centry
	bytes   int64 // the cache's estimated size: the sum of its entries' sizes
	flights map[qkey]*flight
	muxes   map[string]*udpMux // one shared UDP socket per server

	lookups, sent, hits, coalesced, timeouts, tcpRetries, errs atomic.Int64
}

type qkey struct {
	name  string
	qtype uint16
}

type centry struct {
	st      *step
	ans     *Answer // the whole answer, when the step needs no chasing
	expires time.Time
	size    int64 // estimated heap retained (entrySize)
}

type flight struct {
	done    chan struct{}
	st      *step
	err     error
	waiters int
	dead    bool // every waiter left and the flight was cancelled; do not join
	cancel  context.CancelFunc
}

// New returns a Client. It fails when no server is configured or found.
func New(cfg Config) (*Client, error) {
	if cfg.Timeout <= 0 {
		cfg.Timeout = 2 * time.Second
	}
	if cfg.Tries <= 0 {
		cfg.Tries = 2
	}
	if cfg.MaxInFlight <= 0 {
		cfg.MaxInFlight = 64
	}
	if cfg.MaxCNAMEHops <= 0 {
		cfg.MaxCNAMEHops = DefaultMaxCNAMEHops
	}
	if cfg.CacheSize == 0 {
		cfg.CacheSize = 1 << 16
	}
	if cfg.CacheBytes <= 0 {
		cfg.CacheBytes = DefaultCacheBytes
	}
	if cfg.MaxTTL <= 0 {
		cfg.MaxTTL = time.Hour
	}
	if cfg.UDPSize == 0 {
		cfg.UDPSize = 1232
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	servers := cfg.Servers
	if len(servers) == 0 {
		path := cfg.ResolvConf
		if path == "" {
			path = "/etc/resolv.conf"
		}
		rc, err := dns.ClientConfigFromFile(path)
		if err != nil {
			return nil, fmt.Errorf("resolver: no servers given and %v", err)
		}
		for _, s := range rc.Servers {
			servers = append(servers, net.JoinHostPort(s, rc.Port))
		}
		if len(servers) == 0 {
			return nil, fmt.Errorf("resolver: no nameserver in %s", path)
		}
	}
	c := &Client{
		cfg:     cfg,
		sem:     make(chan struct{}, cfg.MaxInFlight),
		cache:   map[qkey]centry{},
		flights: map[qkey]*flight{},
		muxes:   map[string]*udpMux{},
	}
	for _, s := range servers {
		if _, _, err := net.SplitHostPort(s); err != nil {
			s = net.JoinHostPort(strings.Trim(s, "[]"), "53")
		}
		c.servers = append(c.servers, s)
	}
	return c, nil
}

// Stats returns the counters; safe to call at any time.
func (c *Client) Stats() Stats {
	return Stats{
		Lookups: c.lookups.Load(), Sent: c.sent.Load(), CacheHits: c.hits.Load(),
		Coalesced: c.coalesced.Load(), Timeouts: c.timeouts.Load(),
		TCPRetries: c.tcpRetries.Load(), Errors: c.errs.Load(),
	}
}

// Lookup asks name/qtype, following CNAME chains up to MaxCNAMEHops. Each
// step is answered from the cache when it can be, joins an identical question
// already in flight when there is one, and is sent otherwise (charged to the
// context's Budget). It costs at most Tries packets per step (plus a TCP
// retry per truncated answer).
func (c *Client) Lookup(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	cname, err := CanonicalName(name)
	if err != nil {
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	if err := ctx.Err(); err != nil {
		return nil, &Error{Name: cname, Type: qtype, Rcode: -1, Err: err}
	}
	// The hot path of a sweep: a whole answer in the cache, shared as is.
	now := c.cfg.Now()
	c.mu.Lock()
	if e, ok := c.cache[qkey{cname, qtype}]; ok && e.ans != nil && now.Before(e.expires) {
		c.mu.Unlock()
		c.lookups.Add(1)
		c.hits.Add(1)
		return e.ans, nil
	}
	c.mu.Unlock()
	return chase(ctx, cname, qtype, c.cfg.MaxCNAMEHops, c.step)
}

// wholeAnswer is the Answer of a step that needs no chasing, or nil.
func wholeAnswer(name string, qtype uint16, st *step) *Answer {
	if qtype != dns.TypeCNAME && findCNAME(st.answer, name) != nil {
		return nil
	}
	a := &Answer{Name: name, Type: qtype, Rcode: st.rcode, AD: st.ad}
	if allMatch(st.answer, name, qtype) {
		a.Records = st.answer
	} else {
		for _, rr := range st.answer {
			h := rr.Header()
			if h.Rrtype == qtype && h.Class == dns.ClassINET && strings.EqualFold(h.Name, name) {
				a.Records = append(a.Records, rr)
			}
		}
	}
	if len(a.Records) > 0 {
		a.Rcode = dns.RcodeSuccess
	}
	return a
}

func (c *Client) step(ctx context.Context, name string, qtype uint16) (*step, error) {
	c.lookups.Add(1)
	k := qkey{name, qtype}
	now := c.cfg.Now()
	c.mu.Lock()
	if e, ok := c.cache[k]; ok {
		if now.Before(e.expires) {
			c.mu.Unlock()
			c.hits.Add(1)
			return e.st, nil
		}
		delete(c.cache, k)
		c.bytes -= e.size
	}
	f := c.flights[k]
	if f != nil && !f.dead {
		f.waiters++
		c.mu.Unlock()
		c.coalesced.Add(1)
		return c.wait(ctx, k, f)
	}
	// The flight outlives the caller who started it only while others wait
	// on it; it keeps ctx's values (the budget) but not its cancellation.
	fctx, cancel := context.WithCancel(context.WithoutCancel(ctx))
	f = &flight{done: make(chan struct{}), waiters: 1, cancel: cancel}
	c.flights[k] = f
	c.mu.Unlock()
	go c.run(fctx, k, f)
	return c.wait(ctx, k, f)
}

func (c *Client) wait(ctx context.Context, k qkey, f *flight) (*step, error) {
	select {
	case <-f.done:
		return f.st, f.err
	case <-ctx.Done():
		c.mu.Lock()
		f.waiters--
		if f.waiters == 0 {
			f.dead = true
			f.cancel()
		}
		c.mu.Unlock()
		return nil, &Error{Name: k.name, Type: k.qtype, Rcode: -1, Err: ctx.Err()}
	}
}

func (c *Client) run(ctx context.Context, k qkey, f *flight) {
	st, err := c.exchange(ctx, k.name, k.qtype)
	if err != nil {
		c.errs.Add(1)
	}
	c.mu.Lock()
	if c.flights[k] == f {
		delete(c.flights, k)
	}
	if err == nil && c.cfg.CacheSize > 0 {
		if ttl := stepTTL(st); ttl > 0 {
			d := min(time.Duration(ttl)*time.Second, c.cfg.MaxTTL)
			e := centry{st: st, ans: wholeAnswer(k.name, k.qtype, st), expires: c.cfg.Now().Add(d)}
			e.size = entrySize(k, e.st, e.ans)
			c.put(k, e)
		}
	}
	f.st, f.err = st, err
	c.mu.Unlock()
	close(f.done)
	f.cancel()
}

// DefaultCacheBytes is the cache's memory bound when Config.CacheBytes is
// not set: 64 MiB, room for the 65,536-entry cap at 1 KB an entry (an SPF
// TXT answer is estimated at under 500 octets).
const DefaultCacheBytes = 64 << 20

// put stores an entry; c.mu is held. An entry estimated above an eighth
// of CacheBytes is not stored. When the cache is full, in entries or in
// bytes, expired entries go, and arbitrary ones until an eighth of it is
// free, in entries and in bytes.
func (c *Client) put(k qkey, e centry) {
	if e.size > c.cfg.CacheBytes/8 {
		return
	}
	if old, ok := c.cache[k]; ok {
		delete(c.cache, k)
		c.bytes -= old.size
	}
	if len(c.cache) >= c.cfg.CacheSize || c.bytes+e.size > c.cfg.CacheBytes {
		// Survivors move to a new map: deleting in place would leave the
		// old one's tombstones, and its memory, growing with the churn of a
		// long sweep.
		now := c.cfg.Now()
		keep := c.cfg.CacheSize - c.cfg.CacheSize/8
		keepBytes := c.cfg.CacheBytes - c.cfg.CacheBytes/8 - e.size
		fresh := make(map[qkey]centry, min(keep, len(c.cache)))
		var size int64
		for ck, ce := range c.cache {
			if len(fresh) >= keep {
				break
			}
			if now.Before(ce.expires) && size+ce.size <= keepBytes {
				fresh[ck] = ce
				size += ce.size
			}
		}
		c.cache, c.bytes = fresh, size
	}
	c.cache[k] = e
	c.bytes += e.size
}

// entrySize estimates the heap a cache entry retains: the map slot, the
// step, the whole answer and the records they hold (see rrSize). The
// records of the whole answer are the step's, shared. TestEntrySizeEstimate
// holds it to at least what an entry really retains.
func entrySize(k qkey, st *step, a *Answer) int64 {
	n := 256 + allocSize(len(k.name)) + allocSize(16*len(st.answer)) + allocSize(16*len(st.ns))
	for _, rr := range st.answer {
		n += rrSize(rr)
	}
	for _, rr := range st.ns {
		n += rrSize(rr)
	}
	if a != nil && len(a.Records) > 0 && &a.Records[0] != &st.answer[0] {
		n += allocSize(16 * len(a.Records))
	}
	return int64(n)
}

// rrSize estimates the heap one record retains: the struct and its owner
// name; a TXT's character-strings one by one (a string header each, so a
// one-octet string costs 16 octets or more in memory for 2 on the wire);
// other types by their length on the wire, doubled for the headers of
// their names and slices.
func rrSize(rr dns.RR) int {
	n := 64 + allocSize(len(rr.Header().Name))
	var ss []string
	switch r := rr.(type) {
	case *dns.TXT:
		ss = r.Txt
	case *dns.SPF:
		ss = r.Txt
	default:
		return n + 2*dns.Len(rr)
	}
	n += allocSize(16 * len(ss))
	for _, s := range ss {
		n += allocSize(len(s))
	}
	return n
}

// allocSize is what the allocator takes for n octets, rounded up to a
// size class at least as large as Go's: 16-octet steps to 256, then
// eighths of the next power of two (pages for large objects).
func allocSize(n int) int {
	if n <= 0 {
		return 0
	}
	g := 16
	if n > 256 {
		g = 1 << (bits.Len(uint(n-1)) - 3)
	}
	return (n + g - 1) / g * g
}

// stepTTL is how long a response may be cached: the least TTL of its
// records; for a negative answer (NXDOMAIN, or no data beside any CNAMEs)
// also the SOA's TTL capped by its MINIMUM (RFC 2308 §5). A response with
// nothing in it and no SOA is not cached (RFC 2308 §5).
func stepTTL(st *step) uint32 {
	ttl, have := uint32(0), false
	least := func(t uint32) {
		if !have || t < ttl {
			ttl, have = t, true
		}
	}
	data := false
	for _, rr := range st.answer {
		least(rr.Header().Ttl)
		data = data || rr.Header().Rrtype != dns.TypeCNAME
	}
	if data && st.rcode == dns.RcodeSuccess {
		return ttl
	}
	for _, rr := range st.ns {
		if soa, ok := rr.(*dns.SOA); ok {
			least(min(soa.Hdr.Ttl, soa.Minttl))
		}
	}
	return ttl
}

// exchange sends the question, cycling through servers for Tries tries, and
// retries over TCP when the UDP answer is truncated.
func (c *Client) exchange(ctx context.Context, name string, qtype uint16) (*step, error) {
	// Built by hand: dns.Msg.SetQuestion draws its ID from crypto/rand, a
	// system call per query; send sets a fresh ID per packet.
	q := &dns.Msg{Question: []dns.Question{{Name: name, Qtype: qtype, Qclass: dns.ClassINET}}}
	q.Opcode = dns.OpcodeQuery
	q.RecursionDesired = true
	q.AuthenticatedData = true // RFC 6840 §5.7: ask for the AD bit
	q.SetEdns0(c.cfg.UDPSize, false)

	var last *Error
	budget := BudgetFrom(ctx)
	for try := 0; try < c.cfg.Tries; try++ {
		server := c.servers[try%len(c.servers)]
		resp, err := c.send(ctx, budget, "udp", server, q)
		if err == nil && resp.Truncated {
			c.tcpRetries.Add(1)
			resp, err = c.send(ctx, budget, "tcp", server, q)
		}
		if err != nil {
			last = &Error{Name: name, Type: qtype, Rcode: -1, Server: server, Err: err}
			if errors.Is(err, ErrBudget) || ctx.Err() != nil {
				return nil, last
			}
			continue
		}
		switch resp.Rcode {
		case dns.RcodeSuccess, dns.RcodeNameError:
			st, err := newStep(resp, name, qtype)
			if err == nil {
				return st, nil
			}
			// A referral or an unusable answer: as a SERVFAIL, another
			// server may do better.
			last = &Error{Name: name, Type: qtype, Rcode: resp.Rcode, Server: server, Err: err}
		default:
			last = &Error{Name: name, Type: qtype, Rcode: resp.Rcode, Server: server, Err: ErrTemporary}
		}
		if len(c.servers) == 1 {
			// The one server gave its answer; asking it again will not help.
			break
		}
	}
	return nil, last
}

// send writes one query and reads the matching response, within one try's
// timeout. Responses whose ID or question do not match are ignored on UDP
// (they may be late answers or spoofs) and fail a TCP exchange.
func (c *Client) send(ctx context.Context, budget *Budget, network, server string, q *dns.Msg) (*dns.Msg, error) {
	if !budget.take() {
		return nil, fmt.Errorf("%w (%d packets)", ErrBudget, budget.Max())
	}
	select {
	case c.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-c.sem }()
	c.sent.Add(1)

	tctx, cancel := context.WithTimeout(ctx, c.cfg.Timeout)
	defer cancel()
	if network == "udp" {
		mx, err := c.mux(tctx, server)
		if err != nil {
			return nil, c.classify(tctx, err)
		}
		r, err := mx.exchange(tctx, q)
		if err != nil {
			return nil, c.classify(tctx, err)
		}
		return r, nil
	}
	// TCP, after a truncated UDP answer: one connection per exchange.
	var d net.Dialer
	conn, err := d.DialContext(tctx, network, server)
	if err != nil {
		return nil, c.classify(tctx, err)
	}
	defer conn.Close()
	deadline, _ := tctx.Deadline()
	conn.SetDeadline(deadline)
	stop := context.AfterFunc(tctx, func() { conn.SetDeadline(time.Now()) })
	defer stop()

	co := &dns.Conn{Conn: conn, UDPSize: c.cfg.UDPSize}
	// A fresh, unpredictable ID per packet (math/rand/v2's generator is
	// ChaCha8 seeded by the system), on a copy: flights run concurrently.
	m := *q
	m.Id = uint16(rand.Uint32())
	if err := co.WriteMsg(&m); err != nil {
		return nil, c.classify(tctx, err)
	}
	r, err := co.ReadMsg()
	switch {
	case r == nil:
		return nil, c.classify(tctx, err)
	case err != nil:
		return nil, fmt.Errorf("%w: malformed response: %v", ErrTemporary, err)
	case r.Id != m.Id || !questionMatches(r, &m):
		return nil, fmt.Errorf("%w: response does not match the question", ErrTemporary)
	}
	return r, nil
}

// Close closes the Client's shared UDP sockets. The Client stays usable:
// they are opened again when needed.
func (c *Client) Close() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	for s, m := range c.muxes {
		m.close()
		delete(c.muxes, s)
	}
	return nil
}

func questionMatches(r, q *dns.Msg) bool {
	if len(r.Question) != 1 {
		// A truncated or error response may omit the question.
		return len(r.Question) == 0 && (r.Truncated || r.Rcode != dns.RcodeSuccess)
	}
	a, b := r.Question[0], q.Question[0]
	return a.Qtype == b.Qtype && a.Qclass == b.Qclass && strings.EqualFold(a.Name, b.Name)
}

// classify turns a network error into the context's error where the
// context ended, counting timeouts.
func (c *Client) classify(tctx context.Context, err error) error {
	if cerr := tctx.Err(); cerr != nil {
		if errors.Is(cerr, context.DeadlineExceeded) {
			c.timeouts.Add(1)
		}
		return cerr
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.timeouts.Add(1)
		return context.DeadlineExceeded
	}
	return err
}

// udpMux carries every UDP question to one server over one connected
// socket: a reader goroutine, running only while answers are awaited,
// hands each response to the question with its ID. Under load that is one
// read per answer instead of a socket, a poll and a read per question.
type udpMux struct {
	conn    net.Conn
	mu      sync.Mutex
	pending map[uint16]*waiter
	reading bool
	closed  bool
	failure error // the last read error that was no timeout (ICMP unreachable)
}

func (c *Client) mux(ctx context.Context, server string) (*udpMux, error) {
	c.mu.Lock()
	m := c.muxes[server]
	c.mu.Unlock()
	if m != nil {
		return m, nil
	}
	var d net.Dialer
	conn, err := d.DialContext(ctx, "udp", server)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if m := c.muxes[server]; m != nil {
		conn.Close()
		return m, nil
	}
	m = &udpMux{conn: conn, pending: map[uint16]*waiter{}}
	c.muxes[server] = m
	return m, nil
}

func (m *udpMux) close() {
	m.mu.Lock()
	m.closed = true
	m.mu.Unlock()
	m.conn.Close()
}

// waiter is one question awaiting its answer on a udpMux. The reader
// hands it only packets whose ID and question match, and it stays
// registered until its exchange returns, so no packet that arrives in the
// meantime is lost (issue 19: a mismatched packet followed at once by the
// real answer used to lose the answer).
type waiter struct {
	q  dns.Question
	ch chan []byte // closed by the reader when the socket fails
}

// exchange sends q with a fresh ID and waits for the answer that matches
// it in ID and question; a spoofed or late packet is skipped.
func (m *udpMux) exchange(ctx context.Context, q *dns.Msg) (*dns.Msg, error) {
	msg := *q
	w := &waiter{q: q.Question[0], ch: make(chan []byte, 4)}
	m.mu.Lock()
	for {
		msg.Id = uint16(rand.Uint32())
		if _, taken := m.pending[msg.Id]; !taken {
			break
		}
	}
	m.pending[msg.Id] = w
	if !m.reading {
		m.reading = true
		go m.read()
	}
	m.mu.Unlock()
	defer func() {
		m.mu.Lock()
		if m.pending[msg.Id] == w {
			delete(m.pending, msg.Id)
		}
		m.mu.Unlock()
	}()
	buf, err := msg.Pack()
	if err != nil {
		return nil, err
	}
	if _, err := m.conn.Write(buf); err != nil {
		return nil, err
	}
	for {
		select {
		case b, ok := <-w.ch:
			if !ok {
				m.mu.Lock()
				err := m.failure
				m.mu.Unlock()
				return nil, err
			}
			r := new(dns.Msg)
			err := r.Unpack(b)
			switch {
			case err != nil && r.Truncated:
				return r, nil // retried over TCP
			case err == nil && questionMatches(r, &msg):
				return r, nil
			}
			// Malformed after all: keep waiting, still registered.
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// read delivers answers while any are awaited, and ends shortly after the
// last one (so an idle Client holds no goroutine). A packet goes to the
// question with its ID only when its question matches too; it never blocks
// on a slow waiter (a full waiter's extra packets are dropped).
func (m *udpMux) read() {
	buf := make([]byte, 65535)
	for {
		m.conn.SetReadDeadline(time.Now().Add(100 * time.Millisecond))
		n, err := m.conn.Read(buf)
		if err != nil {
			m.mu.Lock()
			var ne net.Error
			if !m.closed && !(errors.As(err, &ne) && ne.Timeout()) {
				// Nothing listens (ICMP port unreachable): every question
				// waiting on this socket fails now rather than at its timeout.
				m.failure = err
				for id, w := range m.pending {
					delete(m.pending, id)
					close(w.ch)
				}
			}
			if !m.closed && len(m.pending) > 0 {
				m.mu.Unlock()
				continue
			}
			m.reading = false
			m.mu.Unlock()
			return
		}
		if n < 12 {
			continue
		}
		id := uint16(buf[0])<<8 | uint16(buf[1])
		m.mu.Lock()
		w := m.pending[id]
		m.mu.Unlock()
		if w == nil || !rawQuestionMatches(buf[:n], w.q) {
			continue
		}
		select {
		case w.ch <- append([]byte(nil), buf[:n]...):
		default:
		}
	}
}

// rawQuestionMatches is questionMatches on a packet not yet unpacked: one
// question equal to q, or none in a truncated or error response.
func rawQuestionMatches(b []byte, q dns.Question) bool {
	qd := binary.BigEndian.Uint16(b[4:6])
	if qd != 1 {
		truncated, rcode := b[2]&0x02 != 0, b[3]&0x0f
		return qd == 0 && (truncated || rcode != dns.RcodeSuccess)
	}
	name, off, err := dns.UnpackDomainName(b, 12)
	if err != nil || off+4 > len(b) {
		return false
	}
	return binary.BigEndian.Uint16(b[off:]) == q.Qtype && binary.BigEndian.Uint16(b[off+2:]) == q.Qclass &&
		strings.EqualFold(name, q.Name)
}
