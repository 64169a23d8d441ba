//go:build unix

package main

import (
	"context"
	"errors"
	"os"
	"syscall"
	"time"
)

// lockFile takes an exclusive flock on f, waiting at most wait (or until
// ctx is done) for another holder to let go.
func lockFile(ctx context.Context, f *os.File, wait time.Duration) error {
	sc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	deadline := time.Now().Add(wait)
	for {
		var lerr error
		if err := sc.Control(func(fd uintptr) { lerr = syscall.Flock(int(fd), syscall.LOCK_EX|syscall.LOCK_NB) }); err != nil {
			return err
		}
		switch {
		case lerr == nil:
			return nil
		case !errors.Is(lerr, syscall.EWOULDBLOCK) && !errors.Is(lerr, syscall.EINTR):
			return lerr
		case time.Now().After(deadline):
			return errResumeLocked
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
}

func unlockFile(f *os.File) {
	if sc, err := f.SyscallConn(); err == nil {
		sc.Control(func(fd uintptr) { syscall.Flock(int(fd), syscall.LOCK_UN) })
	}
}
