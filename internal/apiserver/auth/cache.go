package auth

import (
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// maxCacheEntries bounds a cache; when it is full, expired entries are dropped, and if none
// expired, everything is.
const maxCacheEntries = 10000

// ttlCache keeps answers for a while.
type ttlCache[V any] struct {
	clock   clock.PassiveClock
	ttl     time.Duration
	mu      sync.Mutex
	entries map[string]cacheEntry[V]
}

type cacheEntry[V any] struct {
	value   V
	expires time.Time
}

func newTTLCache[V any](clk clock.PassiveClock, ttl time.Duration) *ttlCache[V] {
	return &ttlCache[V]{clock: clk, ttl: ttl, entries: map[string]cacheEntry[V]{}}
}

func (c *ttlCache[V]) get(key string) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.entries[key]
	if !ok || !c.clock.Now().Before(e.expires) {
		var zero V
		return zero, false
	}
	return e.value, true
}

func (c *ttlCache[V]) put(key string, value V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	now := c.clock.Now()
	if len(c.entries) >= maxCacheEntries {
		for k, e := range c.entries {
			if !now.Before(e.expires) {
				delete(c.entries, k)
			}
		}
		if len(c.entries) >= maxCacheEntries {
			clear(c.entries)
		}
	}
	c.entries[key] = cacheEntry[V]{value: value, expires: now.Add(c.ttl)}
}
