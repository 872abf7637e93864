package analysis

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// countdown is a context that is done after its Err has been asked n times:
// it stops an analysis at a chosen point of its work.
type countdown struct {
	context.Context
	n int
}

func (c *countdown) Err() error {
	if c.n--; c.n < 0 {
		return context.Canceled
	}
	return nil
}

// TestAnalyzeCancelled stops analyses at many points of their work through
// the document's memo, each followed by an edit and a complete analysis: a
// stopped analysis returns nil, and what it left in the memo changes no
// answer of the next (the same as a fresh analysis).
func TestAnalyzeCancelled(t *testing.T) {
	env := testEnv(t)
	docs := testenv.CorpusDocs(t, 40)
	if len(docs) == 0 {
		docs = [][]byte{[]byte("# Spec\n\nBetter Auth issues a JWT that FastAPI verifies.\n\nWe store tokens in localStorage.\n")}
	}
	rng := rand.New(rand.NewPCG(3, 4))
	edit := func(text []byte) []byte {
		at := rng.IntN(len(text) + 1)
		ins := []string{"x", "\n\n", " Better Auth", "- ", "not "}[rng.IntN(5)]
		return append(text[:at:at], append([]byte(ins), text[at:]...)...)
	}
	stops := 0
	for i, src := range docs {
		if len(src) > 80<<10 {
			continue
		}
		memo := NewMemo()
		text := append([]byte(nil), src...)
		env.Analyze(&Input{Src: text, Memo: memo})
		for _, n := range []int{0, 1, 3, 10, 30} {
			// Stop an analysis of one version, then analyse the next.
			text = edit(text)
			ctx := &countdown{Context: context.Background(), n: n}
			if got := env.Analyze(&Input{Src: text, Memo: memo, Ctx: ctx}); got == nil {
				stops++
			}
			text = edit(text)
			got := env.Analyze(&Input{Src: text, Memo: memo})
			want := env.Analyze(&Input{Src: text})
			if !reflect.DeepEqual(got.Findings, want.Findings) || !reflect.DeepEqual(got.Mentions, want.Mentions) || !reflect.DeepEqual(got.Points, want.Points) {
				t.Fatalf("document %d: the analysis after one stopped at poll %d differs from a fresh one", i, n)
			}
		}
	}
	if stops == 0 {
		t.Fatal("no analysis was stopped")
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if got := env.Analyze(&Input{Src: docs[0], Ctx: ctx}); got != nil || !errors.Is(ctx.Err(), context.Canceled) {
		t.Fatal("an analysis with a cancelled context ran to the end")
	}
	// A finished analysis keeps working after its context ends.
	ctx, cancel = context.WithCancel(context.Background())
	res := env.Analyze(&Input{Src: docs[0], Ctx: ctx})
	cancel()
	if res == nil || res.Doc.stop() {
		t.Fatal("a finished analysis is stopped by its context ending")
	}
	t.Logf("%d stopped analyses compared", stops)
}

// TestMemoCarry: the answers a stopped analysis did not reach move through
// the edit like memoNode's lookups, and those of changed bytes are dropped.
func TestMemoCarry(t *testing.T) {
	key := func(off, n int) uint64 { return uint64(off)<<32 | uint64(n) }
	a, b, c, own := &memoNode{}, &memoNode{}, &memoNode{}, &memoNode{}
	m := NewMemo()
	m.edit = memoEdit{p: 10, oldEnd: 12, newEnd: 15, ok: true}
	table := func(m map[uint64]*memoNode) *nodeTable {
		t := newNodeTable(0)
		for k, n := range m {
			t.put(k, n)
		}
		return t
	}
	m.prevNodes = table(map[uint64]*memoNode{key(0, 5): a, key(11, 3): b, key(20, 4): c, key(0, 7): a})
	got := m.carry(table(map[uint64]*memoNode{key(0, 7): own}))
	want := map[uint64]*memoNode{key(0, 5): a, key(23, 4): c, key(0, 7): own}
	if got.len() != len(want) {
		t.Fatalf("carry has %d nodes, want %v", got.len(), want)
	}
	for k, n := range want {
		if g, _ := got.get(k); g != n { // the same node, not an equal one
			t.Fatalf("carry[%x] = %p, want %p", k, g, n)
		}
	}
}
