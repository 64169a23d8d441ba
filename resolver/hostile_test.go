package resolver_test

import (
	"context"
	"encoding/binary"
	"errors"
	"io"
	"net"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// hostile is a DNS server on 127.0.0.1 that sends whatever a test's reply
// function returns: several packets per query, wrong questions, referrals,
// junk. It serves UDP and TCP on one port and stops when the test ends.
type hostile struct {
	Addr    string
	queries atomic.Int64
}

// replyFunc returns the packets to send for query q, in order.
type replyFunc func(q *dns.Msg, tcp bool) []*dns.Msg

func startHostile(t testing.TB, reply replyFunc) *hostile {
	t.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", pc.LocalAddr().String())
	if err != nil {
		pc.Close()
		t.Fatal(err)
	}
	h := &hostile{Addr: pc.LocalAddr().String()}
	var wg sync.WaitGroup
	done := make(chan struct{})
	t.Cleanup(func() {
		close(done)
		pc.Close()
		ln.Close()
		wg.Wait()
	})
	wg.Add(2)
	go func() {
		defer wg.Done()
		buf := make([]byte, 65535)
		for {
			n, addr, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			q := new(dns.Msg)
			if q.Unpack(buf[:n]) != nil || len(q.Question) != 1 {
				continue
			}
			h.queries.Add(1)
			for _, m := range reply(q, false) {
				b, err := m.Pack()
				if err != nil {
					panic(err)
				}
				pc.WriteTo(b, addr)
			}
		}
	}()
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				stop := context.AfterFunc(doneCtx(done), func() { conn.Close() })
				defer stop()
				var l [2]byte
				if _, err := io.ReadFull(conn, l[:]); err != nil {
					return
				}
				b := make([]byte, binary.BigEndian.Uint16(l[:]))
				if _, err := io.ReadFull(conn, b); err != nil {
					return
				}
				q := new(dns.Msg)
				if q.Unpack(b) != nil || len(q.Question) != 1 {
					return
				}
				h.queries.Add(1)
				for _, m := range reply(q, true) {
					b, err := m.Pack()
					if err != nil {
						panic(err)
					}
					conn.Write(binary.BigEndian.AppendUint16(nil, uint16(len(b))))
					conn.Write(b)
				}
			}()
		}
	}()
	return h
}

func doneCtx(done chan struct{}) context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	go func() { <-done; cancel() }()
	return ctx
}

func rr(t testing.TB, s string) dns.RR {
	t.Helper()
	r, err := dns.NewRR(s)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func reply(q *dns.Msg, aa bool, answer ...dns.RR) *dns.Msg {
	m := new(dns.Msg)
	m.SetReply(q)
	m.Authoritative = aa
	m.Answer = answer
	return m
}

func hostileClient(t testing.TB, h *hostile, mod func(*resolver.Config)) *resolver.Client {
	t.Helper()
	cfg := resolver.Config{Servers: []string{h.Addr}, Timeout: 300 * time.Millisecond, Tries: 1}
	if mod != nil {
		mod(&cfg)
	}
	c, err := resolver.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// TestHostileMismatchedThenReal: for every query the server first sends a
// packet with the right ID but another question, then the real answer at
// once. The first is read past; the second answers (issue 19, item 1).
func TestHostileMismatchedThenReal(t *testing.T) {
	h := startHostile(t, func(q *dns.Msg, tcp bool) []*dns.Msg {
		wrong := reply(q, true, rr(t, "wrong.example. 60 IN A 192.0.2.66"))
		wrong.Question[0].Name = "wrong.example."
		real := reply(q, true, rr(t, q.Question[0].Name+" 60 IN A 192.0.2.1"))
		return []*dns.Msg{wrong, real}
	})
	c := hostileClient(t, h, func(cfg *resolver.Config) { cfg.CacheSize = -1 })
	for i := range 20 {
		name := "n" + strings.Repeat("x", i%5) + "-" + string(rune('a'+i)) + ".example."
		a, err := c.Lookup(context.Background(), name, dns.TypeA)
		if err != nil {
			t.Fatalf("lookup %d: %v", i, err)
		}
		if len(a.Records) != 1 || a.Records[0].(*dns.A).A.String() != "192.0.2.1" {
			t.Fatalf("lookup %d: %v", i, a.Records)
		}
	}
	if st := c.Stats(); st.Timeouts != 0 || st.Errors != 0 {
		t.Errorf("stats %+v", st)
	}
}

var _ = errors.Is
