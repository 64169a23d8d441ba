package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/domainlint/domainlint/resolver"
)

// scannerOptions are the flags for sweeps that must be polite and
// predictable: the resolver's limits, and the version.
type scannerOptions struct {
	version    bool
	rate       float64
	tries      int
	tryTimeout time.Duration
	inflight   int
}

// addScannerFlags declares them.
func (o *options) addScannerFlags(fs *flag.FlagSet) {
	fs.BoolVar(&o.version, "version", false, "print the tool's version and the report schema's, and exit; also: domainlint version")
	fs.Float64Var(&o.rate, "rate", 0, "queries a second sent to each DNS server, at most (0: no limit)")
	fs.IntVar(&o.tries, "tries", 2, "times a DNS question is sent before it fails")
	fs.DurationVar(&o.tryTimeout, "try-timeout", 2*time.Second, "time allowed per DNS try")
	fs.IntVar(&o.inflight, "inflight", 64, "DNS queries awaiting an answer at once, at most")
}

// validateScanner checks their values.
func (o *options) validateScanner() error {
	switch {
	case o.rate < 0:
		return errors.New("-rate must be 0 (no limit) or more")
	case o.tries < 1:
		return errors.New("-tries must be at least 1")
	case o.tryTimeout <= 0:
		return errors.New("-try-timeout must be more than 0")
	case o.inflight < 1:
		return errors.New("-inflight must be at least 1")
	}
	return nil
}

// resolverConfig is the live clients' configuration (servers aside).
func (o *options) resolverConfig() resolver.Config {
	return resolver.Config{Rate: o.rate, Tries: o.tries, Timeout: o.tryTimeout, MaxInFlight: o.inflight}
}

// parseArgs parses the command line. A first argument "rules" or
// "version" (before or after the flags) is that command, never a domain
// to lint (a domain of that name is written with its trailing dot).
// Flags may follow the domains too: no domain starts with "-", so
// `domainlint -zone f example.org -offline` is read as meant, never as a
// domain named "-offline" checked live. Help (-h) goes to stdout and
// exits 0; a usage error goes to stderr. done is set when the run ends
// here, with code; domains are the arguments that are not flags.
func parseArgs(fs *flag.FlagSet, args []string, stdout, stderr io.Writer) (cmd string, domains []string, code int, done bool) {
	if len(args) > 0 && isCommand(args[0]) {
		cmd, args = args[0], args[1:]
	}
	var usage bytes.Buffer
	fs.SetOutput(&usage)
	err := fs.Parse(args)
	fs.SetOutput(stderr)
	if errors.Is(err, flag.ErrHelp) {
		stdout.Write(usage.Bytes())
		return "", nil, exitOK, true
	}
	stderr.Write(usage.Bytes())
	if err != nil {
		return "", nil, exitFailure, true
	}
	if cmd == "" && fs.NArg() > 0 && isCommand(fs.Arg(0)) {
		cmd = fs.Arg(0)
		if err := fs.Parse(fs.Args()[1:]); err != nil { // flags after the command
			return "", nil, exitFailure, true
		}
	}
	if cmd != "" && fs.NArg() > 0 {
		fmt.Fprintf(stderr, "domainlint: %s takes no domain (a domain named %s is written %s.)\n", cmd, cmd, cmd)
		return "", nil, exitFailure, true
	}
	for rest := fs.Args(); len(rest) > 0; rest = fs.Args() {
		i := slices.IndexFunc(rest, func(a string) bool { return len(a) > 1 && a[0] == '-' })
		if i < 0 {
			domains = append(domains, rest...)
			break
		}
		domains = append(domains, rest[:i]...)
		fs.SetOutput(&usage)
		err := fs.Parse(rest[i:])
		fs.SetOutput(stderr)
		if err != nil {
			if errors.Is(err, flag.ErrHelp) {
				stdout.Write(usage.Bytes())
				return "", nil, exitOK, true
			}
			stderr.Write(usage.Bytes())
			return "", nil, exitFailure, true
		}
		if rest[i] == "--" {
			domains = append(domains, fs.Args()...) // after --, names only
			break
		}
	}
	return cmd, domains, exitOK, false
}

func isCommand(arg string) bool { return arg == "rules" || arg == "version" }
