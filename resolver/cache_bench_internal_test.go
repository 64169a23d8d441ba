package resolver

import (
	"strconv"
	"testing"
	"time"
)

// BenchmarkCachePut: answers stored into a full cache of the default size,
// as in a sweep past 65,536 distinct questions: the cost of eviction per
// answer stored.
func BenchmarkCachePut(b *testing.B) {
	c, err := New(Config{Servers: []string{"127.0.0.1:9"}})
	if err != nil {
		b.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	keys := make([]qkey, 1<<18)
	for i := range keys {
		keys[i] = qkey{"n" + strconv.Itoa(i) + ".example.", 16}
	}
	st := &step{}
	for i := range 1 << 16 {
		c.put(keys[i], centry{st: st, expires: exp, size: 300})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		c.mu.Lock()
		c.put(keys[i%len(keys)], centry{st: st, expires: exp, size: 300})
		c.mu.Unlock()
		i++
	}
}
