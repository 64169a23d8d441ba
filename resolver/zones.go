package resolver

import (
	"context"
	"fmt"
	"slices"

	"github.com/domainlint/domainlint/internal/zonedb"
	"github.com/miekg/dns"
)

// ZoneSource is one RFC 1035 master file for NewZones.
type ZoneSource struct {
	// Origin is the zone apex, e.g. "contoso.com". Empty: the owner of the
	// file's SOA record.
	Origin string
	// File is read when Text is empty, and names the source in errors.
	File string
	// Text is the master file's content.
	Text string
	// AllowInclude permits $INCLUDE directives, relative to File's folder.
	// They are refused by default: a zone file from elsewhere must not read
	// local files.
	AllowInclude bool
}

// Zones answers questions from master files, with the semantics of the
// zones' authoritative servers: NXDOMAIN versus NODATA, empty non-terminals,
// wildcards, and CNAME chains followed across all loaded zones. A name that
// no loaded zone holds fails with ErrOutOfZone (and ErrTemporary), as a real
// authoritative server's REFUSED would. Zones is safe for concurrent use.
type Zones struct {
	db      *zonedb.DB
	maxHops int
	origins []string
}

// NewZones loads the master files. Syntax errors name the file and line.
func NewZones(srcs ...ZoneSource) (*Zones, error) {
	zs := make([]zonedb.Source, len(srcs))
	for i, s := range srcs {
		zs[i] = zonedb.Source{Origin: s.Origin, File: s.File, AllowInclude: s.AllowInclude}
		if s.Text != "" {
			zs[i].Text = []byte(s.Text)
		} else if s.File == "" {
			return nil, fmt.Errorf("resolver: zone source %d has neither File nor Text", i)
		}
	}
	db, err := zonedb.Load(zs...)
	if err != nil {
		return nil, fmt.Errorf("resolver: %w", err)
	}
	z := &Zones{db: db, maxHops: DefaultMaxCNAMEHops}
	for _, zone := range db.Zones() {
		z.origins = append(z.origins, zone.Origin)
	}
	// In the order the sources were given.
	slices.SortStableFunc(z.origins, func(a, b string) int { return db.Index(a) - db.Index(b) })
	return z, nil
}

// Origins returns the loaded zones' apexes (FQDNs), in the order the
// sources were given.
func (z *Zones) Origins() []string { return slices.Clone(z.origins) }

// Lookup answers from the loaded zones. It never touches the network.
func (z *Zones) Lookup(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	cname, err := CanonicalName(name)
	if err != nil {
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	return chase(ctx, cname, qtype, z.maxHops, z.step)
}

func (z *Zones) step(ctx context.Context, name string, qtype uint16) (*step, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	resp, ok := z.db.Query(name, qtype)
	if !ok {
		return nil, &Error{Name: name, Type: qtype, Rcode: dns.RcodeRefused, Err: ErrOutOfZone}
	}
	return &step{rcode: resp.Rcode, answer: resp.Answer, ns: resp.Ns}, nil
}

// Holds reports whether a loaded zone holds name (at or below its apex).
func (z *Zones) Holds(name string) bool {
	return z.db.Find(name) != nil
}
