package httpfetch_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/domainlint/domainlint/internal/httpfetch"
	"github.com/domainlint/domainlint/internal/httpfetch/httpfetchtest"
	"github.com/domainlint/domainlint/resolver"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const zone = `
@        IN SOA ns hostmaster 1 3600 600 86400 300
ok       IN A    127.0.0.1
big      IN A    127.0.0.1
moved    IN A    127.0.0.1
gone     IN A    127.0.0.1
slow     IN A    127.0.0.1
other    IN A    127.0.0.1
alias    IN CNAME ok
away     IN CNAME host.elsewhere.invalid.
txtonly  IN TXT  "no address"
`

func TestGet(t *testing.T) {
	srv := httpfetchtest.New(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch strings.SplitN(r.Host, ".", 2)[0] {
		case "ok", "alias":
			w.Header().Set("Content-Type", "text/plain")
			w.Write([]byte("hello"))
		case "big":
			w.Write([]byte(strings.Repeat("x", 2000)))
		case "moved":
			http.Redirect(w, r, "https://elsewhere.example/", http.StatusFound)
		case "gone":
			http.NotFound(w, r)
		case "slow":
			// Headers and a little of the body, then nothing for longer
			// than the client waits.
			w.Write([]byte("partial"))
			w.(http.Flusher).Flush()
			time.Sleep(600 * time.Millisecond)
		}
	}), "ok.fetch.test", "big.fetch.test", "moved.fetch.test", "gone.fetch.test", "slow.fetch.test", "alias.fetch.test")
	zones, err := resolver.NewZones(resolver.ZoneSource{Origin: "fetch.test", Text: zone})
	if err != nil {
		t.Fatal(err)
	}
	// A port nothing listens on.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closedPort := l.Addr().(*net.TCPAddr).Port
	l.Close()

	opts := httpfetch.Options{Port: srv.Port, Roots: srv.Roots, AllowPrivate: true, Timeout: 2 * time.Second, MaxBytes: 1000}
	for _, tc := range []struct {
		url    string
		opts   func(o *httpfetch.Options)
		reason httpfetch.Reason // 0: success
	}{
		{url: "https://ok.fetch.test/.well-known/mta-sts.txt"},
		{url: "https://alias.fetch.test/x"},
		{url: "http://ok.fetch.test/", reason: httpfetch.BadURL},
		{url: "https://user@ok.fetch.test/", reason: httpfetch.BadURL},
		{url: "https://big.fetch.test/", reason: httpfetch.TooLarge},
		{url: "https://moved.fetch.test/", reason: httpfetch.Redirect},
		{url: "https://gone.fetch.test/", reason: httpfetch.Status},
		{url: "https://slow.fetch.test/", opts: func(o *httpfetch.Options) { o.Timeout = 200 * time.Millisecond }, reason: httpfetch.Timeout},
		{url: "https://other.fetch.test/", reason: httpfetch.Certificate},
		{url: "https://ok.fetch.test/", opts: func(o *httpfetch.Options) { o.Roots = nil }, reason: httpfetch.Certificate},
		{url: "https://missing.fetch.test/", reason: httpfetch.DNS},
		{url: "https://txtonly.fetch.test/", reason: httpfetch.DNS},
		{url: "https://away.fetch.test/", reason: httpfetch.Unverified},
		{url: "https://outside.example/", reason: httpfetch.Unverified},
		{url: "https://ok.fetch.test/", opts: func(o *httpfetch.Options) { o.AllowPrivate = false }, reason: httpfetch.Refused},
		{url: "https://ok.fetch.test/", opts: func(o *httpfetch.Options) { o.Port = closedPort }, reason: httpfetch.Connect},
	} {
		o := opts
		if tc.opts != nil {
			tc.opts(&o)
		}
		res, err := httpfetch.Get(context.Background(), zones, tc.url, o)
		if tc.reason == 0 {
			if err != nil {
				t.Errorf("%s: %v", tc.url, err)
				continue
			}
			if string(res.Body) != "hello" || res.ContentType != "text/plain" || !strings.HasPrefix(res.Addr, "127.0.0.1:") {
				t.Errorf("%s: got %q, %q from %s", tc.url, res.Body, res.ContentType, res.Addr)
			}
			continue
		}
		var fe *httpfetch.Error
		if !errors.As(err, &fe) || fe.Reason != tc.reason {
			t.Errorf("%s: got %v, want reason %v", tc.url, err, tc.reason)
		}
	}
}

func TestCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := httpfetch.Get(ctx, resolver.Offline(), "https://x.example/", httpfetch.Options{}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
