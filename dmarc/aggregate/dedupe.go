package aggregate

import (
	"crypto/sha256"
	"strings"
)

// dedupe is the set of reports seen in one read, by org_name (any case)
// and report_id, each hashed to 16 bytes: at most max keys, the oldest
// forgotten first. A full set holds about 40 bytes a key (10 MiB at the
// default DefaultMaxDedupe).
type dedupe struct {
	max  int
	set  map[[16]byte]struct{}
	ring [][16]byte
	next int
}

func newDedupe(max int) *dedupe {
	return &dedupe{max: max, set: make(map[[16]byte]struct{})}
}

// add records a report and reports whether it was already seen.
func (d *dedupe) add(org, id string) bool {
	h := sha256.New()
	h.Write([]byte(strings.ToLower(strings.TrimSpace(org))))
	h.Write([]byte{0})
	h.Write([]byte(strings.TrimSpace(id)))
	var key [16]byte
	copy(key[:], h.Sum(nil))
	if _, ok := d.set[key]; ok {
		return true
	}
	if len(d.ring) < d.max {
		d.ring = append(d.ring, key)
	} else {
		delete(d.set, d.ring[d.next])
		d.ring[d.next] = key
		d.next = (d.next + 1) % d.max
	}
	d.set[key] = struct{}{}
	return false
}
