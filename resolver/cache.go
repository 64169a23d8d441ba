package resolver

import "math"

// cache holds answers by question, bounded in entries and in estimated
// bytes, and evicts by CLOCK (second chance): the entries sit in a ring
// of slots; a hit marks its entry used; to make room, a hand goes round
// the ring, clears the mark of a used entry and evicts the first one not
// used since the hand last passed. What a sweep keeps asking (a provider's
// records) stays; an entry never asked again leaves in the order it came.
//
// A cache that dropped half its entries at once (two generations, the
// older dropped when the newer filled) held between half and all of its
// bound, and each drop that fell during a garbage collection's marking
// was counted live once more: the heap's peak grew with the number of
// drops a sweep made, so with its length. This one stays full and evicts
// one entry at a time. All its methods are called with Client.mu held.
type cache struct {
	idx map[qkey]int32 // slot of each question
	// The slots, in chunks of chunkSlots: past the first, the ring grows
	// a chunk at a time, never copied, and holds at most a chunk more
	// than its entries.
	chunks [][]cslot
	n      int     // slots in use or freed: the ring's length
	free   []int32 // empty slots below n
	hand   int
	// removed counts removals since idx was last built: a map that is
	// deleted from and added to for ever fills with tombstones and grows
	// (Go's maps do not shrink), so idx is built anew after as many
	// removals as the cache holds entries: O(1) a removal.
	removed int
	bytes   int64 // the sum of the entries' sizes
	max     int   // entries
	limit   int64 // bytes
}

// chunkSlots is the number of slots allocated at once.
const chunkSlots = 1024

type cslot struct {
	k    qkey
	e    centry
	used bool // asked since the hand last passed
	full bool // holds an entry
}

func newCache(entries int, bytes int64) cache {
	return cache{idx: map[qkey]int32{}, max: min(max(entries, 1), math.MaxInt32), limit: bytes}
}

// len is the number of entries.
func (c *cache) len() int { return len(c.idx) }

// lookup returns the slot of k, or nil.
func (c *cache) lookup(k qkey) *cslot {
	i, ok := c.idx[k]
	if !ok {
		return nil
	}
	return c.slot(i)
}

func (c *cache) slot(i int32) *cslot { return &c.chunks[i/chunkSlots][i%chunkSlots] }

// remove empties the slot of k, if any.
func (c *cache) remove(k qkey) {
	i, ok := c.idx[k]
	if !ok {
		return
	}
	s := c.slot(i)
	c.bytes -= s.e.size
	*s = cslot{}
	delete(c.idx, k)
	c.free = append(c.free, i)
	if c.removed++; c.removed >= max(len(c.idx), 64) {
		idx := make(map[qkey]int32, len(c.idx))
		for k, i := range c.idx {
			idx[k] = i
		}
		c.idx, c.removed = idx, 0
	}
}

// put stores e for k, replacing what k held, and evicts what it must for
// the bounds to hold. An entry estimated above an eighth of the byte
// bound is not stored.
func (c *cache) put(k qkey, e centry) {
	if e.size > c.limit/8 {
		c.remove(k)
		return
	}
	if s := c.lookup(k); s != nil {
		c.bytes += e.size - s.e.size
		s.e = e
		for c.bytes > c.limit {
			c.evict(k)
		}
		return
	}
	for len(c.idx) > 0 && (len(c.idx) >= c.max || c.bytes+e.size > c.limit) {
		c.evict(qkey{})
	}
	var i int32
	if n := len(c.free); n > 0 {
		i = c.free[n-1]
		c.free = c.free[:n-1]
	} else {
		switch {
		case c.n < chunkSlots:
			// The first chunk grows as a slice: a Client that caches a
			// few answers (one per domain checked) does not take a
			// whole chunk.
			if c.n == 0 {
				c.chunks = append(c.chunks, nil)
			}
			c.chunks[0] = append(c.chunks[0], cslot{})
		case c.n%chunkSlots == 0:
			c.chunks = append(c.chunks, make([]cslot, chunkSlots))
		}
		i = int32(c.n)
		c.n++
	}
	*c.slot(i) = cslot{k: k, e: e, full: true}
	c.idx[k] = i
	c.bytes += e.size
}

// grow charges n more bytes to the entry of s (k's), and evicts other
// entries for the byte bound to hold, as put does for a larger
// replacement: a cache that stays full has no room otherwise. The
// caller keeps the entry within an eighth of the bound, so that k's is
// never the one evicted.
func (c *cache) grow(s *cslot, k qkey, n int64) {
	s.e.size += n
	c.bytes += n
	for c.bytes > c.limit {
		c.evict(k)
	}
}

// evict removes one entry, never keep's (unless it is the only one): the
// first one the hand finds that was not used since it last passed.
func (c *cache) evict(keep qkey) {
	// Two turns at most: the first clears every mark.
	for range 2*c.n + 1 {
		if c.hand >= c.n {
			c.hand = 0
		}
		s := c.slot(int32(c.hand))
		c.hand++
		switch {
		case !s.full:
		case s.used:
			s.used = false
		case s.k == keep && len(c.idx) > 1:
		default:
			c.remove(s.k)
			return
		}
	}
}
