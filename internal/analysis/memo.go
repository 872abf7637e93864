package analysis

import (
	"regexp"
	"sync"
)

// Memo remembers, across the analyses of one document, what the detectors'
// regular expressions answered on each piece of text (a paragraph, a
// sentence, a code line). An edit changes a few pieces; when the document is
// analysed again, every other piece gets its answers from the memo, so the
// expensive part of the analysis — the expressions, about three quarters of
// it — is proportional to the edit, not to the document.
//
// Answers are keyed by the expression and the exact bytes they ran on, and
// an expression's answer depends on nothing else, so a memoised analysis is
// identical to a fresh one. Answers not used by one analysis are dropped by
// the next, which bounds the memo to about two analyses' worth of text.
//
// One analysis uses a memo at a time; an analysis that finds it in use runs
// without it (slower, same answers).
type Memo struct {
	mu       sync.Mutex
	cur, old map[string]*memoNode
	// parsed is the previous parse, for incremental parsing; edit is how
	// the text changed since then.
	parsed *parseState
	edit   memoEdit
	// prevNodes are the previous analysis's answers by offset and length
	// (in its text): through edit, unchanged slices are found again without
	// hashing their bytes.
	prevNodes *nodeTable
	// spare is the table before prevNodes, emptied: the next analysis fills
	// it rather than allocating and growing a new one on every keystroke.
	spare *nodeTable
	// Reparsed counts the analyses that parsed only the changed blocks,
	// analyses all those that used the memo.
	Reparsed int
	analyses int
}

// memoNode holds the answers for one piece of text: which expressions'
// literal gates pass on it (bit sets indexed by the expression's number), and
// the answers of those that passed. An expression runs on a piece once or
// twice, so a short list searched in order beats a map.
type memoNode struct {
	known, pass [gateWords]uint64
	ents        []memoEnt
	// lits is the set of numbered literals (litscan.go) that occur in the
	// text, the first litN of them looked for; litN is 0 until scanned.
	lits litSet
	litN int32
	// asked is set once an expression's gate has been checked on the text.
	asked bool
	// x holds what few nodes need. A 5 MB document has about 300,000
	// nodes; keeping these fields out of every one saves a third of them.
	x *nodeExtra
}

// nodeExtra is the part of a memo node that only some nodes need.
type nodeExtra struct {
	// mentions are the technology mentions in the text (spans relative to
	// it), found by mentionsBy.
	mentions   []Mention
	mentionsBy *Matcher
	// cues is the implied-points scan of the block whose lines the node's
	// text is (implicit_cues.go).
	cues *blockCues
	// low is the ASCII-lowered copy of text that is not a slice of the
	// document (runs joined by spaces), made on first use.
	low []byte
	// pats are the pattern rankings of pairs for the text (patternsFor).
	pats map[patKey][]string
}

// patKey is a pair ranked with an Env's library.
type patKey struct {
	env  *Env
	a, b string
}

// patternsFor is e.PatternsFor through the memo. A ranking depends on the
// pair and the words of the text alone, and after a keystroke every block
// but one has the text it had: ranking each implied point's patterns
// again was a fifth of a keystroke's analysis in a spec-kit workspace.
// Rankings are shared, never modified.
func (d *Doc) patternsFor(e *Env, a, b string, text []byte) []string {
	if d.memo == nil {
		return e.PatternsFor(a, b, text)
	}
	x := d.memo.node(text).extra()
	k := patKey{e, a, b}
	if ps, ok := x.pats[k]; ok {
		return ps
	}
	ps := e.PatternsFor(a, b, text)
	if x.pats == nil {
		x.pats = map[patKey][]string{}
	}
	x.pats[k] = ps
	return ps
}

// extra returns n's extra part, adding it when it has none.
func (n *memoNode) extra() *nodeExtra {
	if n.x == nil {
		n.x = &nodeExtra{}
	}
	return n.x
}

// gateWords bounds the expressions whose gate answers a node keeps (64 per
// word); an expression numbered beyond is gated afresh each time.
const gateWords = 2

// memoEdit says that the previous text's bytes [p, oldEnd) became the new
// text's [p, newEnd), everything else being equal.
type memoEdit struct {
	p, oldEnd, newEnd int
	ok                bool
}

type memoOp uint8

const (
	opMatch memoOp = iota
	opFind
	opFindAll
	opFindSub
	opFindAllSub
	opMay
	opAsk
)

// memoEnt is one answer with its key: expression number << 3 | op.
type memoEnt struct {
	key uint32
	val memoVal
}

// memoVal is one answer; callers must not modify its slices.
type memoVal struct {
	ok  bool
	loc []int
	all [][]int
}

// NewMemo returns an empty memo for one document.
func NewMemo() *Memo {
	return &Memo{cur: map[string]*memoNode{}, old: map[string]*memoNode{}}
}

// acquire takes the memo for one analysis, or reports that another has it.
func (m *Memo) acquire() bool { return m.mu.TryLock() }

// release ends an analysis: what it did not use is forgotten at the next.
func (m *Memo) release() {
	m.old, m.cur = m.cur, make(map[string]*memoNode, len(m.cur))
	m.mu.Unlock()
}

// abandon ends a stopped analysis: it forgets nothing, since it did not
// see the whole document.
func (m *Memo) abandon() { m.mu.Unlock() }

// keepNodes makes nodes, the answers by offset of a finished analysis, the
// previous ones, and keeps the table they replace for reuse.
func (m *Memo) keepNodes(nodes *nodeTable) {
	old := m.prevNodes
	m.prevNodes = nodes
	if old != nil && old.len() >= nodes.len()/2 {
		old.reset()
		m.spare = old
	}
}

// newNodes returns an empty table for an analysis's answers by offset.
func (m *Memo) newNodes() *nodeTable {
	if n := m.spare; n != nil {
		m.spare = nil
		return n
	}
	return newNodeTable(m.prevNodes.len())
}

// carry completes the answers by offset of a stopped analysis with those of
// the analysis before it that it did not reach, moved through the edit
// between their texts as memoNode finds them, so the next analysis still
// finds them.
func (m *Memo) carry(nodes *nodeTable) *nodeTable {
	if !m.edit.ok || m.prevNodes.len() == 0 {
		return nodes
	}
	if nodes == nil {
		nodes = newNodeTable(m.prevNodes.len())
	}
	m.prevNodes.each(func(k uint64, n *memoNode) {
		off, ln := int(k>>32), int(k&(1<<32-1))
		switch {
		case off+ln <= m.edit.p:
		case off >= m.edit.oldEnd:
			off += m.edit.newEnd - m.edit.oldEnd
		default:
			return // the edit changed these bytes
		}
		nk := uint64(off)<<32 | uint64(ln)
		if _, ok := nodes.get(nk); !ok && nk != 0 {
			nodes.put(nk, n)
		}
	})
	return nodes
}

// node returns the answers for text, creating the entry when it is new.
func (m *Memo) node(text []byte) *memoNode {
	if n, ok := m.cur[string(text)]; ok {
		return n
	}
	n, ok := m.old[string(text)]
	if !ok {
		n = &memoNode{}
	}
	m.cur[string(text)] = n
	return n
}

// Stats returns how many analyses used the memo and how many of them parsed
// only the changed blocks, for tests and figures.
func (m *Memo) Stats() (analyses, reparsed int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.analyses, m.Reparsed
}

// Len returns how many answers the memo holds, for tests and figures.
func (m *Memo) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	seen := map[*memoNode]bool{}
	n := 0
	count := func(nd *memoNode) {
		if !seen[nd] {
			seen[nd] = true
			n += len(nd.ents)
		}
	}
	for _, g := range []map[string]*memoNode{m.cur, m.old} {
		for _, nd := range g {
			count(nd)
		}
	}
	m.prevNodes.each(func(_ uint64, nd *memoNode) { count(nd) })
	return n
}

// The methods below run re on text — which starts at document offset off, or
// off < 0 when text is not a slice of the document — behind its literal gate
// and through the document's memo when it has one.

func (d *Doc) gate(gi *gateInfo, text []byte, off int, n *memoNode) bool {
	if gi.lits == nil {
		return true
	}
	lower := d.lowerOf(text, off, n)
	// A node asked about by one expression only (a suffix a detector
	// searches again after a match) is not worth scanning for all
	// literals: the first question of a node is answered by its own,
	// unless they are many (a search per literal then costs more than
	// one scan for all).
	if n == nil || !gi.masked || n.litN == 0 && !n.asked && gi.nlits <= fewLits {
		if n != nil {
			n.asked = true
		}
		return gi.may(lower)
	}
	if int(n.litN) < gi.maxLit {
		if ix := d.lits; ix != nil && off >= 0 && ix.n >= gi.maxLit {
			n.lits, n.litN = ix.set(off, off+len(text)), int32(ix.n)
		} else {
			s := gates.litScanner()
			n.lits, n.litN = s.scan(lower), int32(len(s.lits))
		}
	}
	return gi.passes(&n.lits)
}

func (d *Doc) run(re *rx, op memoOp, text []byte, off int) memoVal {
	if d.stop() {
		return memoVal{} // the answers no longer matter; none is memoised
	}
	gi := re.info()
	if d.memo == nil {
		return d.compute(re, op, d.gate(gi, text, off, nil), text, d.lowerOf(text, off, nil))
	}
	n := d.memoNode(text, off)
	var pass bool
	if w, bit := gi.id/64, uint64(1)<<(gi.id%64); w < gateWords {
		if n.known[w]&bit == 0 {
			n.known[w] |= bit
			if d.gate(gi, text, off, n) {
				n.pass[w] |= bit
			}
		}
		pass = n.pass[w]&bit != 0
	} else {
		pass = d.gate(gi, text, off, n)
	}
	if !pass || op == opMay {
		return memoVal{ok: pass && op == opMay}
	}
	key := uint32(gi.id)<<3 | uint32(op)
	for i := range n.ents {
		if n.ents[i].key == key {
			return n.ents[i].val
		}
	}
	v := d.compute(re, op, true, text, d.lowerOf(text, off, n))
	n.ents = append(n.ents, memoEnt{key, v})
	return v
}

// stop reports whether the analysis was cancelled (Input.Ctx). The
// context is polled every 64 expressions: the expressions are most of the
// analysis, so a cancelled one ends within a few of them.
func (d *Doc) stop() bool {
	if d.ctx == nil {
		return false // not analysing, or not cancellable
	}
	if d.stopped {
		return true
	}
	d.polls++
	if d.polls%64 == 0 && d.ctx.Err() != nil {
		d.stopped = true
	}
	return d.stopped
}

// lowerOf returns the ASCII-lowered copy of text, a slice of the document
// at offset off, or, when off is -1, text joined from several runs (kept
// in its memo node n when there is one). Joined text is gated, and runs as
// its lowered variant and through its prefix search, as slices do: a
// paragraph with a link or inline code is joined text, and such blocks are
// most of a spec.
func (d *Doc) lowerOf(text []byte, off int, n *memoNode) []byte {
	if off >= 0 {
		return d.Lower[off : off+len(text)]
	}
	if n == nil {
		return asciiLower(text)
	}
	x := n.extra()
	if x.low == nil || len(x.low) != len(text) {
		x.low = asciiLower(text)
	}
	return x.low
}

// compute answers op of re on text, lower being its ASCII-lowered copy;
// gate false means the literal gate already ruled a match out.
func (d *Doc) compute(x *rx, op memoOp, gate bool, text, lower []byte) memoVal {
	var v memoVal
	if !gate {
		return v
	}
	if op == opMay {
		v.ok = true
		return v
	}
	re := x.Regexp
	gi := x.info()
	if gi.low != nil {
		re, text = gi.low, lower
	}
	if gi.pre != nil {
		if v, ok := gi.pre.run(op, text, lower); ok {
			return v
		}
	}
	return runPlain(re, op, text)
}

// runPlain answers op with re's own unanchored search.
func runPlain(re *regexp.Regexp, op memoOp, text []byte) memoVal {
	var v memoVal
	switch op {
	case opMatch:
		v.ok = re.Match(text)
	case opFind:
		v.loc = re.FindIndex(text)
	case opFindAll:
		v.all = re.FindAllIndex(text, -1)
	case opFindSub:
		v.loc = re.FindSubmatchIndex(text)
	case opFindAllSub:
		v.all = re.FindAllSubmatchIndex(text, -1)
	}
	return v
}

// memoNode finds text's answers. Detectors run many expressions on the same
// slices of the document; within one analysis a slice is recognised by its
// offset and length, so its bytes are hashed once, not once per expression.
func (d *Doc) memoNode(text []byte, off int) *memoNode {
	if len(text) > 0 && len(text) == len(d.lastText) && &text[0] == &d.lastText[0] {
		return d.lastNode
	}
	var key uint64
	if off >= 0 {
		key = uint64(off)<<32 | uint64(len(text))
		if n, ok := d.nodes.get(key); ok {
			d.lastText, d.lastNode = text, n
			return n
		}
	}
	m := d.memo
	if off >= 0 && m.edit.ok && m.prevNodes != nil {
		var prevKey uint64
		switch {
		case off+len(text) <= m.edit.p:
			prevKey = key
		case off >= m.edit.newEnd:
			prevKey = uint64(off-m.edit.newEnd+m.edit.oldEnd)<<32 | uint64(len(text))
		}
		if n, ok := m.prevNodes.get(prevKey); ok && prevKey != 0 {
			if d.nodes == nil {
				d.nodes = m.newNodes()
			}
			d.nodes.put(key, n)
			d.lastText, d.lastNode = text, n
			return n
		}
	}
	// A slice of the document is found again by its offset (above); only
	// text built by joining runs needs its bytes as the key, which would
	// otherwise copy every slice the detectors look at.
	var n *memoNode
	if off >= 0 {
		n = &memoNode{}
	} else {
		n = m.node(text)
	}
	if off >= 0 {
		if d.nodes == nil {
			d.nodes = m.newNodes()
		}
		d.nodes.put(key, n)
	}
	d.lastText, d.lastNode = text, n
	return n
}

// mayInDoc is false when re can match nowhere in the document, as far as a
// fresh analysis's literal index tells (true without one: re-analyses
// have no index, and scanning the whole text for it would cost more than
// the blocks' own gates, which their memo keeps). A detector that reads
// every block asks it first: nine in ten of its expressions have no
// literal in a given document, and asking each block's gate was most of
// their cost.
func (d *Doc) mayInDoc(re *rx) bool {
	gi := re.info()
	if gi.lits == nil || !gi.masked || d.lits == nil || d.lits.n < gi.maxLit {
		return true
	}
	if d.docLits == nil {
		set := d.lits.set(0, len(d.Src))
		d.docLits = &set
	}
	return gi.passes(d.docLits)
}

// may is the literal gate alone: false when re cannot match text.
func (d *Doc) may(re *rx, text []byte, off int) bool {
	return d.run(re, opMay, text, off).ok
}

// match is re.Match.
func (d *Doc) match(re *rx, text []byte, off int) bool {
	return d.run(re, opMatch, text, off).ok
}

// find is re.FindIndex.
func (d *Doc) find(re *rx, text []byte, off int) []int {
	return d.run(re, opFind, text, off).loc
}

// findAll is re.FindAllIndex(text, -1).
func (d *Doc) findAll(re *rx, text []byte, off int) [][]int {
	return d.run(re, opFindAll, text, off).all
}

// findSub is re.FindSubmatchIndex.
func (d *Doc) findSub(re *rx, text []byte, off int) []int {
	return d.run(re, opFindSub, text, off).loc
}

// findAllSub is re.FindAllSubmatchIndex(text, -1).
func (d *Doc) findAllSub(re *rx, text []byte, off int) [][]int {
	return d.run(re, opFindAllSub, text, off).all
}

// findMentions is m.Find over a run of the document, through the memo.
func (d *Doc) findMentions(m *Matcher, run Span, block int, out []Mention) []Mention {
	if d.memo == nil {
		return m.Find(d.Src, run, block, out)
	}
	n := d.memoNode(d.Src[run.Start:run.End], run.Start)
	x := n.extra()
	if x.mentionsBy != m {
		found := m.Find(d.Src, run, block, nil)
		for i := range found {
			found[i].Span = Span{found[i].Span.Start - run.Start, found[i].Span.End - run.Start}
		}
		x.mentions, x.mentionsBy = found, m
	}
	for _, mn := range x.mentions {
		mn.Span = Span{mn.Span.Start + run.Start, mn.Span.End + run.Start}
		mn.Block = block
		out = append(out, mn)
	}
	return out
}

// question is a yes/no question about a piece of text that depends on its
// lowered bytes alone; through the memo it is answered once per piece, like
// an expression.
type question struct {
	id uint32
	fn func(lower []byte) bool
}

// ask answers q on text, a slice of the document at offset off.
func (d *Doc) ask(q *question, text []byte, off int) bool {
	low := d.Lower[off : off+len(text)]
	if d.memo == nil {
		return q.fn(low)
	}
	n := d.memoNode(text, off)
	key := q.id<<3 | uint32(opAsk)
	for i := range n.ents {
		if n.ents[i].key == key {
			return n.ents[i].val.ok
		}
	}
	v := q.fn(low)
	n.ents = append(n.ents, memoEnt{key, memoVal{ok: v}})
	return v
}
