package aggregate

import (
	"crypto/sha256"
	"strconv"
	"strings"
)

// dedupe is the set of reports seen in one read, each hashed to 16
// bytes (reportKey): at most max keys, the oldest forgotten first. A full
// set holds about 40 bytes a key (10 MiB at the default
// DefaultMaxDedupe).
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
func (d *dedupe) add(rep *Report) bool {
	key := reportKey(rep)
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

// reportKey identifies a report: org_name (any case) and report_id, and,
// because report_id is not unique everywhere (one organization's mail
// systems have sent different reports under one org_name with the same
// report_id: a domain and the period), what a copy of the same report
// shares too: the contact email, the policy domain, the period, and the
// number of records and of messages.
func reportKey(rep *Report) [16]byte {
	h := sha256.New()
	for _, s := range []string{strings.ToLower(strings.TrimSpace(rep.OrgName)), strings.TrimSpace(rep.ReportID),
		strings.ToLower(rep.Email), rep.Policy.Domain} {
		h.Write([]byte(s))
		h.Write([]byte{0})
	}
	var b []byte
	b = strconv.AppendInt(b, rep.DateRange.Begin.Unix(), 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, rep.DateRange.End.Unix(), 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, int64(len(rep.Records)), 10)
	b = append(b, 0)
	b = strconv.AppendInt(b, rep.Messages(), 10)
	h.Write(b)
	var key [16]byte
	copy(key[:], h.Sum(nil))
	return key
}
