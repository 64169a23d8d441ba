package main

import (
	"fmt"
	"os"

	"github.com/domainlint/domainlint/records"
)

// readDKIMConfig reads -dkim-config once per run. The read is bounded
// (records.MaxGraphSize, 16 MiB: a larger file, or /dev/zero, is refused
// after that much, never read whole first), and the parsed config keeps
// only each domain's two targets, so a sweep of many domains shares one
// small copy instead of parsing the file again per domain.
func readDKIMConfig(path string) (*records.DKIMSigningConfig, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	c, err := records.ReadDKIMSigningConfig(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}
