package analysis

import (
	"bytes"

	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Incremental parsing. A keystroke changes one or two top-level blocks; the
// blocks before and after them parse the same as before, only their offsets
// move. reparse finds the smallest stretch of the new text, between two cut
// points, that holds the change, parses just that stretch with goldmark, and
// splices its blocks between the old blocks before and after it.
//
// A cut point is the start of a line at which Markdown's block structure is
// known to be closed whatever follows, so that the text from there on parses
// the same alone as inside the document:
//   - the line before it is blank, which ends paragraphs, tables, setext
//     headings and lazy continuations;
//   - it starts in column 0 with something other than a list marker or
//     `>`, so no list item or block quote from above goes on through it;
//   - no old block spans it, which rules out fenced code and the HTML blocks
//     that run across blank lines.
//
// The stretch must also close before its end cut in the new parse (an
// unclosed fence would run on into the old blocks), must not touch the front
// matter, and neither its old nor its new text may hold a link reference
// definition (`]:`), which changes how links parse anywhere in the
// document. When any of this fails, the whole document is parsed.
// TestIncrementalParseMatchesFull checks the result block for block against
// a full parse on thousands of random edits.

// parseState is what the memo keeps of the previous parse.
type parseState struct {
	src  []byte // the caller's: Input.Src must not change once analysed
	doc  *Doc
	refs []parser.Reference
}

// parse parses src, reusing the memo's previous parse when it can.
func (m *Memo) parse(src []byte) *Doc {
	m.analyses++
	m.edit = memoEdit{}
	if prev := m.parsed; prev != nil {
		// The changed bytes: prev.src[p:oldEnd] became src[p:newEnd].
		p := commonPrefix(prev.src, src)
		s := commonSuffix(prev.src[p:], src[p:])
		m.edit = memoEdit{p: p, oldEnd: len(prev.src) - s, newEnd: len(src) - s, ok: true}
		if d := reparse(prev, src, m.edit); d != nil {
			// Labels run expressions over headings and list labels: through
			// the memo, only the changed ones run again.
			d.memo = m
			d.computeLabels()
			m.parsed = &parseState{src: src, doc: d, refs: prev.refs}
			m.Reparsed++
			return d
		}
	}
	d, refs := parseFull(src)
	m.parsed = &parseState{src: src, doc: d, refs: refs}
	return d
}

// reparse returns the parse of src spliced from prev, or nil when the change
// cannot be isolated.
func reparse(prev *parseState, src []byte, ed memoEdit) *Doc {
	old := prev.src
	if ed.p == len(old) && ed.p == len(src) {
		d := *prev.doc
		d.Src, d.Lower = src, lowerEdited(prev.doc.Lower, src, ed)
		d.memo, d.lastText, d.lastNode, d.nodes = nil, nil, nil, nil
		d.Blocks = append([]Block(nil), prev.doc.Blocks...)
		return &d
	}
	p, oldEnd := ed.p, ed.oldEnd
	delta := len(src) - len(old)
	if hasLoneCR(src) {
		return nil // goldmark and lineStart may not agree on such lines
	}
	fm := prev.doc.FrontMatter.End
	if frontMatterEnd(src) != fm {
		return nil
	}
	blocks := prev.doc.Blocks
	for _, b := range blocks {
		if b.Span.Len() == 0 {
			return nil // an empty fence has no position to order it by
		}
	}
	a, ok := cutBefore(old, src, blocks, min(p, oldEnd), fm)
	if !ok {
		return nil
	}
	bOld, ok := cutAfter(old, blocks, oldEnd)
	if !ok {
		return nil
	}
	bNew := bOld + delta
	if bNew < len(src) && !(isCutLine(src, bNew) && blankBefore(src, bNew)) {
		return nil
	}
	if bytes.Contains(old[a:bOld], []byte("]:")) || bytes.Contains(src[a:bNew], []byte("]:")) {
		return nil
	}
	if a == 0 && (bytes.HasPrefix(src, bom) || bytes.HasPrefix(old, bom)) {
		return nil // a full parse reads the mark as blanks (parseFull)
	}
	region := src[a:bNew]
	ctx := parser.NewContext()
	for _, r := range prev.refs {
		ctx.AddReference(r)
	}
	root := mdParser.Parse(text.NewReader(region), parser.WithContext(ctx))
	rd := &Doc{Src: region}
	w := walker{d: rd, src: region, section: -1}
	w.walk(root, 0, Span{})
	for _, b := range rd.Blocks {
		if b.Span.Len() == 0 {
			return nil
		}
	}
	// The stretch must be closed before the blank line above its end cut.
	if bNew < len(src) {
		blank := lineStart(src, bNew-1) - a
		for _, b := range rd.Blocks {
			if blockEnd(b) > blank {
				return nil
			}
		}
	}
	d := &Doc{Src: src, Lower: lowerEdited(prev.doc.Lower, src, ed), FrontMatter: prev.doc.FrontMatter}
	d.Blocks = make([]Block, 0, len(blocks)+len(rd.Blocks))
	i := 0
	for ; i < len(blocks) && blockEnd(blocks[i]) <= a; i++ {
		d.Blocks = append(d.Blocks, blocks[i])
	}
	for _, b := range rd.Blocks {
		d.Blocks = append(d.Blocks, shiftBlock(b, a))
	}
	for ; i < len(blocks); i++ {
		if blocks[i].Span.Start >= bOld {
			d.Blocks = append(d.Blocks, shiftBlock(blocks[i], delta))
		}
	}
	sec := -1
	for i := range d.Blocks {
		d.Blocks[i].Section = sec
		if d.Blocks[i].Kind == KindHeading {
			sec = i
		}
	}
	return d
}

// cutBefore returns the last cut point at or before the line of off.
func cutBefore(old, src []byte, blocks []Block, off, fm int) (int, bool) {
	for c := lineStart(old, off); c > fm; c = lineStart(old, c-1) {
		if isCut(old, blocks, c) && isCutLine(src, c) {
			return c, true
		}
		if c == 0 {
			break
		}
	}
	if fm == 0 {
		return 0, true // the document's start is always a cut
	}
	return 0, false
}

// cutAfter returns the first cut point after the line holding off (in old),
// or len(old): the end of the document.
func cutAfter(old []byte, blocks []Block, off int) (int, bool) {
	c := lineEnd(old, off)
	for c < len(old) {
		c++ // past the line break
		if c < len(old) && old[c-1] == '\r' && old[c] == '\n' {
			c++
		}
		if c >= len(old) {
			break
		}
		if isCut(old, blocks, c) {
			return c, true
		}
		c = lineEnd(old, c)
	}
	return len(old), true
}

// isCut reports whether the line at c of src (an old parse's source, with
// its blocks) is a cut point: see the comment at the top of the file.
func isCut(src []byte, blocks []Block, c int) bool {
	if c == 0 || !isCutLine(src, c) {
		return false
	}
	if !blankBefore(src, c) {
		return false
	}
	prev := prevLineStart(src, c)
	// No block may span the cut (fenced code, HTML blocks over blank
	// lines). Blocks are in document order; find the last starting before c.
	lo, hi := 0, len(blocks)
	for lo < hi {
		mid := (lo + hi) / 2
		if blocks[mid].Span.Start < c {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	for i := lo - 1; i >= 0 && i >= lo-8; i-- {
		if blockEnd(blocks[i]) > prev {
			return false
		}
	}
	return true
}

// isCutLine reports whether the line starting at c opens a top-level block
// that nothing above can continue: column 0, not blank, not a list marker or
// block quote, not a table or setext underline.
func isCutLine(src []byte, c int) bool {
	if c > len(src) {
		return false
	}
	line := src[c:lineEnd(src, c)]
	if len(line) == 0 {
		return false
	}
	switch line[0] {
	case ' ', '\t', '\r', '>', '-', '+', '*', '|', '=', ':':
		return false
	}
	// Ordered list markers: digits then '.' or ')'.
	i := 0
	for i < len(line) && i < 10 && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	if i > 0 && i < len(line) && (line[i] == '.' || line[i] == ')') {
		return false
	}
	return true
}

// blockEnd is where a block's text ends: an HTML block's closing line may
// lie past its span.
func blockEnd(b Block) int {
	e := b.Span.End
	if n := len(b.Text); n > 0 {
		e = max(e, b.Text[n-1].End)
	}
	return e
}

// prevLineStart returns the start of the line before the one at c (c > 0,
// a line start).
func prevLineStart(src []byte, c int) int {
	e := c - 1 // the line break ending the previous line
	if e >= 1 && src[e] == '\n' && src[e-1] == '\r' {
		e--
	}
	return lineStart(src, e)
}

// blankBefore reports whether the line before the one at c is blank.
func blankBefore(src []byte, c int) bool {
	if c == 0 {
		return false
	}
	return len(bytes.TrimSpace(src[prevLineStart(src, c):c])) == 0
}

func shiftBlock(b Block, by int) Block {
	if by == 0 {
		return b
	}
	b.Span = Span{b.Span.Start + by, b.Span.End + by}
	if b.Label != (Span{}) {
		b.Label = Span{b.Label.Start + by, b.Label.End + by}
	}
	t := make([]Span, len(b.Text))
	for i, r := range b.Text {
		t[i] = Span{r.Start + by, r.End + by}
	}
	b.Text = t
	return b
}

// lowerEdited returns asciiLower(src), given prevLower, the lowered text
// before the edit ed: only the changed bytes are lowered, the rest copied.
func lowerEdited(prevLower, src []byte, ed memoEdit) []byte {
	out := make([]byte, len(src))
	copy(out, prevLower[:ed.p])
	for i := ed.p; i < ed.newEnd; i++ {
		c := src[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	copy(out[ed.newEnd:], prevLower[ed.oldEnd:])
	return out
}

func hasLoneCR(b []byte) bool {
	for i := bytes.IndexByte(b, '\r'); i >= 0; {
		if i+1 >= len(b) || b[i+1] != '\n' {
			return true
		}
		j := bytes.IndexByte(b[i+1:], '\r')
		if j < 0 {
			break
		}
		i += 1 + j
	}
	return false
}

func commonPrefix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && string(a[i:i+8]) == string(b[i:i+8]) {
		i += 8
	}
	for i < n && a[i] == b[i] {
		i++
	}
	return i
}

func commonSuffix(a, b []byte) int {
	n := min(len(a), len(b))
	i := 0
	for i+8 <= n && string(a[len(a)-i-8:len(a)-i]) == string(b[len(b)-i-8:len(b)-i]) {
		i += 8
	}
	for i < n && a[len(a)-1-i] == b[len(b)-1-i] {
		i++
	}
	return i
}
