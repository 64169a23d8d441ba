package resolver_test

import (
	"context"
	"encoding/binary"
	"fmt"
	"net"
	"strconv"
	"sync/atomic"
	"testing"

	"github.com/domainlint/domainlint/resolver"
	"github.com/miekg/dns"
)

// cannedServer answers every question on 127.0.0.1 with one TXT record at
// the question's name, built from the query's own bytes: no parsing, no
// allocation, so that what a benchmark measures is the client.
func cannedServer(b *testing.B) string {
	b.Helper()
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { pc.Close() })
	txt := "v=spf1 ip4:192.0.2.0/24 include:_spf.test ~all"
	rdata := append([]byte{byte(len(txt))}, txt...)
	go func() {
		in := make([]byte, 1500)
		out := make([]byte, 0, 1500)
		for {
			n, addr, err := pc.ReadFrom(in)
			if err != nil {
				return
			}
			if n < 17 {
				continue
			}
			// The question ends at the first zero label after the header.
			end := 12
			for end < n && in[end] != 0 {
				end += int(in[end]) + 1
			}
			end += 5 // root label, type, class
			if end > n {
				continue
			}
			out = append(out[:0], in[:end]...)
			out[2] = 0x84 | in[2]&0x01 // QR, AA, RD as asked
			out[3] = 0x80              // RA, NOERROR
			binary.BigEndian.PutUint16(out[6:], 1)
			binary.BigEndian.PutUint16(out[8:], 0)
			binary.BigEndian.PutUint16(out[10:], 0)
			out = append(out, 0xc0, 12, 0, 16, 0, 1, 0, 0, 0x0e, 0x10)
			out = binary.BigEndian.AppendUint16(out, uint16(len(rdata)))
			out = append(out, rdata...)
			pc.WriteTo(out, addr)
		}
	}()
	return pc.LocalAddr().String()
}

// BenchmarkExchange: cache misses, each a distinct question sent over
// loopback UDP to a server that costs next to nothing, from 64 goroutines
// at once as a sweep asks them. ns/op, B/op and allocs/op are the
// client's cost per question: packing, the shared socket, unpacking,
// coalescing and caching.
func BenchmarkExchange(b *testing.B) {
	for _, cached := range []bool{false, true} {
		b.Run("cache="+strconv.FormatBool(cached), func(b *testing.B) {
			addr := cannedServer(b)
			size := -1
			if cached {
				size = 0 // the default: every answer is stored
			}
			c, err := resolver.New(resolver.Config{Servers: []string{addr}, CacheSize: size, MaxInFlight: 128})
			if err != nil {
				b.Fatal(err)
			}
			defer c.Close()
			ctx := context.Background()
			var next atomic.Int64
			b.ReportAllocs()
			b.SetParallelism(32)
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					name := fmt.Sprintf("q%d.bench.test.", next.Add(1))
					a, err := c.Lookup(ctx, name, dns.TypeTXT)
					if err != nil {
						b.Error(err)
						return
					}
					if len(a.Records) != 1 {
						b.Errorf("%s: %d records", name, len(a.Records))
						return
					}
				}
			})
		})
	}
}
