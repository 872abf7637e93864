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
		{0, 100},        // nothing measured yet: the default
		{2 * mb, 400},   // a small heap: at most five times live
		{4 * mb, 400},   // 20 MB goal, under Goal
		{6 * mb, 300},   // 24 MB: Goal
		{8 * mb, 200},   // 24 MB: Goal
		{12 * mb, 100},  // twice live reaches Goal: the default
		{100 * mb, 100}, // a large heap keeps the default pace
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
