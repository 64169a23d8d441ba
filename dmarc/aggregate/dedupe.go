package aggregate

import (
	"bytes"
	"crypto/sha256"
	"slices"
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
// shares too: the contact email, the policy domain, the period, and its
// records (source, count, policy_evaluated, identifiers, auth_results)
// in any order, as a report generated anew from the receiver's store may
// order them. Two such systems' reports agree on the counts as often as
// not (a record of one message each): the records tell them apart. It is
// computed from the parsed report, with 16 bytes a record (MaxRecords
// bounds them) beside it.
func reportKey(rep *Report) [16]byte {
	var b []byte
	str := func(s string) {
		b = strconv.AppendInt(b, int64(len(s)), 10)
		b = append(b, ':')
		b = append(b, s...)
	}
	num := func(n int64) {
		b = strconv.AppendInt(b, n, 10)
		b = append(b, ';')
	}
	recs := make([][16]byte, len(rep.Records))
	for i := range rep.Records {
		r := &rep.Records[i]
		b = b[:0]
		str(r.SourceIP.String())
		num(r.Count)
		str(string(r.Evaluated.Disposition))
		str(string(r.Evaluated.DKIM))
		str(string(r.Evaluated.SPF))
		num(int64(len(r.Evaluated.Reasons)))
		for _, rs := range r.Evaluated.Reasons {
			str(string(rs.Type))
			str(rs.Comment)
		}
		str(r.Identifiers.HeaderFrom)
		str(r.Identifiers.EnvelopeFrom)
		str(r.Identifiers.EnvelopeTo)
		num(int64(len(r.DKIM)))
		for _, d := range r.DKIM {
			str(d.Domain)
			str(d.Selector)
			str(string(d.Result))
		}
		num(int64(len(r.SPF)))
		for _, sp := range r.SPF {
			str(sp.Domain)
			str(string(sp.Scope))
			str(string(sp.Result))
		}
		sum := sha256.Sum256(b)
		copy(recs[i][:], sum[:])
	}
	slices.SortFunc(recs, func(x, y [16]byte) int { return bytes.Compare(x[:], y[:]) })

	h := sha256.New()
	b = b[:0]
	str(strings.ToLower(strings.TrimSpace(rep.OrgName)))
	str(strings.TrimSpace(rep.ReportID))
	str(strings.ToLower(rep.Email))
	str(rep.Policy.Domain)
	num(rep.DateRange.Begin.Unix())
	num(rep.DateRange.End.Unix())
	num(int64(len(recs)))
	h.Write(b)
	for _, r := range recs {
		h.Write(r[:])
	}
	var key [16]byte
	copy(key[:], h.Sum(nil))
	return key
}
