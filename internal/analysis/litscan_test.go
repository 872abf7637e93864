package analysis

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// TestLitSetAgrees: on slices of the corpus and on edge cases, an
// expression's gate through the literal scanner says what bytes.Contains of
// each of its literals says.
func TestLitSetAgrees(t *testing.T) {
	testEnv(t).Analyze(&Input{Src: []byte("# x\n")}) // registers the detectors' expressions
	s := gates.litScanner()
	var infos []*gateInfo
	for _, gi := range *gates.m.Load() {
		if gi.masked {
			infos = append(infos, gi)
		}
	}
	if len(infos) < 50 {
		t.Fatalf("%d expressions with numbered literals, want the detectors' (50 or more)", len(infos))
	}
	texts := [][]byte{nil, []byte("j"), []byte("jw"), []byte("jwt"), []byte("JWT"), []byte("xjwt"), []byte("jwtjwtjwt")}
	for _, l := range s.lits {
		texts = append(texts, l, append([]byte("  "), l...), l[:len(l)-1], l[1:])
	}
	rng := rand.New(rand.NewPCG(6, 6))
	for _, doc := range testenv.CorpusDocs(t, 0) {
		low := asciiLower(doc)
		for range 200 {
			a := rng.IntN(len(low) + 1)
			b := a + rng.IntN(min(len(low)-a, 600)+1)
			texts = append(texts, low[a:b])
		}
	}
	for _, text := range texts {
		set := s.scan(text)
		for _, gi := range infos {
			if got, want := gi.passes(&set), gi.may(text); got != want {
				t.Fatalf("gate %q on %q: scanner says %v, bytes.Contains %v", bytes.Join(gi.lits, []byte("|")), text, got, want)
			}
		}
	}
}

// TestLitScannerPastTheSet: literals numbered litWords*64 or beyond do not
// fit in a litSet (their expressions are gated with bytes.Contains); the
// scanner must leave them out instead of setting a bit past the set's end,
// which panicked on any text holding one of them.
func TestLitScannerPastTheSet(t *testing.T) {
	var lits [][]byte
	for i := range litWords*64 + 100 {
		lits = append(lits, []byte(fmt.Sprintf("w%03d", i)))
	}
	lits = append(lits, []byte("!")) // a one-byte literal past the bound
	s := newLitScanner(lits)
	tests := []struct {
		text string
		want []int // the literal numbers found
	}{
		{"", nil},
		{"w007", []int{7}},
		{"w511 w512", []int{511}},
		{"w550!", nil},
		{"w000 w600 w063 w064 !", []int{0, 63, 64}},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			set := s.scan([]byte(tt.text))
			var got []int
			for id := range litWords * 64 {
				if set[id/64]&(1<<(id%64)) != 0 {
					got = append(got, id)
				}
			}
			if !slices.Equal(got, tt.want) {
				t.Errorf("scan(%q) = %v, want %v", tt.text, got, tt.want)
			}
		})
	}
}

// TestLitIndexAgrees: the literals a document's index finds inside a slice
// are those a scan of the slice finds, for random slices of every corpus
// document (and the empty ones at its ends).
func TestLitIndexAgrees(t *testing.T) {
	testEnv(t).Analyze(&Input{Src: []byte("# x\n")}) // registers the detectors' expressions
	s := gates.litScanner()
	rng := rand.New(rand.NewPCG(7, 7))
	n := 0
	for _, doc := range testenv.CorpusDocs(t, 0) {
		low := asciiLower(doc)
		ix := s.index(low)
		spans := [][2]int{{0, 0}, {0, len(low)}, {len(low), len(low)}}
		for range 300 {
			a := rng.IntN(len(low) + 1)
			spans = append(spans, [2]int{a, a + rng.IntN(min(len(low)-a, 800)+1)})
		}
		for _, sp := range spans {
			if got, want := ix.set(sp[0], sp[1]), s.scan(low[sp[0]:sp[1]]); got != want {
				t.Fatalf("[%d, %d) of a %d-byte document: index %v, scan %v", sp[0], sp[1], len(low), got, want)
			}
			n++
		}
	}
	if n < 1000 {
		t.Fatalf("only %d slices compared", n)
	}
}

// BenchmarkLitIndex indexes every detector literal in the corpus's
// documents, lowered: what a fresh analysis does first.
func BenchmarkLitIndex(b *testing.B) {
	Warm()
	s := gates.litScanner()
	docs, n := corpusBytes(b)
	lowered := make([][]byte, len(docs))
	for i, d := range docs {
		lowered[i] = asciiLower(d)
	}
	b.SetBytes(n)
	for b.Loop() {
		for _, l := range lowered {
			s.index(l)
		}
	}
}
