package gctune

import (
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

func TestPercent(t *testing.T) {
	const mb = 1 << 20
	tests := []struct {
		live uint64
		want int
	}{
		{0, 100},       // nothing measured yet: the default
		{2 * mb, 400},  // a small heap: at most five times live
		{4 * mb, 400},  // 20 MB goal, under Goal
		{6 * mb, 300},  // 24 MB: Goal
		{8 * mb, 200},  // 24 MB: Goal
		{10 * mb, 140}, // 24 MB: Goal
		{12 * mb, 66},  // twice live reaches Goal: live + Headroom (20 MB)
		{16 * mb, 50},  // live + Headroom = 1.5 × live
		{100 * mb, 50}, // a large heap: 1.5 × live at the least
	}
	for _, tt := range tests {
		if got := Percent(tt.live, Goal); got != tt.want {
			t.Errorf("Percent(%d MB) = %d, want %d", tt.live/mb, got, tt.want)
		}
	}
}

// TestStartFollowsCollections: after a collection, the pace is the one
// Percent gives for the live heap, and stop restores the previous pace.
func TestStartFollowsCollections(t *testing.T) {
	t.Setenv("GOGC", "") // set by the environment, Start would do nothing
	prev := debug.SetGCPercent(77)
	defer debug.SetGCPercent(prev)
	stop := Start()
	want := -1
	for i := 0; i < 50 && want < 0; i++ {
		runtime.GC()
		time.Sleep(10 * time.Millisecond) // finalizers run on their own goroutine
		got := debug.SetGCPercent(-1)
		debug.SetGCPercent(got)
		if got == Percent(liveHeap(), Goal) {
			want = got
		}
	}
	if want < 0 {
		t.Fatalf("the pace never followed the live heap (%d bytes)", liveHeap())
	}
	if live := liveHeap(); live > 0 && live < 4<<20 && want != 400 {
		t.Fatalf("live heap %d bytes, pace %d: want 400", live, want)
	}
	stop()
	if got := debug.SetGCPercent(77); got != 77 {
		t.Errorf("after stop the pace is %d, want the previous 77", got)
	}
}

func TestIdleDue(t *testing.T) {
	const mb = 1 << 20
	tests := []struct {
		name            string
		base, prev, now uint64
		want            bool
	}{
		{"nothing allocated at all", 0, 0, 0, false},
		{"a pause after 8 MB", 0, 8 * mb, 8 * mb, true},
		{"a pause after less than 8 MB", 0, 7 * mb, 7*mb + 1, false},
		{"still busy: 1 MB in the tick", 0, 20 * mb, 21 * mb, false},
		{"a slow tick just under the quiet bound", 0, 20 * mb, 20*mb + IdleQuiet - 1, true},
		{"just at the quiet bound: busy", 0, 20 * mb, 20*mb + IdleQuiet, false},
		{"collected at 30 MB, 4 MB since", 30 * mb, 34 * mb, 34 * mb, false},
	}
	for _, tt := range tests {
		if got := idleDue(tt.base, tt.prev, tt.now); got != tt.want {
			t.Errorf("%s: idleDue(%d, %d, %d) = %v, want %v", tt.name, tt.base, tt.prev, tt.now, got, tt.want)
		}
	}
}

// TestIdleCollectorReturnsMemory: after 64 MB of garbage and a pause, the
// idle collector collects (the number of collections grows without anyone
// asking) and stops when told.
func TestIdleCollectorReturnsMemory(t *testing.T) {
	prev := debug.SetGCPercent(-1) // no collection but the idle one
	defer debug.SetGCPercent(prev)
	var st runtime.MemStats
	runtime.ReadMemStats(&st)
	before := st.NumGC
	quit := make(chan struct{})
	done := make(chan struct{})
	go func() { idleCollector(quit, 20*time.Millisecond); close(done) }()
	time.Sleep(30 * time.Millisecond) // the collector's first reading
	for i := 0; i < 64; i++ {
		sink = make([]byte, 1<<20)
	}
	sink = nil
	deadline := time.Now().Add(5 * time.Second)
	for {
		runtime.ReadMemStats(&st)
		if st.NumGC > before || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	close(quit)
	<-done
	if st.NumGC == before {
		t.Fatal("no collection after 64 MB of garbage and a pause")
	}
}

var sink []byte

// TestBatch: the batch pace while it runs, the previous one after, and
// nothing changed when GOGC is set.
func TestBatch(t *testing.T) {
	t.Setenv("GOGC", "")
	prev := debug.SetGCPercent(77)
	defer debug.SetGCPercent(prev)
	restore := Batch()
	if got := debug.SetGCPercent(BatchPercent); got != BatchPercent {
		t.Errorf("during the batch: GOGC %d, want %d", got, BatchPercent)
	}
	restore()
	if got := debug.SetGCPercent(77); got != 77 {
		t.Errorf("after the batch: GOGC %d, want 77", got)
	}
	t.Setenv("GOGC", "50")
	Batch()
	if got := debug.SetGCPercent(77); got != 77 {
		t.Errorf("with GOGC set: GOGC %d, want 77 unchanged", got)
	}
}
