package resolver

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
	"weak"

	"github.com/miekg/dns"
)

// entries returns every cache entry; c.mu is held.
func (c *Client) entries() map[qkey]centry {
	all := map[qkey]centry{}
	for k, i := range c.cache.idx {
		all[k] = c.cache.slot(i).e
	}
	return all
}

// TestCacheBound: the cache never holds more than CacheSize entries, and
// eviction keeps at least the half most recently stored.
func TestCacheBound(t *testing.T) {
	c, err := New(Config{Servers: []string{"127.0.0.1:9"}, CacheSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	for i := range 1000 {
		c.mu.Lock()
		c.put(qkey{fmt.Sprintf("n%d.example.", i), 1}, centry{st: &step{}, expires: exp})
		n := c.cache.len()
		last := c.cache.lookup(qkey{fmt.Sprintf("n%d.example.", i), 1}) != nil
		c.mu.Unlock()
		if n > 16 || !last {
			t.Fatalf("cache holds %d entries, bound 16; the last stored is there: %v", n, last)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if n := len(c.entries()); n < 8 {
		t.Errorf("eviction dropped too much: %d left", n)
	}
	for i := 992; i < 1000; i++ {
		if _, ok := c.entries()[qkey{fmt.Sprintf("n%d.example.", i), 1}]; !ok {
			t.Errorf("n%d, among the 8 last stored, was evicted", i)
		}
	}
}

// TestCacheKeepsWhatIsUsed: an entry asked again and again survives any
// number of generations.
func TestCacheKeepsWhatIsUsed(t *testing.T) {
	c, err := New(Config{Servers: []string{"127.0.0.1:9"}, CacheSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	now := time.Now()
	hot := qkey{"hot.example.", 1}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.put(hot, centry{st: &step{}, expires: now.Add(time.Hour)})
	for i := range 1000 {
		c.put(qkey{fmt.Sprintf("n%d.example.", i), 1}, centry{st: &step{}, expires: now.Add(time.Hour)})
		if _, ok := c.get(hot, now); !ok {
			t.Fatalf("the entry used after every store was evicted after %d stores", i+1)
		}
	}
	if _, ok := c.get(hot, now.Add(2*time.Hour)); ok {
		t.Errorf("an expired entry was returned")
	}
}

// TestCacheBytesBound: the cache's estimated size never passes CacheBytes,
// is the sum of its entries', and an entry above an eighth of the bound is
// not stored.
func TestCacheBytesBound(t *testing.T) {
	const bound = 1 << 20
	c, err := New(Config{Servers: []string{"127.0.0.1:9"}, CacheBytes: bound})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	for i := range 1000 {
		c.mu.Lock()
		c.put(qkey{fmt.Sprintf("n%d.example.", i), 1}, centry{st: &step{}, expires: exp, size: int64(1000 + i*37%100_000)})
		var sum int64
		for _, e := range c.entries() {
			sum += e.size
		}
		b := c.cache.bytes
		c.mu.Unlock()
		if b > bound || b != sum {
			t.Fatalf("after %d puts: %d bytes counted, %d summed, bound %d", i+1, b, sum, bound)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if b := c.cache.bytes; b < bound/2 {
		t.Errorf("eviction dropped too much: %d bytes left of %d", b, bound)
	}
	c.put(qkey{"huge.example.", 1}, centry{st: &step{}, expires: exp, size: bound/8 + 1})
	if _, ok := c.entries()[qkey{"huge.example.", 1}]; ok {
		t.Errorf("an entry above an eighth of the bound was stored")
	}
}

// TestEntrySizeEstimate: the estimate of what a cache entry retains is not
// below what it really retains, measured with runtime.MemStats over many
// copies, for answers of every shape, hostile ones included; nor far
// above it, so that the bound does not waste the cache.
func TestEntrySizeEstimate(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector changes allocation sizes")
	}
	mk := func(s string) dns.RR {
		r, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	txt := func(n, l int) dns.RR {
		r := &dns.TXT{Hdr: dns.RR_Header{Name: "t.example.", Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60}}
		for range n {
			r.Txt = append(r.Txt, strings.Repeat("x", l))
		}
		return r
	}
	var many []dns.RR
	for i := range 200 {
		many = append(many, mk(fmt.Sprintf("t.example. 60 IN A 192.0.2.%d", i%250)))
	}
	var mxs []dns.RR
	for i := range 100 {
		mxs = append(mxs, mk(fmt.Sprintf("t.example. 60 IN MX %d mx%d.mail.protection.outlook.com.", i, i)))
	}
	for _, tc := range []struct {
		name  string
		qtype uint16
		rrs   []dns.RR
		ns    []dns.RR
	}{
		{"one A", dns.TypeA, []dns.RR{mk("t.example. 60 IN A 192.0.2.1")}, nil},
		{"200 A", dns.TypeA, many, nil},
		{"100 MX", dns.TypeMX, mxs, nil},
		{"SPF TXT", dns.TypeTXT, []dns.RR{mk(`t.example. 60 IN TXT "v=spf1 include:spf.protection.outlook.com -all"`)}, nil},
		{"one-octet TXT", dns.TypeTXT, []dns.RR{txt(29000, 1)}, nil},
		{"two-octet TXT", dns.TypeTXT, []dns.RR{txt(20000, 2)}, nil},
		{"255-octet TXT", dns.TypeTXT, []dns.RR{txt(230, 255)}, nil},
		{"CNAME then NODATA", dns.TypeTXT, []dns.RR{mk("t.example. 60 IN CNAME u.example.")},
			[]dns.RR{mk("example. 60 IN SOA ns.example. h.example. 1 2 3 4 5")}},
	} {
		q := new(dns.Msg)
		q.SetQuestion("t.example.", tc.qtype)
		m := new(dns.Msg)
		m.SetReply(q)
		m.Answer, m.Ns = tc.rrs, tc.ns
		wire, err := m.Pack()
		if err != nil {
			t.Fatal(err)
		}
		const copies = 40
		entries := make([]centry, copies)
		var est int64
		owner := weak.Make(&Client{})
		before := heap()
		for i := range entries {
			r := new(dns.Msg)
			if err := r.Unpack(wire); err != nil {
				t.Fatal(err)
			}
			st, err := newStep(r, "t.example.", tc.qtype)
			if err != nil {
				t.Fatal(err)
			}
			e := centry{st: st, ans: wholeAnswer("t.example.", tc.qtype, st)}
			if e.ans != nil {
				e.ans.cache = owner // as finish caches it: a weak pointer, nothing more
			}
			est = entrySize(qkey{"t.example.", tc.qtype}, e.st, e.ans)
			entries[i] = e
		}
		real := (heap() - before) / copies
		runtime.KeepAlive(entries)
		t.Logf("%-18s wire %6d  real %7d  estimate %7d  (%.2f)", tc.name, len(wire), real, est, float64(est)/float64(real))
		if est < real || est > 3*real+512 {
			t.Errorf("%s: estimate %d for %d retained", tc.name, est, real)
		}
	}
}

func heap() int64 {
	runtime.GC()
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return int64(ms.HeapAlloc)
}

// TestMemoCharged: a value kept with a cached answer (Answer.Memo) is
// charged to the cache's memory bound with it; one derived from an answer
// evicted meanwhile is not kept.
func TestMemoCharged(t *testing.T) {
	c, err := New(Config{Servers: []string{"127.0.0.1:9"}})
	if err != nil {
		t.Fatal(err)
	}
	k := qkey{"a.example.", dns.TypeTXT}
	a := putAnswer(c, k.name, time.Now().Add(time.Hour))
	a.Memo("k", func() (any, int) { return 1, 5000 }) // the first: not kept
	c.mu.Lock()
	size := c.cache.lookup(k).e.size
	c.mu.Unlock()
	if size != 100 {
		t.Errorf("entry %d bytes after a first value, want 100: not kept", size)
	}
	a.Memo("k", func() (any, int) { return 1, 5000 }) // the second: kept, charged
	c.mu.Lock()
	size, bytes := c.cache.lookup(k).e.size, c.cache.bytes
	c.mu.Unlock()
	if want := int64(5100 + memoMapBytes); size != want || bytes != want {
		t.Errorf("entry %d bytes, cache %d; want %d both", size, bytes, want)
	}
	c.mu.Lock()
	c.cache.remove(k)
	c.mu.Unlock()
	n := 0
	for range 2 {
		a.Memo("gone", func() (any, int) { n++; return n, 5000 })
	}
	if n != 2 {
		t.Errorf("an evicted answer's value was kept (built %d times)", n)
	}
}

// TestMemoChargeBounded: a value kept with a cached answer obeys the
// bounds put keeps: no entry over an eighth of CacheBytes, the cache not
// over CacheBytes. One too large is built every time, never kept.
func TestMemoChargeBounded(t *testing.T) {
	c, err := New(Config{Servers: []string{"127.0.0.1:9"}, CacheBytes: 80000})
	if err != nil {
		t.Fatal(err)
	}
	put := func(name string) *Answer { return putAnswer(c, name, time.Now().Add(time.Hour)) }
	a := put("a.example.")
	n := 0
	for range 2 {
		a.Memo("big", func() (any, int) { n++; return n, 20000 }) // over an eighth with the entry
	}
	if n != 2 {
		t.Errorf("a value over an eighth of CacheBytes was kept (built %d times)", n)
	}
	// Each fits an entry, but not all of them the cache: each is kept,
	// the cache evicting others, and the bounds hold.
	kept := 0
	for i := range 9 {
		b := put(fmt.Sprintf("b%d.example.", i))
		for range 2 { // kept from the second
			b.Memo("v", func() (any, int) { return i, 9500 })
		}
		c.mu.Lock()
		if s := c.holding(qkey{b.Name, b.Type}, b); s != nil && s.e.memo != nil {
			kept++
		}
		var sum int64
		for k, e := range c.entries() {
			sum += e.size
			if e.size > c.cfg.CacheBytes/8 {
				t.Errorf("%v: entry of %d bytes, over an eighth of %d", k, e.size, c.cfg.CacheBytes)
			}
		}
		if bytes := c.cache.bytes; bytes > c.cfg.CacheBytes || bytes != sum {
			t.Errorf("cache of %d bytes (summed: %d), bound %d", bytes, sum, c.cfg.CacheBytes)
		}
		c.mu.Unlock()
	}
	if kept != 9 {
		t.Errorf("%d of 9 values kept: want all, the cache evicting others", kept)
	}
	c.mu.Lock()
	if c.cache.lookup(qkey{"b0.example.", dns.TypeTXT}) != nil {
		t.Error("nothing was evicted to keep them")
	}
	c.mu.Unlock()
}

// TestNegativeKeepsZonesOnly: a negative answer's step keeps the owners
// of its SOAs (lowercase) and their least TTL capped by MINIMUM, not the
// records; the TTL it is cached for is as RFC 2308 §5 says.
func TestNegativeKeepsZonesOnly(t *testing.T) {
	q := new(dns.Msg)
	q.SetQuestion("nx.example.", dns.TypeTXT)
	m := new(dns.Msg)
	m.SetRcode(q, dns.RcodeNameError)
	for _, s := range []string{
		"EXAMPLE. 300 IN SOA ns.example. h.example. 1 2 3 4 60",
		"example. 30 IN SOA ns.example. h.example. 1 2 3 4 600",
		"example. 300 IN NS ns.example.",
	} {
		rr, err := dns.NewRR(s)
		if err != nil {
			t.Fatal(err)
		}
		m.Ns = append(m.Ns, rr)
	}
	st, err := newStep(m, "nx.example.", dns.TypeTXT)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"example.", "example."}; !slices.Equal(st.zones, want) || st.negTTL != 30 {
		t.Errorf("zones %q, negative TTL %d; want %q, 30", st.zones, st.negTTL, want)
	}
	if got := stepTTL(st); got != 30 {
		t.Errorf("cached for %d s, want 30", got)
	}
	if !negativeFor(st.zones, "a.nx.example.") || negativeFor(st.zones, "other.test.") {
		t.Error("negativeFor does not follow the SOA owners")
	}
}

// TestCacheStaysFull: once full, the cache evicts one entry per entry
// stored, never a block of them: the heap it holds stays level instead of
// dropping half at a time (see cache). Replacing an entry with a larger
// one evicts others, never the entry itself.
func TestCacheStaysFull(t *testing.T) {
	c, err := New(Config{Servers: []string{"127.0.0.1:9"}, CacheSize: 16, CacheBytes: 16 << 10})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range 1000 {
		c.put(qkey{fmt.Sprintf("n%d.example.", i), 1}, centry{st: &step{}, expires: exp, size: 100})
		if want := min(i+1, 16); c.cache.len() != want {
			t.Fatalf("after %d stores the cache holds %d entries, want %d", i+1, c.cache.len(), want)
		}
	}
	k := qkey{"n999.example.", 1}
	c.put(k, centry{st: &step{}, expires: exp, size: 2000})
	c.put(k, centry{st: &step{}, expires: exp, size: 2048}) // an eighth of the bound
	if s := c.cache.lookup(k); s == nil || s.e.size != 2048 {
		t.Fatalf("the entry replaced is gone or not replaced: %+v", s)
	}
	var sum int64
	for _, e := range c.entries() {
		sum += e.size
	}
	if sum != c.cache.bytes || sum > 16<<10 {
		t.Errorf("%d bytes counted, %d summed, bound %d", c.cache.bytes, sum, 16<<10)
	}
	if c.cache.n > 16 {
		t.Errorf("%d slots for 16 entries: emptied ones are not reused", c.cache.n)
	}
}

// TestSmallEntriesBound: a cache full of the smallest entries (negative
// answers, as most of a sweep's are) holds no more heap than CacheBytes:
// the estimate of an entry covers the cache's own slot and index too.
func TestSmallEntriesBound(t *testing.T) {
	const bound = 4 << 20
	c, err := New(Config{Servers: []string{"127.0.0.1:9"}, CacheBytes: bound, CacheSize: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	zone := []string{"example."}
	before := heap()
	c.mu.Lock()
	for i := range 200_000 {
		k := qkey{fmt.Sprintf("_dmarc.d%06d.example.", i), dns.TypeTXT}
		st := &step{rcode: dns.RcodeNameError, zones: zone, negTTL: 300}
		e := centry{st: st, ans: wholeAnswer(k.name, k.qtype, st), expires: exp}
		e.ans.cache = c.self
		e.size = entrySize(k, e.st, e.ans)
		c.put(k, e)
	}
	n := c.cache.len()
	c.mu.Unlock()
	held := heap() - before
	runtime.KeepAlive(c)
	t.Logf("%d entries, %d bytes of heap (%d an entry), bound %d", n, held, held/int64(n), bound)
	if held > bound {
		t.Errorf("a cache of %d small entries holds %d bytes of heap, over its bound of %d", n, held, bound)
	}
}

// TestMemoKeptInFullCache: a cache that evicts one entry at a time stays
// full to its byte bound; a value kept with an answer asked again (a
// provider's records) makes room by evicting entries not used, as a
// larger replacement does, rather than never being kept.
func TestMemoKeptInFullCache(t *testing.T) {
	const bound = 80000
	c, err := New(Config{Servers: []string{"127.0.0.1:9"}, CacheBytes: bound})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	c.mu.Lock()
	for i := range 200 {
		c.put(qkey{fmt.Sprintf("n%d.example.", i), dns.TypeTXT}, centry{st: &step{}, expires: exp, size: 1000})
	}
	c.mu.Unlock()
	k := qkey{"hot.example.", dns.TypeTXT}
	a := putAnswer(c, k.name, exp)
	n := 0
	for range 3 {
		a.Memo("v", func() (any, int) { n++; return n, 2000 })
	}
	if n != 2 {
		t.Errorf("value built %d times, want 2: not kept in a full cache", n)
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	var sum int64
	for _, e := range c.entries() {
		sum += e.size
	}
	if sum != c.cache.bytes || sum > bound {
		t.Errorf("%d bytes counted, %d summed, bound %d", c.cache.bytes, sum, bound)
	}
	if c.cache.lookup(k) == nil {
		t.Error("the entry memoised was evicted")
	}
}

// TestCacheInvariants: under random stores, replacements, hits, expiries,
// removals and memo charges, the index and the slots agree, the free list
// holds the empty slots once each, the bytes counted are the entries' sum,
// and neither bound is passed.
func TestCacheInvariants(t *testing.T) {
	for seed := range 20 {
		r := rand.New(rand.NewPCG(uint64(seed), 1))
		limit := int64(800 + r.IntN(20000))
		c, err := New(Config{Servers: []string{"127.0.0.1:9"}, CacheSize: 1 + r.IntN(20), CacheBytes: limit})
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		cc := &c.cache
		c.mu.Lock()
		for range 3000 {
			k := qkey{fmt.Sprintf("n%d.example.", r.IntN(40)), 1}
			switch r.IntN(5) {
			case 0, 1:
				c.put(k, centry{st: &step{}, expires: now.Add(time.Duration(r.IntN(100)) * time.Second), size: int64(1 + r.IntN(int(limit)/7))})
			case 2:
				c.get(k, now.Add(time.Duration(r.IntN(100))*time.Second))
			case 3:
				cc.remove(k)
			case 4:
				if s := cc.lookup(k); s != nil {
					if n := int64(r.IntN(300)); s.e.size+n <= limit/8 {
						cc.grow(s, k, n)
						if cc.lookup(k) != s {
							t.Fatalf("seed %d: the entry grown was evicted", seed)
						}
					}
				}
			}
			full, sum := 0, int64(0)
			for i := range int32(cc.n) {
				s := cc.slot(i)
				if !s.full {
					continue
				}
				full++
				sum += s.e.size
				if j, ok := cc.idx[s.k]; !ok || j != i {
					t.Fatalf("seed %d: slot %d (%v) indexed at %d, %v", seed, i, s.k, j, ok)
				}
			}
			seen := map[int32]bool{}
			for _, f := range cc.free {
				if seen[f] || cc.slot(f).full {
					t.Fatalf("seed %d: free slot %d listed twice or full", seed, f)
				}
				seen[f] = true
			}
			if full != cc.len() || full+len(cc.free) != cc.n {
				t.Fatalf("seed %d: %d full slots, %d indexed, %d free, %d slots", seed, full, cc.len(), len(cc.free), cc.n)
			}
			if sum != cc.bytes || cc.bytes > cc.limit || cc.n > cc.max {
				t.Fatalf("seed %d: %d bytes counted, %d summed, bound %d; %d slots, bound %d", seed, cc.bytes, sum, cc.limit, cc.n, cc.max)
			}
		}
		c.mu.Unlock()
	}
}

// putAnswer caches an empty TXT answer for name, as finish does (an entry
// of 100 bytes holding the answer, which points back at c), and returns it.
func putAnswer(c *Client, name string, exp time.Time) *Answer {
	k := qkey{name, dns.TypeTXT}
	st := &step{}
	a := wholeAnswer(k.name, k.qtype, st)
	a.cache = c.self
	c.mu.Lock()
	c.put(k, centry{st: st, ans: a, expires: exp, size: 100})
	c.mu.Unlock()
	return a
}
