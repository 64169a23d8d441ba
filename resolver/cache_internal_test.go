package resolver

import (
	"fmt"
	"testing"
	"time"
)

// TestCacheBound: the cache never holds more than CacheSize entries, and
// eviction keeps unexpired ones.
func TestCacheBound(t *testing.T) {
	c, err := New(Config{Servers: []string{"127.0.0.1:9"}, CacheSize: 16})
	if err != nil {
		t.Fatal(err)
	}
	exp := time.Now().Add(time.Hour)
	for i := range 1000 {
		c.mu.Lock()
		c.put(qkey{fmt.Sprintf("n%d.example.", i), 1}, centry{st: &step{}, expires: exp})
		n := len(c.cache)
		c.mu.Unlock()
		if n > 16 {
			t.Fatalf("cache holds %d entries, bound 16", n)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.cache) < 14 {
		t.Errorf("eviction dropped too much: %d left", len(c.cache))
	}
}
