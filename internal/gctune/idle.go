package gctune

import (
	"runtime/debug"
	"runtime/metrics"
	"time"
)

// IdleTick is how often the idle collector looks at what the process
// allocated.
const IdleTick = 250 * time.Millisecond

// Thresholds of the idle collector: a tick in which the process allocated
// less than IdleQuiet is a pause, and a pause after at least MinGarbage
// allocated since the last idle collection is worth one. A keystroke's
// analysis allocates a few hundred kilobytes, so typing, even slowly, is
// not a pause; opening one document is not worth a collection.
const (
	IdleQuiet  = 256 << 10
	MinGarbage = 8 << 20
)

// idleDue reports whether the tick that ended with the process's
// allocation counter at now, having started at prev, is a pause after
// enough garbage since the counter was at base (the last idle collection).
func idleDue(base, prev, now uint64) bool {
	return now-prev < IdleQuiet && now-base >= MinGarbage
}

// idleCollector collects and returns memory to the system once per pause
// (idleDue), until quit is closed.
func idleCollector(quit <-chan struct{}, tick time.Duration) {
	s := []metrics.Sample{{Name: "/gc/heap/allocs:bytes"}}
	allocs := func() uint64 {
		metrics.Read(s)
		if s[0].Value.Kind() != metrics.KindUint64 {
			return 0
		}
		return s[0].Value.Uint64()
	}
	t := time.NewTicker(tick)
	defer t.Stop()
	base := allocs()
	prev := base
	for {
		select {
		case <-quit:
			return
		case <-t.C:
		}
		now := allocs()
		if idleDue(base, prev, now) {
			debug.FreeOSMemory()
			now = allocs()
			base = now
		}
		prev = now
	}
}
