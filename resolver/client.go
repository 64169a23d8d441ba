package resolver

import (
	"context"
	"fmt"
	"math/bits"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"weak"

	"github.com/miekg/dns"
)

// Config configures a Client. The zero Config is useful: servers from
// /etc/resolv.conf, 2 s per try, 2 tries, 64 queries in flight, no rate
// limit, 8 CNAME hops, a cache of 65,536 entries and 64 MiB.
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
	// Rate limits the queries sent to each server to this many a second,
	// UDP and TCP alike: a token bucket per server address, holding a
	// tenth of a second's queries (at least one). 0 or negative: no
	// limit. A query waiting for its turn keeps its MaxInFlight slot and
	// costs no goroutine; its try's Timeout starts when it is sent, and
	// the caller's context still bounds the wait. The limit is the
	// Client's: Clients sharing a server each have their own.
	Rate float64
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
	Paced      int64 `json:"paced"`       // packets held back by Config.Rate before they were sent
}

// Client is a caching stub resolver over UDP and TCP. It is safe for
// concurrent use; share one across goroutines so that they share its cache.
// It holds one UDP socket per server it has asked; Close releases them.
//
// A question costs no goroutine of its own: the caller who asks it first
// sends the packet (or queues it while MaxInFlight packets are out), the
// goroutine reading the server's socket unpacks the answer, caches it,
// wakes every caller waiting for it and sends the questions queued for
// the slot it freed (several per system call), and expires the tries that
// time out (sending the next one). Prefetch starts a question without
// waiting for it.
type Client struct {
	cfg     Config
	servers []string
	slots   slots
	self    weak.Pointer[Client] // what its cached answers hold (Answer.Memo)
	pace    []*bucket            // per server, by index; nil without Config.Rate

	mu      sync.Mutex
	cache   cache // see cache.go
	flights map[qkey]*flight
	muxes   []atomic.Pointer[udpMux] // one shared UDP socket per server, by index
	dialMu  sync.Mutex               // opening and closing muxes

	lookups, sent, hits, coalesced, timeouts, tcpRetries, errs, paced atomic.Int64
}

type qkey struct {
	name  string
	qtype uint16
}

type centry struct {
	st      *step
	ans     *Answer // the whole answer, when the step needs no chasing
	expires time.Time
	size    int64       // estimated heap retained (entrySize, and what memo holds)
	memo    map[any]any // what callers derived from ans (Answer.Memo)
	// memoAsked: a value was derived from ans once already (and not
	// kept): the next is kept.
	memoAsked bool
}

// flight is one question being asked of the servers. Its progress (the
// try, the packet awaiting an answer) belongs to one goroutine at a time:
// the caller who sent a packet until it is registered on a udpMux, then
// whoever takes it off the mux (the reader with its answer or its
// timeout, an aborting waiter), or the goroutine of a TCP retry.
type flight struct {
	k       qkey
	done    chan struct{}
	st      *step
	err     error
	budget  *Budget
	waiters int             // c.mu
	dead    atomic.Bool     // every waiter left; do not join, send nothing more
	abort   chan struct{}   // c.mu; made on demand, closed when dead
	pctx    context.Context // a prefetch's (Client.Prefetch); nil when a caller asked
	// progress
	try      int
	last     *Error
	slot     bool      // holds one of c.slots
	paced    bool      // the try's turn under Config.Rate is taken: send it
	id       uint16    // the packet awaiting an answer (udpMux.mu)
	deadline time.Time // its timeout (udpMux.mu)
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
		cache:   newCache(cfg.CacheSize, cfg.CacheBytes),
		flights: map[qkey]*flight{},
	}
	for _, s := range servers {
		if _, _, err := net.SplitHostPort(s); err != nil {
			s = net.JoinHostPort(strings.Trim(s, "[]"), "53")
		}
		c.servers = append(c.servers, s)
	}
	c.self = weak.Make(c)
	c.slots.free = cfg.MaxInFlight
	c.muxes = make([]atomic.Pointer[udpMux], len(c.servers))
	if cfg.Rate > 0 {
		for range c.servers {
			c.pace = append(c.pace, newBucket(cfg.Rate, time.Now()))
		}
	}
	return c, nil
}

// Stats returns the counters; safe to call at any time.
func (c *Client) Stats() Stats {
	return Stats{
		Lookups: c.lookups.Load(), Sent: c.sent.Load(), CacheHits: c.hits.Load(),
		Coalesced: c.coalesced.Load(), Timeouts: c.timeouts.Load(),
		TCPRetries: c.tcpRetries.Load(), Errors: c.errs.Load(), Paced: c.paced.Load(),
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
	// Otherwise the first step is taken here, under the same look at the
	// cache, and the chase goes on from it.
	k := qkey{cname, qtype}
	now := c.cfg.Now()
	c.lookups.Add(1)
	c.mu.Lock()
	if e, ok := c.get(k, now); ok {
		c.mu.Unlock()
		c.hits.Add(1)
		if e.ans != nil {
			return e.ans, nil
		}
		return chaseFrom(ctx, cname, qtype, c.cfg.MaxCNAMEHops, e.st, c.step)
	}
	st, err := c.ask(ctx, k) // unlocks c.mu
	if err != nil {
		return nil, err
	}
	return chaseFrom(ctx, cname, qtype, c.cfg.MaxCNAMEHops, st, c.step)
}

// get returns the unexpired entry for k, and marks it used; c.mu is
// held. An expired one is removed.
func (c *Client) get(k qkey, now time.Time) (centry, bool) {
	s := c.cache.lookup(k)
	if s == nil {
		return centry{}, false
	}
	if now.Before(s.e.expires) {
		s.used = true
		return s.e, true
	}
	c.cache.remove(k)
	return centry{}, false
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
	if e, ok := c.get(k, now); ok {
		c.mu.Unlock()
		c.hits.Add(1)
		return e.st, nil
	}
	return c.ask(ctx, k)
}

// ask joins the flight of k, or starts one, and waits for its answer; c.mu
// is held (k is not cached) and ask unlocks it.
func (c *Client) ask(ctx context.Context, k qkey) (*step, error) {
	f := c.flights[k]
	if f != nil && !f.dead.Load() {
		f.waiters++
		c.mu.Unlock()
		c.coalesced.Add(1)
		return c.wait(ctx, f)
	}
	// The flight outlives the caller who started it only while others wait
	// on it; it keeps ctx's budget but not its cancellation.
	f = &flight{k: k, done: make(chan struct{}), waiters: 1, budget: BudgetFrom(ctx)}
	c.flights[k] = f
	c.mu.Unlock()
	c.launch(f)
	return c.wait(ctx, f)
}

// Prefetch starts asking name/qtype, when its answer is neither cached nor
// already asked, and returns at once (resolver.Prefetcher). It sends the
// first step (a CNAME's target is asked when the answer is read), charged
// to ctx's Budget. A question nobody reads is not sent once ctx has ended
// (it may wait for a slot), and Pending.Abandon takes it off its socket
// at once.
func (c *Client) Prefetch(ctx context.Context, name string, qtype uint16) Pending {
	cname, err := CanonicalName(name)
	if err != nil || ctx.Err() != nil {
		return &pending{c: c, name: name, qtype: qtype}
	}
	k := qkey{cname, qtype}
	now := c.cfg.Now()
	c.mu.Lock()
	if _, ok := c.get(k, now); ok {
		c.mu.Unlock()
		return &pending{c: c, name: name, qtype: qtype}
	}
	if f := c.flights[k]; f != nil && !f.dead.Load() {
		c.mu.Unlock()
		return &pending{c: c, name: name, qtype: qtype, f: f}
	}
	f := &flight{k: k, done: make(chan struct{}), budget: BudgetFrom(ctx), pctx: ctx}
	c.flights[k] = f
	c.mu.Unlock()
	c.launch(f)
	return &pending{c: c, name: name, qtype: qtype, f: f, own: true}
}

// pending is a Client's Pending: the flight of its first step, when one
// was started or joined.
type pending struct {
	c     *Client
	name  string
	qtype uint16
	f     *flight
	own   bool // f was started by this prefetch: reading it joins no other question
}

func (p *pending) Lookup(ctx context.Context) (*Answer, error) {
	c, f := p.c, p.f
	if f == nil {
		return c.Lookup(ctx, p.name, p.qtype)
	}
	if err := ctx.Err(); err != nil {
		// As a waiter whose context ends leaves its flight: one this
		// prefetch started, when nobody waits for it, is taken off the
		// socket now, its slot freed, not left until its try times out.
		if p.own {
			p.Abandon()
		}
		return nil, &Error{Name: f.k.name, Type: f.k.qtype, Rcode: -1, Err: err}
	}
	st, err := c.join(ctx, f, p.own)
	if err != nil {
		return nil, err
	}
	return chaseFrom(ctx, f.k.name, f.k.qtype, c.cfg.MaxCNAMEHops, st, c.step)
}

// join reads f's answer, waiting for it when it is still asked; a flight
// abandoned meanwhile is asked again. Waiting for a flight another
// question started (not own) counts as coalesced, as Lookup counts it.
func (c *Client) join(ctx context.Context, f *flight, own bool) (*step, error) {
	c.mu.Lock()
	if f.dead.Load() {
		c.mu.Unlock()
		return c.step(ctx, f.k.name, f.k.qtype)
	}
	c.lookups.Add(1)
	select {
	case <-f.done:
		c.mu.Unlock()
		return f.st, f.err
	default:
	}
	f.waiters++
	c.mu.Unlock()
	if !own {
		c.coalesced.Add(1)
	}
	return c.wait(ctx, f)
}

// Abandon gives the question up when nobody else waits for it: taken off
// its socket, or never sent (it waited for a slot). Lookup asks it again.
func (p *pending) Abandon() {
	if p.f == nil {
		return
	}
	c, f := p.c, p.f
	c.mu.Lock()
	if f.waiters > 0 || f.dead.Load() {
		c.mu.Unlock()
		return
	}
	select {
	case <-f.done:
		c.mu.Unlock()
		return // answered: nothing to give up
	default:
	}
	f.dead.Store(true)
	if f.abort != nil {
		close(f.abort)
	}
	c.mu.Unlock()
	c.abandon(f)
}

// unwanted reports whether f is to be sent no more: every waiter left, or
// it was prefetched, its context ended, and nobody waits for it (it is
// then dead: nobody joins it).
func (c *Client) unwanted(f *flight) bool {
	if f.dead.Load() {
		return true
	}
	if f.pctx == nil || f.pctx.Err() == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.waiters == 0 {
		f.dead.Store(true)
		return true
	}
	return false
}

func (c *Client) wait(ctx context.Context, f *flight) (*step, error) {
	select {
	case <-f.done:
		return f.st, f.err
	case <-ctx.Done():
		c.mu.Lock()
		f.waiters--
		last := f.waiters == 0
		if last {
			f.dead.Store(true)
			if f.abort != nil {
				close(f.abort)
			}
		}
		c.mu.Unlock()
		if last {
			c.abandon(f)
		}
		return nil, &Error{Name: f.k.name, Type: f.k.qtype, Rcode: -1, Err: ctx.Err()}
	}
}

// finish ends a flight: its slot is released, its answer cached and its
// waiters woken.
func (c *Client) finish(f *flight, st *step, err error) {
	slot := f.slot
	f.slot = false
	if err != nil {
		c.errs.Add(1)
	}
	k := f.k
	var e centry
	cache := false
	if err == nil && c.cfg.CacheSize > 0 {
		if ttl := stepTTL(st); ttl > 0 {
			d := min(time.Duration(ttl)*time.Second, c.cfg.MaxTTL)
			e = centry{st: st, ans: wholeAnswer(k.name, k.qtype, st), expires: c.cfg.Now().Add(d)}
			if e.ans != nil {
				e.ans.cache = c.self
				st.whole = e.ans // the waiters get it too, as the next callers will
			}
			e.size = entrySize(k, e.st, e.ans)
			cache = true
		}
	}
	c.mu.Lock()
	if c.flights[k] == f {
		delete(c.flights, k)
	}
	if cache {
		c.put(k, e)
	}
	f.st, f.err = st, err
	c.mu.Unlock()
	close(f.done)
	if slot {
		c.release()
	}
}

// abortChan returns the channel closed when f is abandoned, or nil when it
// already is: for the goroutines of its rare paths that block.
func (c *Client) abortChan(f *flight) <-chan struct{} {
	c.mu.Lock()
	defer c.mu.Unlock()
	if f.dead.Load() {
		return nil
	}
	if f.abort == nil {
		f.abort = make(chan struct{})
	}
	return f.abort
}

func (c *Client) canceled(f *flight) *Error {
	return &Error{Name: f.k.name, Type: f.k.qtype, Rcode: -1, Err: context.Canceled}
}

// DefaultCacheBytes is the cache's memory bound when Config.CacheBytes is
// not set: 64 MiB, room for the 65,536-entry cap at 1 KB an entry (an SPF
// TXT answer is estimated at under 500 octets).
const DefaultCacheBytes = 64 << 20

// put stores an entry; c.mu is held. An entry estimated above an eighth
// of CacheBytes is not stored; to make room for one, the cache evicts the
// entries least recently used, near enough (see cache): it never holds
// more than CacheSize entries or CacheBytes.
func (c *Client) put(k qkey, e centry) { c.cache.put(k, e) }

// memo is Answer.Memo for an answer of c's cache: the values live in its
// cache entry, found by the answer's question and pointer (a copy of the
// struct is no cached answer), and are charged to the entry's size. A
// value is kept only from the second time an answer is asked for one:
// what a sweep derives from one domain's own records is derived once and
// dropped, and only what many domains share (a provider's records) stays.
func (c *Client) memo(a *Answer, key any, build func() (any, int)) any {
	k := qkey{a.Name, a.Type}
	c.mu.Lock()
	s := c.holding(k, a)
	if s == nil {
		c.mu.Unlock()
		v, _ := build()
		return v
	}
	if v, ok := s.e.memo[key]; ok {
		c.mu.Unlock()
		return v
	}
	keep := s.e.memoAsked
	s.e.memoAsked = true
	c.mu.Unlock()
	v, size := build()
	if !keep {
		return v
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if s = c.holding(k, a); s == nil {
		return v // evicted meanwhile: not kept
	}
	if w, ok := s.e.memo[key]; ok {
		return w // built meanwhile: one value for everybody
	}
	charge := int64(size)
	if s.e.memo == nil {
		charge += memoMapBytes
	}
	if s.e.size+charge > c.cfg.CacheBytes/8 {
		return v // no room: not kept
	}
	if s.e.memo == nil {
		s.e.memo = map[any]any{}
	}
	s.e.memo[key] = v
	c.cache.grow(s, k, charge) // evicts others when the cache is full
	return v
}

// memoMapBytes is the heap a cache entry's map of one memo value holds
// (measured: 344 bytes).
const memoMapBytes = 384

// holding returns the cache slot whose entry for k holds a, or nil; c.mu
// is held, and the slot is good until it is released (a put may move the
// slots).
func (c *Client) holding(k qkey, a *Answer) *cslot {
	if s := c.cache.lookup(k); s != nil && s.e.ans == a {
		return s
	}
	return nil
}

// entryOverhead is what any cache entry holds besides its name and
// records: its slot in the cache (96 octets) and in the cache's index (32
// octets a slot, up to twice that after the map grows, with tombstones),
// the step (64) and the whole answer (96). Measured: 382 octets an entry
// in a cache of negative answers (TestSmallEntriesBound).
const entryOverhead = 416

// entrySize estimates the heap a cache entry retains: the cache's slot, the
// step, the whole answer and the records they hold (see rrSize). The
// records of the whole answer are the step's, shared. TestEntrySizeEstimate
// holds it to at least what an entry really retains.
func entrySize(k qkey, st *step, a *Answer) int64 {
	n := entryOverhead + allocSize(len(k.name)) + allocSize(16*len(st.answer)) + allocSize(16*len(st.zones))
	for _, rr := range st.answer {
		n += rrSize(rr)
	}
	for _, z := range st.zones {
		n += allocSize(len(z))
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
	if len(st.zones) > 0 {
		least(st.negTTL)
	}
	return ttl
}
