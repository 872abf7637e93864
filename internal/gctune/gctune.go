// Package gctune sets the Go garbage collector's pace for the language
// server: collect less often while the heap is small.
//
// Each keystroke's analysis allocates a few hundred kilobytes. With the
// runtime's default pace (GOGC=100: collect when the heap has doubled), a
// server holding 4 MB collects every ten keystrokes or so, and a keystroke
// analysed during a collection shares the CPU with it and assists it: those
// were the slowest percent of keystrokes (BenchmarkKeystroke, issue 6).
// Memory is not the constraint at that size, so the heap is allowed to grow
// up to Goal before a collection. With many documents open the live heap is
// larger, and doubling it before each collection is what took the server
// over 40 MB when the hundredth document was analysed
// (BenchmarkMemory100DocsBinary): from there on it grows by Headroom
// before a collection, but by half of itself at the least, since an
// analysis needs room:
//
//	heap goal = min(5 × live, Goal)                     while 2 × live < Goal
//	heap goal = live + Headroom, between 1.5 × and 2 × live  from then on
//
// When the server pauses after work that allocated (documents opened and
// analysed, a burst of typing), nothing allocates, so no collection comes
// and the heap stays at the size the work grew it to. An idle collection
// (idle.go) then collects and returns the freed memory to the system: a
// server with 100 documents open holds what they need, not the peak of
// analysing them.
package gctune

import (
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync/atomic"
)

// Goal is the heap size up to which collections are put off.
const Goal = 24 << 20

// Headroom is what a large heap may grow by before a collection.
const Headroom = 8 << 20

// Percent returns the GOGC value that gives a heap of live bytes the goal
// above (with goal as Goal): between 50 and 400.
func Percent(live, goal uint64) int {
	if live == 0 {
		return 100 // nothing measured yet: the default
	}
	if goal <= 2*live {
		// A large heap grows by Headroom: by half of itself at the
		// least, by all of itself (the default) at the most.
		return int(max(50, min(100, 100*Headroom/live)))
	}
	return int(min(400, 100*(goal-live)/live))
}

// Start paces collections for the rest of the process, re-deciding after
// each one, and returns a function that stops and restores the previous
// pace. It does nothing when the GOGC environment variable is set: the
// person running the server decided.
func Start() (stop func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	var stopped atomic.Bool
	prev := debug.SetGCPercent(100)
	var arm func()
	arm = func() {
		// A finalizer runs once after the collection that finds its object
		// unreachable: re-armed each time, it follows every collection.
		s := &sentinel{}
		runtime.SetFinalizer(s, func(*sentinel) {
			if stopped.Load() {
				return
			}
			debug.SetGCPercent(Percent(liveHeap(), Goal))
			arm()
		})
	}
	arm()
	quit := make(chan struct{})
	go idleCollector(quit, IdleTick)
	return func() {
		if stopped.CompareAndSwap(false, true) {
			close(quit)
			debug.SetGCPercent(prev)
		}
	}
}

// sentinel is big enough to be allocated alone, not batched with other
// tiny objects whose lifetimes would delay its finalizer.
type sentinel struct {
	p *byte
	_ [16]byte
}

// liveHeap returns the bytes the last collection found live, or 0.
func liveHeap() uint64 {
	s := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	metrics.Read(s)
	if s[0].Value.Kind() != metrics.KindUint64 {
		return 0
	}
	return s[0].Value.Uint64()
}

// BatchPercent is the collector's pace for a batch run (check): a
// collection when the heap has grown to five times what the last one left.
// A run over a project lives for a second or two and holds little beyond
// its reports, so memory buys throughput (CheckCorpus: about a tenth
// faster than the default pace, and faster than no collection at all,
// whose fresh pages cost more than collecting).
const BatchPercent = 400

// Batch sets BatchPercent for the rest of a batch run and returns a
// function that restores the previous pace. Like Start, it does nothing
// when the GOGC environment variable is set.
func Batch() (restore func()) {
	if os.Getenv("GOGC") != "" {
		return func() {}
	}
	prev := debug.SetGCPercent(BatchPercent)
	return func() { debug.SetGCPercent(prev) }
}
