package analysis

// A document is gated for about 90 expressions, each with a handful of
// literals, on every slice a detector asks about: checking each literal with
// bytes.Contains cost ~16,000 scans of the same slices per analysis of the
// 711-line plan, a quarter of a fresh analysis. Instead every literal of
// every expression is numbered, a slice's bytes are scanned once for all of
// them (a table indexed by the first two bytes gives the few literals that
// can start at a position), and the expressions' gates become bit tests on
// the set found. The answers are exactly those of bytes.Contains: the scan
// finds every occurrence, overlapping ones included (TestLitSetAgrees).

import (
	"bytes"
	"encoding/binary"
)

// litWords bounds the numbered literals (64 per word); an expression with a
// literal numbered beyond is gated with bytes.Contains.
const litWords = 8

// litSet is a set of literal numbers.
type litSet [litWords]uint64

// intersects reports whether s and o share a literal.
func (s *litSet) intersects(o *litSet) bool {
	var x uint64
	for i := range s {
		x |= s[i] & o[i]
	}
	return x != 0
}

// litScanner finds which of a fixed list of literals occur in a text.
type litScanner struct {
	lits [][]byte
	// word[id] holds the first (up to) 8 bytes of literal id, little-endian,
	// and wmask[id] which of word's bytes it has: one comparison of 8 bytes
	// of text decides most candidates.
	word, wmask []uint64
	// head[c0<<8|c1] .. head[c0<<8|c1+1] index the numbers in byPair of
	// the literals (of two bytes or more) that start with c0 c1.
	head   []uint32
	byPair []uint16
	// single[c] lists the one-byte literals equal to c.
	single [256][]uint16
}

func newLitScanner(lits [][]byte) *litScanner {
	// Only literals numbered below litWords*64 fit in a litSet: the
	// expressions with others are gated with bytes.Contains (gateInfo.masked
	// is false), so the scanner leaves them out rather than set a bit past
	// the set's end.
	lits = lits[:min(len(lits), litWords*64)]
	s := &litScanner{lits: lits, head: make([]uint32, 1<<16+1)}
	s.word, s.wmask = make([]uint64, len(lits)), make([]uint64, len(lits))
	for id, l := range lits {
		var w [8]byte
		n := copy(w[:], l)
		s.word[id] = binary.LittleEndian.Uint64(w[:])
		s.wmask[id] = ^uint64(0) >> (64 - 8*n)
	}
	for _, l := range lits {
		if len(l) >= 2 {
			s.head[int(l[0])<<8|int(l[1])+1]++
		}
	}
	for i := 1; i < len(s.head); i++ {
		s.head[i] += s.head[i-1]
	}
	s.byPair = make([]uint16, s.head[len(s.head)-1])
	fill := make([]uint32, 1<<16)
	for id, l := range lits {
		switch {
		case len(l) == 1:
			s.single[l[0]] = append(s.single[l[0]], uint16(id))
		case len(l) >= 2:
			p := int(l[0])<<8 | int(l[1])
			s.byPair[s.head[p]+fill[p]] = uint16(id)
			fill[p]++
		}
	}
	return s
}

// scan returns the set of literals that occur in text.
func (s *litScanner) scan(text []byte) litSet {
	var out litSet
	s.each(text, func(_ int, id uint16) { out[id/64] |= 1 << (id % 64) })
	return out
}

// each calls fn(i, id) for every occurrence at i of literal id in text,
// overlapping ones included, by increasing i.
func (s *litScanner) each(text []byte, fn func(i int, id uint16)) {
	for i := 0; i < len(text); i++ {
		c := text[i]
		for _, id := range s.single[c] {
			fn(i, id)
		}
		if i+1 == len(text) {
			break
		}
		p := int(c)<<8 | int(text[i+1])
		lo, hi := s.head[p], s.head[p+1]
		if lo == hi {
			continue
		}
		var w uint64
		if i+8 <= len(text) {
			w = binary.LittleEndian.Uint64(text[i:])
		} else {
			var b [8]byte
			copy(b[:], text[i:])
			w = binary.LittleEndian.Uint64(b[:])
		}
		for _, id := range s.byPair[lo:hi] {
			if w&s.wmask[id] != s.word[id] {
				continue
			}
			if l := s.lits[id]; len(l) <= 8 && i+len(l) <= len(text) || bytes.HasPrefix(text[i:], l) {
				fn(i, id)
			}
		}
	}
}

// A fresh analysis asks about thousands of slices of one document —
// blocks, their lines and runs, sentences, the words before a mention —
// most of them overlapping, and scanned one by one they were scanned
// several times over. litIndex scans the whole document once instead and
// answers a slice's set from the occurrences inside it. The language
// server's re-analyses rarely scan (their memo keeps each slice's set), so
// only fresh analyses build one.

// litOcc is one occurrence of literal id at [pos, end) of the document.
type litOcc struct {
	pos, end int32
	id       uint16
}

// litIndex is every occurrence, in order of position, of the first n
// numbered literals in a document's lowered text.
type litIndex struct {
	occs []litOcc
	n    int
}

// index returns the occurrences in lower of the scanner's literals.
func (s *litScanner) index(lower []byte) *litIndex {
	if len(lower) >= 1<<31 {
		return nil // offsets are int32
	}
	ix := &litIndex{n: len(s.lits), occs: make([]litOcc, 0, len(lower)/8)}
	s.each(lower, func(i int, id uint16) {
		ix.occs = append(ix.occs, litOcc{int32(i), int32(i + len(s.lits[id])), id})
	})
	return ix
}

// set returns the literals that occur inside [a, b) of the document: what
// scan returns for that slice.
func (ix *litIndex) set(a, b int) litSet {
	var out litSet
	lo, hi := 0, len(ix.occs)
	for lo < hi {
		mid := int(uint(lo+hi) >> 1)
		if int(ix.occs[mid].pos) < a {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	for _, o := range ix.occs[lo:] {
		if int(o.pos) >= b {
			break
		}
		if int(o.end) <= b {
			out[o.id/64] |= 1 << (o.id % 64)
		}
	}
	return out
}
