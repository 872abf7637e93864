package analysis

// Most detectors are regular expressions that start with `(?i)\b` and an
// alternation, which Go's regexp engine cannot skip ahead for: it tries
// every position of every block. This file derives, from each expression's
// syntax tree, a set of literals one of which any match must contain, and
// checks for them with bytes.Index over an ASCII-lowered copy of the
// document first. A block without any of them cannot match, so the
// expression does not run there. The answers are the same; only blocks
// that cannot match are skipped.
//
// The lowering is ASCII-only, so a (?i) expression that would match through
// a non-ASCII case fold (the Kelvin sign for "k") may be skipped; no
// detector depends on such folds.

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"sync"
	"sync/atomic"
)

// gates memoises requiredLiterals per compiled expression and numbers the
// expressions for the memo. It is a cache of a pure function of immutable
// values, safe for concurrent use.
var gates gateRegistry

type gateRegistry struct {
	// m is replaced, never modified, so reads need no lock: expressions
	// are registered once each, on first use, and read thousands of times
	// per analysis.
	m  atomic.Pointer[map[*regexp.Regexp]*gateInfo]
	mu sync.Mutex // serialises registrations
}

// gateInfo is what is known of one expression: its literals (nil: no
// gate) and its number.
type gateInfo struct {
	lits [][]byte
	id   int
}

func (g *gateRegistry) info(re *regexp.Regexp) *gateInfo {
	if m := g.m.Load(); m != nil {
		if gi, ok := (*m)[re]; ok {
			return gi
		}
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	old := g.m.Load()
	if old != nil {
		if gi, ok := (*old)[re]; ok {
			return gi
		}
	}
	next := make(map[*regexp.Regexp]*gateInfo, 1)
	if old != nil {
		next = make(map[*regexp.Regexp]*gateInfo, len(*old)+1)
		for k, v := range *old {
			next[k] = v
		}
	}
	gi := &gateInfo{lits: requiredLiterals(re), id: len(next)}
	next[re] = gi
	g.m.Store(&next)
	return gi
}

// mayMatch reports whether re can match text, given lower, the ASCII-lowered
// copy of text. false means it cannot; true means it might.
func mayMatch(re *regexp.Regexp, lower []byte) bool {
	return gates.info(re).may(lower)
}

func (gi *gateInfo) may(lower []byte) bool {
	if gi.lits == nil {
		return true
	}
	for _, l := range gi.lits {
		if bytes.Contains(lower, l) {
			return true
		}
	}
	return false
}

// requiredLiterals returns lower-cased literals, one of which every match of
// re contains, or nil when no such set is known.
func requiredLiterals(re *regexp.Regexp) [][]byte {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	set, ok := literalsOf(tree.Simplify())
	if !ok {
		return nil
	}
	out := make([][]byte, len(set))
	for i, s := range set {
		out[i] = []byte(s)
	}
	return out
}

func literalsOf(re *syntax.Regexp) ([]string, bool) {
	switch re.Op {
	case syntax.OpLiteral:
		s := asciiLower([]byte(string(re.Rune)))
		if len(s) == 0 {
			return nil, false
		}
		return []string{string(s)}, true
	case syntax.OpCapture, syntax.OpPlus:
		return literalsOf(re.Sub[0])
	case syntax.OpRepeat:
		if re.Min >= 1 {
			return literalsOf(re.Sub[0])
		}
		return nil, false
	case syntax.OpConcat:
		// The child whose shortest literal is longest discriminates best.
		var best []string
		bestLen := 0
		for _, sub := range re.Sub {
			set, ok := literalsOf(sub)
			if !ok {
				continue
			}
			m := 1 << 30
			for _, s := range set {
				m = min(m, len(s))
			}
			if m > bestLen {
				best, bestLen = set, m
			}
		}
		return best, best != nil
	case syntax.OpAlternate:
		var out []string
		for _, sub := range re.Sub {
			set, ok := literalsOf(sub)
			if !ok {
				return nil, false
			}
			out = append(out, set...)
		}
		return out, true
	}
	return nil, false
}

// asciiLower returns a copy of b with A–Z lowered; lengths and offsets stay
// those of b.
func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}
