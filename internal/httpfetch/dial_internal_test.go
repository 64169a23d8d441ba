package httpfetch

import (
	"context"
	"errors"
	"net"
	"testing"
)

// TestDialerChecksDialledAddress: the guard is on the socket too: the
// dialer a fetch uses refuses a non-global address it is asked to
// connect to, whatever check came before, and lets it through only with
// AllowPrivate.
func TestDialerChecksDialledAddress(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()
	addr := l.Addr().String()
	if c, err := (Options{}).dialer().DialContext(context.Background(), "tcp", addr); err == nil || !errors.Is(err, ErrNotGlobal) {
		if c != nil {
			c.Close()
		}
		t.Errorf("dialling %s: %v; want it refused", addr, err)
	}
	c, err := (Options{AllowPrivate: true}).dialer().DialContext(context.Background(), "tcp", addr)
	if err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
	c.Close()
}
