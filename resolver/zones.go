package resolver

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/domainlint/domainlint/internal/zonedb"
	"github.com/miekg/dns"
)

// ZoneSource is one RFC 1035 master file for NewZones.
type ZoneSource struct {
	// Origin is the zone apex as the server's configuration names it
	// (BIND's zone statement, `kzonecheck -o`), e.g. "contoso.com". Empty:
	// see Domain.
	Origin string
	// Domain is the domain the file is loaded to check, for a file whose
	// origin is not configured (the usual case: a file with no $ORIGIN,
	// whose server takes the origin from its configuration). The apex is
	// the owner of the file's SOA when written absolute at or above
	// Domain, else Domain itself; relative names are relative to it. With
	// neither Origin nor Domain, the apex is the SOA's owner, and a file
	// whose SOA is written relative (@) with no $ORIGIN is an error.
	Domain string
	// File is read when Text is empty, and names the source in errors.
	File string
	// Text is the master file's content.
	Text string
	// AllowInclude permits $INCLUDE directives of regular files under
	// IncludeRoot (links resolved: none leads out of it). They are
	// refused by default: a zone file from elsewhere must not read local
	// files.
	AllowInclude bool
	// IncludeRoot is the folder $INCLUDE may read under; empty: File's
	// folder.
	IncludeRoot string
	// AnyNames accepts names with characters servers refuse unescaped in
	// a master file (Knot: "invalid domain name character"), such as ':'
	// in a test suite's names. Off, such a name (often a placeholder left
	// in: REPLACE&ME@NAMESERVER) fails the load, as it fails the server's.
	AnyNames bool
	// Unknown are records the source writes but whose data it does not
	// tell ("owner TYPE": a Terraform value that is a variable): asked,
	// they are not verified (ErrUnverified), never missing.
	Unknown []string
}

// ZoneError is a zone file that could not be loaded: the file, the line
// where the construct that failed starts, and why.
type ZoneError = zonedb.Error

// ZoneProblem is something a server refuses or ignores in a zone that
// loaded: a CNAME beside other data, no SOA or NS at the apex, a record
// outside the zone (ignored), a TXT string over 255 octets or an apex NS
// record whose in-zone server has no address (BIND refuses the zone), a
// byte order mark (BIND and Knot refuse it). Kind is
// "cname-and-other-data", "missing-soa", "missing-ns", "out-of-zone",
// "txt-string-too-long", "ns-no-address" or "byte-order-mark".
type ZoneProblem = zonedb.Problem

// Zones answers questions from master files, with the semantics of the
// zones' authoritative servers: NXDOMAIN versus NODATA, empty non-terminals,
// wildcards, and CNAME chains followed across all loaded zones.
//
// A name that no loaded zone holds (a provider's SPF include, the tenant a
// DKIM selector points into, _dmarc.com on the DMARC tree walk) is asked of
// the fallback set with WithFallback. By default there is none: the lookup
// fails with ErrUnverified, an outcome of its own that checks report as "not
// verified offline". Zones is safe for concurrent use.
type Zones struct {
	db       *zonedb.DB
	problems []ZoneProblem
	maxHops  int
	origins  []string
	fallback Resolver            // nil: ErrUnverified
	comments map[string][]string // owner → comments beside its records
}

// NewZones loads the master files. Syntax errors name the file and line.
func NewZones(srcs ...ZoneSource) (*Zones, error) {
	zs := make([]zonedb.Source, len(srcs))
	for i, s := range srcs {
		zs[i] = zonedb.Source{Origin: s.Origin, Domain: s.Domain, File: s.File, AllowInclude: s.AllowInclude, IncludeRoot: s.IncludeRoot, AnyNames: s.AnyNames, Unknown: s.Unknown}
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
	z := &Zones{db: db, maxHops: DefaultMaxCNAMEHops, comments: map[string][]string{}}
	for _, zone := range db.Zones() {
		z.origins = append(z.origins, zone.Origin)
		z.problems = append(z.problems, zone.Problems...)
		for _, e := range zone.Entries {
			if e.Comment != "" {
				owner := canonicalOwner(e.RR.Header().Name)
				z.comments[owner] = append(z.comments[owner], strings.TrimSpace(strings.TrimPrefix(e.Comment, ";")))
			}
		}
	}
	// In the order the sources were given.
	slices.SortStableFunc(z.origins, func(a, b string) int { return db.Index(a) - db.Index(b) })
	slices.SortStableFunc(z.problems, func(a, b ZoneProblem) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	return z, nil
}

// Problems returns what the zones' servers would refuse or ignore, by
// file and line: a zone with a CNAME beside other data or no SOA at its
// apex does not load, and records outside a zone are ignored (and are not
// answered here either).
func (z *Zones) Problems() []ZoneProblem { return slices.Clone(z.problems) }

// Owners returns the names the zone files hold records at that end in
// suffix (lowercase FQDNs, sorted), suffix itself and wildcards left out:
// the DKIM selectors a zone publishes are Owners("_domainkey.example.org").
func (z *Zones) Owners(suffix string) []string {
	suffix = canonicalOwner(suffix)
	zone := z.db.Find(suffix)
	if zone == nil {
		return nil
	}
	var out []string
	for _, e := range zone.Entries {
		n := e.RR.Header().Name
		if e.OutOfZone || n == suffix || !dns.IsSubDomain(suffix, n) || strings.HasPrefix(n, "*.") {
			continue
		}
		out = append(out, n)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// Origins returns the loaded zones' apexes (FQDNs), in the order the
// sources were given.
func (z *Zones) Origins() []string { return slices.Clone(z.origins) }

// ZoneFiles is what a resolver answering from zone files can tell beyond
// answers: which names the files hold, the records written at a name, and
// the comments beside them. check.Domain uses it for what only a file can
// get wrong (a CNAME beside other data), for `; ignore "rule-id"` waivers,
// and to tell a zone file's answers from a live, unvalidated one. *Zones
// implements it; a resolver that wraps one passes it on by implementing
// it too, or names it in check.Options.ZoneFiles.
type ZoneFiles interface {
	// Holds reports whether the files hold name (at or below an apex).
	Holds(name string) bool
	// Owned returns the records at name itself, none followed.
	Owned(name string) []dns.RR
	// Comments returns the comments beside the records at name.
	Comments(name string) []string
	// Problems returns what the files' servers would refuse or ignore.
	Problems() []ZoneProblem
	// Owners returns the names the files hold records at below suffix.
	Owners(suffix string) []string
	// Zone returns the apex of the loaded zone that holds name ("" for
	// none).
	Zone(name string) string
}

var _ ZoneFiles = (*Zones)(nil)

// WithFallback returns a Zones over the same files that asks r for every
// name outside them: a live Client (the rest of the world as it is), a
// Snapshot, Offline() (the default) or Refused(). A CNAME that leaves the
// files is followed through r.
func (z *Zones) WithFallback(r Resolver) *Zones {
	c := *z
	c.fallback = r
	return &c
}

// Lookup answers from the loaded zones, and asks the fallback for names
// outside them. Without a fallback it never touches the network.
func (z *Zones) Lookup(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	cname, err := CanonicalName(name)
	if err != nil {
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	var chain []*dns.CNAME // the CNAMEs followed, for an error past them
	a, err := chase(ctx, cname, qtype, z.maxHops, func(ctx context.Context, name string, qtype uint16) (*step, error) {
		st, err := z.step(ctx, name, qtype)
		if err == nil && qtype != dns.TypeCNAME {
			for cur := name; ; {
				c := findCNAME(st.answer, cur)
				if c == nil || len(chain) > z.maxHops {
					break
				}
				chain = append(chain, c)
				cur = strings.ToLower(c.Target)
			}
		}
		return st, err
	})
	var e *Error
	if err != nil && len(chain) > 0 && errors.As(err, &e) && e.Chain == nil {
		c := *e
		c.Chain = chain
		return nil, &c
	}
	return a, err
}

func (z *Zones) step(ctx context.Context, name string, qtype uint16) (*step, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	resp, ok := z.db.Query(name, qtype)
	if ok {
		st := &step{rcode: resp.Rcode, answer: resp.Answer}
		st.setAuthority(resp.Ns)
		return st, nil
	}
	if z.db.Unknown(name, qtype) {
		// The source writes it but does not tell its data: not asked of
		// live DNS either (that is the record deployed, not the proposal).
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: ErrUnverified}
	}
	if z.fallback == nil {
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: ErrUnverified}
	}
	a, err := z.fallback.Lookup(ctx, name, qtype)
	var chain []*dns.CNAME
	var e *Error
	switch {
	case err == nil:
		chain = a.Chain
	case errors.As(err, &e):
		chain = e.Chain
	}
	// Names the files hold are answered from the files, whatever the
	// fallback says of them: a chain from an outside name that leads back
	// into a loaded zone is cut where it enters it, and chase asks the
	// files from there.
	for i, c := range chain {
		if z.db.Find(c.Target) != nil {
			st := &step{rcode: dns.RcodeSuccess, ad: err == nil && a.AD}
			for _, c := range chain[:i+1] {
				st.answer = append(st.answer, c)
			}
			return st, nil
		}
	}
	if err != nil {
		return nil, err
	}
	return answerStep(a), nil
}

// answerStep turns another resolver's whole answer back into one step:
// its CNAMEs, then its records; a negative answer carries an SOA for the
// end of the chain, so chase takes it as final rather than asking again.
func answerStep(a *Answer) *step {
	st := &step{rcode: a.Rcode, ad: a.AD}
	st.answer = make([]dns.RR, 0, len(a.Chain)+len(a.Records))
	for _, c := range a.Chain {
		st.answer = append(st.answer, c)
	}
	st.answer = append(st.answer, a.Records...)
	if len(a.Records) == 0 {
		end := dns.Fqdn(a.Target())
		st.zones = []string{strings.ToLower(end)}
	}
	return st
}

// offline is the fallback that asks nothing.
type offline struct{}

func (offline) Lookup(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: ErrUnverified}
}

// Offline returns the Resolver that asks nothing: every lookup fails with
// ErrUnverified. It is what Zones and Snapshot do without a fallback.
func Offline() Resolver { return offline{} }

// refused is the fallback of a bare authoritative server.
type refused struct{}

func (refused) Lookup(ctx context.Context, name string, qtype uint16) (*Answer, error) {
	if err := ctx.Err(); err != nil {
		return nil, &Error{Name: name, Type: qtype, Rcode: -1, Err: err}
	}
	return nil, &Error{Name: name, Type: qtype, Rcode: dns.RcodeRefused, Err: ErrOutOfZone}
}

// Refused returns the Resolver that answers every name as an authoritative
// server answers one outside its zones: REFUSED, ErrOutOfZone (a temporary
// error). Give it to Zones.WithFallback to see what a check does against
// such a server.
func Refused() Resolver { return refused{} }

// Zone returns the apex (FQDN) of the loaded zone that holds name, or "".
func (z *Zones) Zone(name string) string {
	if zone := z.db.Find(name); zone != nil {
		return zone.Origin
	}
	return ""
}

// Holds reports whether a loaded zone holds name (at or below its apex).
func (z *Zones) Holds(name string) bool {
	return z.db.Holds(name)
}

// Comments returns the comments written beside the records at name in
// the zone files (without the ";"), in file order: what a zone says about
// its own records, such as a checker's waivers.
func (z *Zones) Comments(name string) []string {
	return z.comments[canonicalOwner(name)]
}

// Owned returns the records the zone files hold at name itself, of every
// type, with no CNAME followed; nil for a name outside them or that does
// not exist. It answers what only a zone file can get wrong, such as a
// CNAME beside other data (RFC 1034 §3.6.2), which servers refuse to load.
func (z *Zones) Owned(name string) []dns.RR {
	owner := canonicalOwner(name)
	resp, ok := z.db.Query(owner, dns.TypeANY)
	if !ok || resp.Rcode != dns.RcodeSuccess {
		return nil
	}
	var out []dns.RR
	for _, rr := range resp.Answer {
		if strings.EqualFold(rr.Header().Name, owner) {
			out = append(out, rr)
		}
	}
	return out
}
