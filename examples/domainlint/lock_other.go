//go:build !unix

package main

import (
	"context"
	"os"
	"time"
)

// lockFile does nothing where flock is not available: workers sharing a
// -resume file there must not run at once.
func lockFile(context.Context, *os.File, time.Duration) error { return nil }

func unlockFile(*os.File) {}
