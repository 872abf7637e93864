package analysis

// After a keystroke, every block but one is as it was, and so is what the
// implied-points scan finds in it: the cues of each concern that count as
// a need of the document (cueCounts). Searching for them again — sixteen
// expressions per run of text, then the exclusion rules around each hit —
// was a third of re-analysing the document. The cues that count are kept
// in the memo node of the block's lines instead, with the block's shape,
// and reused while both are unchanged.
//
// What cueCounts reads of the document is all inside those lines: the
// hit's line (questions, placeholders, negations before it) and its
// sentence, which stops at the block's span, plus the byte after the span
// (a question mark) and whether the block is under a rejection label. The
// memo node stands for the exact bytes of the lines; the label and the
// block's shape (kind, span, runs) are compared on reuse.

// cueHit is a cue of concerns[ci] at sp (relative to the block's lines)
// that counts.
type cueHit struct {
	ci int
	sp Span
}

// blockCues is the scan of one block: per run of its text, the cues that
// count, by concern and then by position.
type blockCues struct {
	kind      BlockKind
	label     bool
	dataModel bool
	span      Span
	runs      []Span
	hits      [][]cueHit
}

// cueHits returns block b's cues that count, per run, with spans relative
// to base.
func (r *Result) cueHits(b int, dataModel bool) (hits [][]cueHit, base int) {
	d := r.Doc
	blk := &d.Blocks[b]
	lines := Span{lineStart(d.Src, blk.Span.Start), min(len(d.Src), lineEnd(d.Src, blk.Span.End)+1)}
	if d.memo == nil {
		return r.scanCues(b, dataModel, lines.Start), lines.Start
	}
	n := d.memoNode(d.Src[lines.Start:lines.End], lines.Start)
	if bc := n.cuesOf(); bc != nil && bc.fits(d, b, lines.Start, dataModel) {
		return bc.hits, lines.Start
	}
	hits = r.scanCues(b, dataModel, lines.Start)
	if d.stop() {
		return hits, lines.Start // incomplete: not kept
	}
	bc := &blockCues{kind: blk.Kind, label: d.labelled(b), dataModel: dataModel,
		span: blk.Span.shift(-lines.Start), hits: hits}
	for _, run := range blk.Text {
		bc.runs = append(bc.runs, run.shift(-lines.Start))
	}
	n.extra().cues = bc
	return hits, lines.Start
}

// cuesOf returns the node's kept scan, or nil.
func (n *memoNode) cuesOf() *blockCues {
	if n.x == nil {
		return nil
	}
	return n.x.cues
}

// fits reports whether the scan was of a block shaped like block b, whose
// lines start at base.
func (bc *blockCues) fits(d *Doc, b, base int, dataModel bool) bool {
	blk := &d.Blocks[b]
	if bc.kind != blk.Kind || bc.label != d.labelled(b) || bc.dataModel != dataModel ||
		bc.span != blk.Span.shift(-base) || len(bc.runs) != len(blk.Text) {
		return false
	}
	for i, run := range blk.Text {
		if bc.runs[i] != run.shift(-base) {
			return false
		}
	}
	return true
}

// scanCues finds, for each run of block b, the cues that count: every
// match of each concern's cue, in order, that cueCounts accepts.
func (r *Result) scanCues(b int, dataModel bool, base int) [][]cueHit {
	d := r.Doc
	blk := &d.Blocks[b]
	out := make([][]cueHit, len(blk.Text))
	for ri, run := range blk.Text {
		text := d.Src[run.Start:run.End]
		for ci := range concerns {
			c := &concerns[ci]
			if dataModel && !c.storage {
				continue
			}
			for pos := 0; pos < len(text); {
				loc := d.find(c.cue, text[pos:], run.Start+pos)
				if loc == nil {
					break
				}
				sp := Span{run.Start + pos + loc[0], run.Start + pos + loc[1]}
				pos += max(loc[1], loc[0]+1)
				if r.cueCounts(b, sp) {
					out[ri] = append(out[ri], cueHit{ci, sp.shift(-base)})
				}
			}
		}
	}
	return out
}
