package analysis

import (
	"math/rand/v2"
	"testing"
)

// TestNodeTableMatchesMap: random puts and gets, including the key 0 (an
// empty slice at offset 0) and keys that collide, agree with a Go map, and
// so do len, each and reset.
func TestNodeTableMatchesMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	tab := newNodeTable(0)
	ref := map[uint64]*memoNode{}
	nodes := make([]*memoNode, 64)
	for i := range nodes {
		nodes[i] = &memoNode{}
	}
	for i := range 20000 {
		k := uint64(rng.IntN(5000))<<32 | uint64(rng.IntN(4))
		if i%7 == 0 {
			k = 0
		}
		if rng.IntN(2) == 0 {
			n := nodes[rng.IntN(len(nodes))]
			tab.put(k, n)
			ref[k] = n
		}
		got, ok := tab.get(k)
		want, wok := ref[k]
		if ok != wok || got != want {
			t.Fatalf("step %d: get(%x) = %p, %v; want %p, %v", i, k, got, ok, want, wok)
		}
	}
	if tab.len() != len(ref) {
		t.Fatalf("len = %d, want %d", tab.len(), len(ref))
	}
	seen := 0
	tab.each(func(k uint64, n *memoNode) {
		seen++
		if ref[k] != n {
			t.Fatalf("each gave %x → %p, want %p", k, n, ref[k])
		}
	})
	if seen != len(ref) {
		t.Fatalf("each visited %d keys, want %d", seen, len(ref))
	}
	tab.reset()
	if _, ok := tab.get(0); ok || tab.len() != 0 {
		t.Fatal("reset kept keys")
	}
	var none *nodeTable
	if _, ok := none.get(1); ok || none.len() != 0 {
		t.Fatal("a nil table is not empty")
	}
}
