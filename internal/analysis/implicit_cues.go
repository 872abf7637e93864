package analysis

// After a keystroke, every block but one is as it was, and so is what the
// implied-points scan finds in it: the cues of each concern that count as
// a need of the document (cueCounts). Searching for them again — sixteen
// expressions per run of text, then the exclusion rules around each hit —
// was a third of re-analysing the document. The cues, and whether each
// counts once that was asked, are kept in the memo node of the block's
// lines instead, with the block's shape, and reused while both are
// unchanged.
//
// What cueCounts reads of the document is all inside those lines: the
// hit's line (questions, placeholders, negations before it) and its
// sentence, which stops at the block's span, plus the byte after the span
// (a question mark) and whether the block is under a rejection label. The
// memo node stands for the exact bytes of the lines; the label and the
// block's shape (kind, span, runs) are compared on reuse.

// cueHit is a cue of concerns[ci] at sp (relative to the block's lines).
// Whether it counts (cueCounts) is asked only of the cues the detector
// reads — up to the first of its concern in its run that counts and is
// confirmed — and kept: counts is 0 until asked, then cueYes or cueNo.
type cueHit struct {
	ci     int
	sp     Span
	counts uint8
}

// Answers kept in cueHit.counts.
const (
	cueYes uint8 = 1 + iota
	cueNo
)

// hitCounts reports whether h, a cue of block b whose lines start at base,
// counts, asking cueCounts the first time. A cancelled analysis's answer
// is not kept: its expressions answered nothing.
func (r *Result) hitCounts(b, base int, h *cueHit) bool {
	if h.counts != 0 {
		return h.counts == cueYes
	}
	ok := r.cueCounts(b, h.sp.shift(base))
	if !r.Doc.stop() {
		h.counts = cueNo
		if ok {
			h.counts = cueYes
		}
	}
	return ok
}

// blockCues is the scan of one block: per run of its text, the cues that
// count, by concern and then by position.
type blockCues struct {
	// concerns is the set of concerns searched (bit ci): those the stack
	// of that analysis could fill (possibleConcerns).
	concerns  uint64
	kind      BlockKind
	label     bool
	dataModel bool
	span      Span
	runs      []Span
	hits      [][]cueHit
}

// cueHits returns block b's cues that count of the concerns in want (bit
// ci), per run, with spans relative to base. It may return cues of other
// concerns too.
func (r *Result) cueHits(b int, dataModel bool, want uint64) (hits [][]cueHit, base int) {
	d := r.Doc
	blk := &d.Blocks[b]
	lines := Span{lineStart(d.Src, blk.Span.Start), min(len(d.Src), lineEnd(d.Src, blk.Span.End)+1)}
	if d.memo == nil {
		return r.scanCues(b, dataModel, want, lines.Start), lines.Start
	}
	n := d.memoNode(d.Src[lines.Start:lines.End], lines.Start)
	if bc := n.cuesOf(); bc != nil && bc.concerns&want == want && bc.fits(d, b, lines.Start, dataModel) {
		return bc.hits, lines.Start
	}
	hits = r.scanCues(b, dataModel, want, lines.Start)
	if d.stop() {
		return hits, lines.Start // incomplete: not kept
	}
	bc := &blockCues{concerns: want, kind: blk.Kind, label: d.labelled(b), dataModel: dataModel,
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

// scanCues finds, for each run of block b, the cues: every match of the
// cue of each concern in want, in order (hitCounts then tells which
// count).
func (r *Result) scanCues(b int, dataModel bool, want uint64, base int) [][]cueHit {
	d := r.Doc
	blk := &d.Blocks[b]
	out := make([][]cueHit, len(blk.Text))
	for ri, run := range blk.Text {
		text := d.Src[run.Start:run.End]
		for ci := range concerns {
			c := &concerns[ci]
			if dataModel && !c.storage || want&(1<<ci) == 0 {
				continue
			}
			for pos := 0; pos < len(text); {
				loc := d.find(c.cue, text[pos:], run.Start+pos)
				if loc == nil {
					break
				}
				sp := Span{run.Start + pos + loc[0], run.Start + pos + loc[1]}
				pos += max(loc[1], loc[0]+1)
				out[ri] = append(out[ri], cueHit{ci: ci, sp: sp.shift(-base)})
			}
		}
	}
	return out
}

// possibleConcerns returns the set (bit ci) of the concerns whose chain st
// could fill at two hops or more. A cue of any other concern implies no
// point (addImplicit pairs consecutive filled hops), so its cues need not
// be searched: in most stacks that is half the concerns (payments, e-mail,
// cache, …), and searching cues was a quarter of a fresh analysis. The set
// is an upper bound: a hop counts when any of its roles has an entry of
// the stack, or could be filled as addImplicit fills it otherwise (a
// platform's other part, a framework's built-in ORM).
func possibleConcerns(st *Stack) uint64 {
	has := map[Role]bool{}
	builtin := false
	for _, en := range st.Entries {
		has[en.Role] = true
		builtin = builtin || builtinORM[en.Tech] != ""
	}
	var out uint64
	for ci := range concerns {
		c := &concerns[ci]
		hops := 0
		for _, hop := range c.chain {
			for _, role := range hop {
				base := role
				switch role {
				case roleServerFrontend:
					base = RoleFrontend
				case roleOwnAuth:
					base = RoleAuth
				case roleMigratingORM:
					base = RoleORM
				}
				_, fill := platformFill(st, base)
				if has[base] || c.platform && fill || base == RoleORM && builtin {
					hops++
					break
				}
			}
		}
		if hops >= 2 {
			out |= 1 << ci
		}
	}
	return out
}
