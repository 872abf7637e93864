package analysis

// A detector's expression that starts with an alternation of words —
// `(?i)\b(tokens?|jwts?|bearer|…)\b` — is tried by Go's engine at every
// position of the text, through every branch, which made these expressions
// most of an analysis. When every match of an expression starts with one of
// a few literals, a match can only start where one of them occurs: this
// file finds those places with bytes.Index over the ASCII-lowered text and
// tries the expression anchored at each, in order, so the engine runs only
// where a match can start. The answers are exactly those of the unanchored
// search (TestPrefixSearchAgrees): the leftmost start with a match is the
// first candidate that matches, and an anchored attempt prefers the same
// match at that start as the unanchored search does.
//
// The anchored attempt must see the character before the candidate, which
// `\b` looks at: it runs `\A(?s:.)(?:expr)` from the rune before the
// candidate, so that rune is matched by `(?s:.)` and serves as context.
//
// Go's engine is linear in the text; attempts at many candidates are not
// when each can scan far (`\w+`, `\s*`, `.*`): a megabyte of one word
// repeated would cost its square (FuzzAnalyze stalled on such input). So
// the candidates are bounded — by their number, and for an expression with
// unbounded repetition by their number times the text's length — and past
// the bound the expression runs unanchored, as it did before.

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"slices"
	"unicode"
	"unicode/utf8"
)

// prefixSearch runs an expression only where one of its prefix literals
// occurs.
type prefixSearch struct {
	// lits are the lowered literals every match starts with; none is a
	// prefix of another (the longer one would add nothing).
	lits [][]byte
	// at0 is the expression anchored at the start of the text; atN is it
	// anchored after one rune of context.
	at0, atN *regexp.Regexp
	// unbounded is set when a match can be arbitrarily long.
	unbounded bool
}

// Bounds on the work of the attempts (see above): at most maxCandidates
// attempts, and for an unbounded expression at most attemptBudget bytes of
// text times attempts.
const (
	maxCandidates = 1024
	attemptBudget = 1 << 16
)

// maxPrefixLits bounds the literals searched for: past it, a search per
// literal costs more than running the expression.
const maxPrefixLits = 48

// newPrefixSearch returns the prefix search for expr (the expression as it
// is run: the lowered variant when there is one), or nil when its matches do
// not all start with a literal.
func newPrefixSearch(expr string) *prefixSearch {
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return nil
	}
	set, ok := prefixesOf(tree.Simplify())
	if !ok || len(set) == 0 || len(set) > maxPrefixLits {
		return nil
	}
	slices.Sort(set)
	set = slices.Compact(set)
	var lits [][]byte
	for i, s := range set {
		covered := false
		for j, o := range set {
			if j != i && len(o) < len(s) && s[:len(o)] == o {
				covered = true
				break
			}
		}
		if !covered {
			lits = append(lits, []byte(s))
		}
	}
	at0, err0 := regexp.Compile(`\A(?:` + expr + `)`)
	atN, errN := regexp.Compile(`\A(?s:.)(?:` + expr + `)`)
	if err0 != nil || errN != nil {
		return nil
	}
	return &prefixSearch{lits: lits, at0: at0, atN: atN, unbounded: unbounded(tree)}
}

// unbounded reports whether t repeats something without an upper bound.
func unbounded(t *syntax.Regexp) bool {
	switch t.Op {
	case syntax.OpStar, syntax.OpPlus:
		return true
	case syntax.OpRepeat:
		if t.Max < 0 {
			return true
		}
	}
	for _, sub := range t.Sub {
		if unbounded(sub) {
			return true
		}
	}
	return false
}

// prefixesOf returns lowered literals one of which every match of t starts
// with, or false when there is no such set.
func prefixesOf(t *syntax.Regexp) ([]string, bool) {
	switch t.Op {
	case syntax.OpLiteral:
		if len(t.Rune) == 0 {
			return nil, false
		}
		if t.Flags&syntax.FoldCase != 0 {
			for _, r := range t.Rune {
				if r >= utf8.RuneSelf && unicode.SimpleFold(r) != r {
					// Its other cases are not found by searching for
					// its lowered bytes.
					return nil, false
				}
			}
		}
		return []string{string(asciiLower([]byte(string(t.Rune))))}, true
	case syntax.OpCapture, syntax.OpPlus:
		return prefixesOf(t.Sub[0])
	case syntax.OpRepeat:
		if t.Min >= 1 {
			return prefixesOf(t.Sub[0])
		}
	case syntax.OpConcat:
		for _, sub := range t.Sub {
			switch sub.Op {
			case syntax.OpWordBoundary, syntax.OpNoWordBoundary, syntax.OpBeginLine, syntax.OpBeginText, syntax.OpEmptyMatch:
				continue // zero width: the match starts at what follows
			}
			return prefixesOf(sub)
		}
	case syntax.OpAlternate:
		var out []string
		for _, sub := range t.Sub {
			set, ok := prefixesOf(sub)
			if !ok {
				return nil, false
			}
			out = append(out, set...)
		}
		return out, true
	case syntax.OpCharClass:
		// A few ASCII characters, each a literal ("[-*+]").
		var out []string
		for i := 0; i+1 < len(t.Rune); i += 2 {
			for r := t.Rune[i]; r <= t.Rune[i+1]; r++ {
				if r >= utf8.RuneSelf || len(out) > 8 {
					return nil, false
				}
				out = append(out, string(asciiLower([]byte{byte(r)})))
			}
		}
		return out, len(out) > 0
	}
	return nil, false
}

// candidates appends to out, in increasing order and without repeats, the
// offsets of lower where a prefix literal occurs; false when there are more
// than limit.
func (ps *prefixSearch) candidates(lower []byte, limit int, out []int) ([]int, bool) {
	n := len(out)
	for _, l := range ps.lits {
		for at := 0; at <= len(lower)-len(l); {
			i := bytes.Index(lower[at:], l)
			if i < 0 {
				break
			}
			if len(out)-n == limit {
				return out, false
			}
			out = append(out, at+i)
			at += i + 1
		}
	}
	if len(ps.lits) > 1 {
		slices.Sort(out[n:])
		out = append(out[:n], slices.Compact(out[n:])...)
	}
	return out, true
}

// attempt returns the submatch offsets of the expression's preferred match
// starting at p in text, or nil.
func (ps *prefixSearch) attempt(text []byte, p int) []int {
	if p == 0 {
		return ps.at0.FindSubmatchIndex(text)
	}
	_, w := utf8.DecodeLastRune(text[:p])
	q := p - w
	loc := ps.atN.FindSubmatchIndex(text[q:])
	if loc == nil {
		return nil
	}
	for i := range loc {
		if loc[i] >= 0 {
			loc[i] += q
		}
	}
	loc[0] = p
	return loc
}

// run answers op on text, lower being text ASCII-lowered (or text itself
// when the expression runs on lowered text), as the expression's unanchored
// search would; false when the attempts would cost more than that search.
func (ps *prefixSearch) run(op memoOp, text, lower []byte) (memoVal, bool) {
	limit := maxCandidates
	if ps.unbounded {
		limit = min(limit, attemptBudget/max(len(text), 1))
	}
	var buf [32]int
	cands, ok := ps.candidates(lower, limit, buf[:0])
	if !ok {
		return memoVal{}, false
	}
	var v memoVal
	next := 0 // matches do not overlap: candidates before next are inside one
	for _, p := range cands {
		if p < next {
			continue
		}
		loc := ps.attempt(text, p)
		if loc == nil {
			continue
		}
		switch op {
		case opMatch:
			v.ok = true
			return v, true
		case opFind:
			v.loc = loc[:2:2]
			return v, true
		case opFindSub:
			v.loc = loc
			return v, true
		case opFindAll:
			v.all = append(v.all, loc[:2:2])
		case opFindAllSub:
			v.all = append(v.all, loc)
		}
		next = loc[1]
	}
	return v, true
}
