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
//
// The same lowered copy also speeds up the expressions themselves: a (?i)
// expression compares every letter through Unicode case folding, and it
// hides literal prefixes from the engine. Its lowered variant — the same
// syntax tree with ASCII letters lowered and case folding off — runs on the
// lowered copy instead and gives the same offsets (TestLoweredVariants).

import (
	"bytes"
	"regexp"
	"regexp/syntax"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"unicode"
)

// rx is a compiled expression of a detector with what the helpers of
// memo.go need of it — its literal gate, its lowered variant, its number —
// kept with it rather than looked up on every call.
type rx struct {
	*regexp.Regexp
	gi atomic.Pointer[gateInfo]
}

// mustRx compiles a detector's expression; it is for package-level
// variables, like regexp.MustCompile. What the helpers need of it is
// worked out by Warm, not here: for the 89 expressions that took 50 ms of
// the program's start (60 ms to answer initialize), before a language
// server could answer or `check` read its first file.
func mustRx(expr string) *rx {
	x := &rx{Regexp: regexp.MustCompile(expr)}
	gates.mu.Lock()
	gates.all = append(gates.all, x)
	gates.mu.Unlock()
	return x
}

// info returns what the helpers need of x, working it out for every
// detector expression on first use (Warm).
func (x *rx) info() *gateInfo {
	if gi := x.gi.Load(); gi != nil {
		return gi
	}
	return x.slowInfo()
}

// slowInfo is info before Warm has run (kept apart so that info inlines).
func (x *rx) slowInfo() *gateInfo {
	Warm()
	if gi := x.gi.Load(); gi != nil {
		return gi
	}
	gi := gates.info(x.Regexp) // an expression made after Warm
	x.gi.Store(gi)
	return gi
}

// Warm works out, once per process, the literal gates, lowered variants
// and prefix searches of every detector expression, on all processors
// (about 12 ms of one). The first analysis does it: the language server
// answers initialize first (started at the same time, it only competed
// with the answer: BenchmarkColdStartBinary).
func Warm() { gates.warm.Do(gates.warmAll) }

func (g *gateRegistry) warmAll() {
	g.mu.Lock()
	all := append([]*rx(nil), g.all...)
	g.mu.Unlock()
	infos := make([]*gateInfo, len(all))
	var next atomic.Int64
	var wg sync.WaitGroup
	for range max(1, min(runtime.GOMAXPROCS(0), len(all))) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := int(next.Add(1)) - 1; i < len(all); i = int(next.Add(1)) - 1 {
				infos[i] = analyzeExpr(all[i].Regexp)
			}
		}()
	}
	wg.Wait()
	// Numbered in the order the expressions were made, whatever order
	// they were worked out in: the same numbers in every run.
	for i, x := range all {
		x.gi.Store(g.register(x.Regexp, infos[i]))
	}
}

// gates memoises requiredSets per compiled expression and numbers the
// expressions for the memo. It is a cache of a pure function of immutable
// values, safe for concurrent use.
var gates gateRegistry

type gateRegistry struct {
	// m is replaced, never modified, so reads need no lock: expressions
	// are registered once each, on first use, and read thousands of times
	// per analysis.
	m  atomic.Pointer[map[*regexp.Regexp]*gateInfo]
	mu sync.Mutex // serialises registrations, and guards all
	// all are the detector expressions (mustRx), in the order made; warm
	// works out their gates once (Warm).
	all  []*rx
	warm sync.Once
	// litIDs numbers the literals of all expressions (litscan.go); lits
	// lists them by number. Both are guarded by mu.
	litIDs map[string]int
	lits   [][]byte
	// scanner finds the numbered literals; it is rebuilt, on first use,
	// after a registration has numbered new ones.
	scanner atomic.Pointer[litScanner]
}

// litScanner returns a scanner for every literal numbered so far.
func (g *gateRegistry) litScanner() *litScanner {
	if s := g.scanner.Load(); s != nil {
		return s
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	if s := g.scanner.Load(); s != nil {
		return s
	}
	s := newLitScanner(g.lits[:len(g.lits):len(g.lits)])
	g.scanner.Store(s)
	return s
}

// gateInfo is what is known of one expression: its literals (nil: no
// gate) and its number.
type gateInfo struct {
	lits [][]byte
	id   int
	// low is the lowered variant of the expression, or nil when it has
	// none (no case folding, or case-sensitive parts).
	low *regexp.Regexp
	// mask is the set of the numbers of lits, when all are numbered below
	// litWords*64 (masked is then set).
	mask   litSet
	masked bool
	maxLit int // one more than the highest number in mask and alsoMask
	// also are further sets of literals every match contains one of
	// (other parts of a concatenation: `status … (rejected|deferred)`),
	// with their masks: a gate passes only when every set has a literal
	// in the text. Many blocks say "status"; few also say "rejected".
	also     [][][]byte
	alsoMask []litSet
	nlits    int // the literals of all sets
	// pending holds the literal sets between analyzeExpr and register.
	pending [][][]byte
	// pre runs the expression as it runs on a slice of the document (its
	// lowered variant if any) only where a match can start, or is nil when
	// its matches do not all start with a literal (prefix.go).
	pre *prefixSearch
}

// info returns re's gate, working it out and registering it when re is
// new.
func (g *gateRegistry) info(re *regexp.Regexp) *gateInfo {
	if m := g.m.Load(); m != nil {
		if gi, ok := (*m)[re]; ok {
			return gi
		}
	}
	return g.register(re, analyzeExpr(re))
}

// analyzeExpr works out re's gate but for the numbers (register): the
// costly part, done without the registry's lock.
func analyzeExpr(re *regexp.Regexp) *gateInfo {
	gi := &gateInfo{pending: requiredSets(re), low: lowered(re)}
	if gi.low != nil {
		gi.pre = newPrefixSearch(gi.low.String())
	} else {
		gi.pre = newPrefixSearch(re.String())
	}
	return gi
}

// register numbers re and the literals of its gate gi (from analyzeExpr),
// unless re is registered already; it returns re's gate.
func (g *gateRegistry) register(re *regexp.Regexp, gi *gateInfo) *gateInfo {
	g.mu.Lock()
	defer g.mu.Unlock()
	old := g.m.Load()
	if old != nil {
		if had, ok := (*old)[re]; ok {
			return had
		}
	}
	next := make(map[*regexp.Regexp]*gateInfo, 1)
	if old != nil {
		next = make(map[*regexp.Regexp]*gateInfo, len(*old)+1)
		for k, v := range *old {
			next[k] = v
		}
	}
	sets := gi.pending
	gi.pending = nil
	gi.id = len(next)
	if len(sets) > 0 {
		gi.lits, gi.also = sets[0], sets[1:]
		for _, set := range sets {
			gi.nlits += len(set)
		}
		gi.masked = true
		gi.alsoMask = make([]litSet, len(gi.also))
		for i, set := range sets {
			mask := &gi.mask
			if i > 0 {
				mask = &gi.alsoMask[i-1]
			}
			for _, l := range set {
				id := g.number(l)
				if id >= litWords*64 {
					gi.masked = false
					continue
				}
				mask[id/64] |= 1 << (id % 64)
				gi.maxLit = max(gi.maxLit, id+1)
			}
		}
	}
	next[re] = gi
	g.m.Store(&next)
	return gi
}

// number returns the number of literal l, numbering it if it is new. The
// caller holds g.mu.
func (g *gateRegistry) number(l []byte) int {
	if g.litIDs == nil {
		g.litIDs = map[string]int{}
	}
	id, ok := g.litIDs[string(l)]
	if !ok {
		id = len(g.lits)
		g.litIDs[string(l)] = id
		g.lits = append(g.lits, l)
		g.scanner.Store(nil)
	}
	return id
}

// may reports whether the expression can match text, given lower, the
// ASCII-lowered copy of text. false means it cannot; true means it might.
func (gi *gateInfo) may(lower []byte) bool {
	if gi.lits == nil {
		return true
	}
	if !containsAny(lower, gi.lits) {
		return false
	}
	for _, set := range gi.also {
		if !containsAny(lower, set) {
			return false
		}
	}
	return true
}

// passes is may on the set of the literals that text holds (a scan of
// it that numbered every literal of gi).
func (gi *gateInfo) passes(found *litSet) bool {
	if !found.intersects(&gi.mask) {
		return false
	}
	for i := range gi.alsoMask {
		if !found.intersects(&gi.alsoMask[i]) {
			return false
		}
	}
	return true
}

func containsAny(text []byte, lits [][]byte) bool {
	for _, l := range lits {
		if bytes.Contains(text, l) {
			return true
		}
	}
	return false
}

// fewLits is the most literals a gate looks for one by one in a node's
// text (bytes.Contains each) rather than scanning it once for all.
const fewLits = 4

// maxGateSets bounds the sets of literals a gate looks for.
const maxGateSets = 3

// requiredSets returns sets of lower-cased literals such that every match
// of re contains a literal of each, the most discriminating first (the one
// literalsOf picks), or nil when no set is known. Sets whose literals are
// single bytes are left out after the first: they occur nearly everywhere.
func requiredSets(re *regexp.Regexp) [][][]byte {
	tree, err := syntax.Parse(re.String(), syntax.Perl)
	if err != nil {
		return nil
	}
	t := tree.Simplify()
	first, ok := literalsOf(t)
	if !ok {
		return nil
	}
	out := [][][]byte{toBytes(first)}
	seen := map[string]bool{strings.Join(first, "\x00"): true}
	for _, set := range literalSetsOf(t) {
		key := strings.Join(set, "\x00")
		if seen[key] || shortest(set) < 2 || len(out) == maxGateSets {
			continue
		}
		seen[key] = true
		out = append(out, toBytes(set))
	}
	return out
}

// literalSetsOf returns sets of lowered literals such that every match of
// t contains one literal of each: the sets of every part of a
// concatenation, or literalsOf's one set.
func literalSetsOf(t *syntax.Regexp) [][]string {
	switch t.Op {
	case syntax.OpCapture, syntax.OpPlus:
		return literalSetsOf(t.Sub[0])
	case syntax.OpRepeat:
		if t.Min >= 1 {
			return literalSetsOf(t.Sub[0])
		}
		return nil
	case syntax.OpConcat:
		var out [][]string
		for _, sub := range t.Sub {
			out = append(out, literalSetsOf(sub)...)
		}
		return out
	}
	if set, ok := literalsOf(t); ok {
		return [][]string{set}
	}
	return nil
}

func shortest(set []string) int {
	m := 1 << 30
	for _, s := range set {
		m = min(m, len(s))
	}
	return m
}

func toBytes(set []string) [][]byte {
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

// lowered returns the variant of a (?i) expression that matches ASCII-lowered
// text with case folding off, or nil when there is none: the expression
// folds no case, or has a case-sensitive part that names upper-case
// letters (which lowered text no longer holds).
//
// The variant's source comes from loweredTable when the expression is
// there: working it out prints the changed syntax tree, and printing a
// character class that (?i) has closed under case folding (`[^,.]`,
// `\W`) checks every rune it holds, half of what preparing the detectors
// cost (Warm).
func lowered(re *regexp.Regexp) *regexp.Regexp {
	src, ok := loweredTable[re.String()]
	if !ok {
		src = loweredExpr(re.String())
	}
	if src == "" {
		return nil
	}
	low, err := regexp.Compile(src)
	if err != nil {
		return nil
	}
	return low
}

// loweredExpr returns the source of lowered's variant of expr, or "" when
// there is none.
func loweredExpr(expr string) string {
	tree, err := syntax.Parse(expr, syntax.Perl)
	if err != nil {
		return ""
	}
	folds := false
	ok := true
	var walk func(t *syntax.Regexp)
	walk = func(t *syntax.Regexp) {
		switch t.Op {
		case syntax.OpLiteral:
			if t.Flags&syntax.FoldCase != 0 {
				folds = true
				t.Flags &^= syntax.FoldCase
				for i, r := range t.Rune {
					switch {
					case r >= 'A' && r <= 'Z':
						t.Rune[i] = r + 'a' - 'A'
					case r >= 0x80 && unicode.SimpleFold(r) != r:
						// A cased non-ASCII letter: keep folding for it.
						t.Flags |= syntax.FoldCase
					}
				}
			} else {
				for _, r := range t.Rune {
					if r >= 'A' && r <= 'Z' {
						ok = false
					}
				}
			}
		case syntax.OpCharClass:
			// An upper-case letter the class holds without its lower case
			// would never match lowered text.
			for i := 0; i+1 < len(t.Rune); i += 2 {
				for r := max(t.Rune[i], 'A'); r <= min(t.Rune[i+1], 'Z'); r++ {
					if !classHas(t.Rune, r+'a'-'A') {
						ok = false
					}
				}
			}
		}
		for _, sub := range t.Sub {
			walk(sub)
		}
	}
	walk(tree)
	if !folds || !ok {
		return ""
	}
	return tree.String()
}

func classHas(ranges []rune, r rune) bool {
	for i := 0; i+1 < len(ranges); i += 2 {
		if ranges[i] <= r && r <= ranges[i+1] {
			return true
		}
	}
	return false
}
