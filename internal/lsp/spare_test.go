package lsp

import (
	"math/rand/v2"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// TestSpareBuffersEdit edits a document large enough for spare buffers,
// with and without them, and checks after each edit that both give the
// text and line table of a fresh index, and that every earlier version
// still holds its text: a spare is written by one edit only.
func TestSpareBuffersEdit(t *testing.T) {
	line := "Better Auth issues a JWT 😀 that FastAPI verifies; 你好\r\n"
	base := strings.Repeat(line, spareMin/len(line)+1)
	inserts := []string{"x", "\n", "\r\n", "😀", "", "- [ ] item\n", strings.Repeat("y", 3*spareSlack)}
	rng := rand.New(rand.NewPCG(6, 6))
	m := NewMapper(base, UTF16)
	var versions []*Mapper
	var texts []string
	for i := range 60 {
		n := m.LineCount()
		r := protocol.Range{
			Start: protocol.Position{Line: uint32(rng.IntN(n)), Character: uint32(rng.IntN(60))},
		}
		r.End = r.Start
		if i%3 == 0 {
			r.End.Line = min(r.End.Line+uint32(rng.IntN(3)), uint32(n-1))
		}
		ins := inserts[rng.IntN(len(inserts))]
		change := []contentChange{{Range: &r, Text: ins}}
		want := applyChanges(m, change)
		sp := newSpareBufs(m)
		got := applyChangesInto(m, change, sp)
		if got.Text() != want.Text() {
			t.Fatalf("edit %d: text with spare buffers differs", i)
		}
		checkSameMapper(t, got, NewMapper(want.Text(), UTF16))
		if fits := len(want.Text()) <= len(m.Text())+spareSlack; fits != (sp.text == nil) {
			t.Errorf("edit %d: the spare text buffer was used %v, want %v", i, sp.text == nil, fits)
		}
		versions, texts = append(versions, got), append(texts, strings.Clone(got.Text()))
		m = got
	}
	for i, v := range versions {
		if v.Text() != texts[i] {
			t.Fatalf("version %d changed after later edits", i)
		}
	}
}
