package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestSignalEndsBlockedRun: a run blocked where no context reaches
// (opening a FIFO given as -replay: it waits for a writer) ends at a
// second SIGTERM, or stopGrace after the first; before, the first was
// caught for a graceful stop and only SIGKILL ended it.
func TestSignalEndsBlockedRun(t *testing.T) {
	if testing.Short() {
		t.Skip("-short: builds the command")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "domainlint")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name    string
		signals int
		bound   time.Duration // from the first signal
	}{
		{"second signal", 2, 2 * time.Second},
		{"one signal", 1, stopGrace + 2*time.Second},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, "-zone", "testdata/good.example.zone", "-replay", fifo)
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			ended := make(chan error, 1)
			go func() { ended <- cmd.Wait() }()
			time.Sleep(500 * time.Millisecond) // blocked opening the FIFO by now
			start := time.Now()
			for i := range tc.signals {
				if i > 0 {
					time.Sleep(100 * time.Millisecond)
				}
				cmd.Process.Signal(syscall.SIGTERM)
			}
			select {
			case err := <-ended:
				t.Logf("ended %v after the first signal: %v; %s", time.Since(start).Round(time.Millisecond), err, bytes.TrimSpace(stderr.Bytes()))
				if ee, ok := err.(*exec.ExitError); !ok || ee.ExitCode() != 128+int(syscall.SIGTERM) {
					t.Errorf("exit %v, want %d", err, 128+int(syscall.SIGTERM))
				}
			case <-time.After(tc.bound):
				cmd.Process.Kill()
				<-ended
				t.Errorf("still running %v after SIGTERM", tc.bound)
			}
		})
	}
}
