package analysis

import (
	"bytes"
	"math/rand/v2"
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
	for _, doc := range testenv.CorpusSeeds(t, 0) {
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
