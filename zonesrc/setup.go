package zonesrc

import (
	"os"

	"github.com/domainlint/domainlint/resolver"
)

// Config says how Load reads the sources and what answers names outside
// them. The zero Config reads each source as its name and content tell,
// and answers nothing outside the files (offline).
type Config struct {
	// Format is the sources' format when it cannot be told from their
	// names and content (see Open); empty: told.
	Format Format
	// Domain is the domain to be checked: the first source is read
	// relative to it when it sets no $ORIGIN, as its server reads it, and
	// its zone comes first.
	Domain string
	// IncludeRoot is the folder $INCLUDE may read files under; empty:
	// each zone file's own folder.
	IncludeRoot string
	// Snapshot, when set, is a snapshot file (written by `domainlint
	// -snapshot`, read by resolver.ReadSnapshot) that answers names
	// outside the sources, offline; names it does not hold are not
	// verified. It takes the place of Outside.
	Snapshot string
	// Outside answers names outside the sources when there is no
	// Snapshot: a live resolver.Client (the rest of the world as it is),
	// a resolver.Recorder to write a snapshot; nil: nothing is asked.
	Outside resolver.Resolver
}

// Set is the sources of a check loaded as their servers load them, and
// the resolver that answers from them.
type Set struct {
	// Sources are the zone sources loaded (see Sources), the zone of
	// Config.Domain first; Loaded the zones read from DNS-as-code
	// sources, with where their records came from.
	Sources []resolver.ZoneSource
	Loaded  []*Loaded
	// Zones answers from the sources, and asks Outside for every name
	// outside them.
	Zones *resolver.Zones
	// Outside is what answers names outside the sources: the snapshot,
	// Config.Outside, or nil (offline).
	Outside resolver.Resolver
}

// Load reads the sources at paths (zone files, DNS-as-code sources; see
// Sources) and returns the resolver a check of them answers from: the
// files, then the snapshot or Config.Outside for names outside them. It
// is the setup of the domainlint command's -zone, -offline and -replay,
// and of package check/checktest. Errors are the sources' or the
// snapshot's, as they come.
func Load(paths []string, cfg Config) (*Set, error) {
	srcs, loaded, err := Sources(paths, cfg.Format, cfg.Domain, cfg.IncludeRoot)
	if err != nil {
		return nil, err
	}
	zones, err := resolver.NewZones(srcs...)
	if err != nil {
		return nil, err
	}
	outside := cfg.Outside
	if cfg.Snapshot != "" {
		f, err := os.Open(cfg.Snapshot)
		if err != nil {
			return nil, err
		}
		snap, err := resolver.ReadSnapshot(f, cfg.Snapshot)
		f.Close()
		if err != nil {
			return nil, err
		}
		outside = snap
	}
	if outside != nil {
		zones = zones.WithFallback(outside)
	}
	return &Set{Sources: srcs, Loaded: loaded, Zones: zones, Outside: outside}, nil
}
