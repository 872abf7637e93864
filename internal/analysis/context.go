package analysis

import (
	"bytes"
	"strings"
)

// Exclusion reasons: why text that names a technology or an anti-pattern is
// not a decision of the document. Every detector applies the same rules.
const (
	ExclRejected    = "rejected alternative"
	ExclNegated     = "negation"
	ExclPlaceholder = "template placeholder"
	ExclDocumented  = "inside a documented pattern"
	ExclQuestion    = "question"
)

var (
	// Cues before a mention, inside its sentence, that make it not chosen.
	beforeCueRe = mustRx(`(?i)\b(instead of|rather than|in place of|(?:do|does|will|would|must|should|shall|can|could)\s*(?:not|n't)\s+(?:use|adopt|choose|rely on|store|be stored|put|keep|save|persist|make|call|send|share|reuse|expose|embed|hardcode|commit|trust|skip|disable|combine|mix)|never\s+(?:to\s+)?(?:use|store|put|keep|save|persist|share|reuse|expose|embed|hardcode|commit|trust|skip|disable|combine|mix)|(?:advis\w*|recommend\w*|warn\w*|argu\w*)\s+against|no longer|avoid(?:ing)?|alternatives?(?:\s+considered)?\s*[:\-–—]|alternatives? (?:were|was)? ?considered|rejected(?: alternatives?)?\s*[:\-–—(]|replac(?:e|es|ed|ing)|migrat(?:e|ed|ing) (?:away )?from|switch(?:ed|ing)? from|moved? away from|prohibit(?:s|ed)?|forbid(?:s|den)?|disallow(?:s|ed)?)\b`)
	// Cues right after a mention, inside its sentence.
	afterCueRe = mustRx(`(?i)^[^.;!?]{0,60}?\b(rejected|ruled out|not chosen|not selected|discarded|deprecated|was considered|were considered|is not used|are not used|not used|not needed|is forbidden|are forbidden|is prohibited|are prohibited|must not be used|should not be used|is not allowed|are not allowed|would require|would add|adds? unnecessary|anti-?patterns?)\b`)
	// A sentence that calls something an anti-pattern names it, it does not
	// do it.
	antiPatternWordRe = mustRx(`(?i)\banti-?patterns?\b`)
	// Labels of a list or heading whose items are all not chosen.
	labelCueRe = mustRx(`(?i)\b(alternatives?|rejected|not chosen|considered but|out of scope|non-goals?|anti-patterns?|don'?t|do not|avoid|never|forbidden|prohibited|what not to)\b`)
	// Short negations that only bind the word right after them.
	nearNegRe = mustRx("(?i)(?:\\b(?:not|no|without|nor|never|vs\\.?|versus|avoid|avoiding)|n't)\\s+(?:a |an |the |using |use |[`*\"']+)?$")
	// Negations that bind a short verb phrase ("never live in", "not in",
	// "no manual"); used for anti-pattern phrases, whose span is the thing
	// done rather than a name.
	nearNegPhraseRe = mustRx("(?i)(?:\\b(?:not|no|without|nor|never)|n't)\\s+(?:[\\w-]+\\s+){0,2}[`*\"']*$")
)

// sentence returns the sentence of the run that holds off: text between
// sentence punctuation (". ", "! ", "? ", ";") or the run's ends.
func sentence(src []byte, run Span, off int) Span {
	run.Start = max(run.Start, off-sentenceWindow)
	run.End = min(run.End, off+sentenceWindow)
	s := off
	for s > run.Start {
		c := src[s-1]
		if c == ';' || c == '|' || c == '\n' && s-2 >= run.Start && src[s-2] == '\n' {
			break
		}
		if (c == ' ' || c == '\n') && s-2 >= run.Start && (src[s-2] == '.' || src[s-2] == '!' || src[s-2] == '?') {
			break
		}
		s--
	}
	e := off
	for e < run.End {
		c := src[e]
		if c == ';' || c == '|' {
			break
		}
		if (c == '.' || c == '!' || c == '?') && (e+1 == run.End || src[e+1] == ' ' || src[e+1] == '\n') {
			break
		}
		e++
	}
	return Span{s, e}
}

// runOf returns the text run of block b holding span sp.
func (d *Doc) runOf(b int, sp Span) Span {
	runs := d.Blocks[b].Text
	// Runs are sorted and disjoint: find the first that ends at or after
	// sp.Start.
	lo, hi := 0, len(runs)
	for lo < hi {
		mid := (lo + hi) / 2
		if runs[mid].End < sp.Start {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	if lo < len(runs) && sp.Start >= runs[lo].Start {
		return runs[lo]
	}
	return sp
}

// Exclusion reports why the text at sp in block b is not a decision of the
// document, or "" when it is. sp is usually a technology mention, but any
// span works (anti-pattern phrases use the same rules).
func (d *Doc) Exclusion(b int, sp Span) string {
	if b < 0 || b >= len(d.Blocks) {
		return ""
	}
	blk := &d.Blocks[b]
	src := d.Src
	if ph := placeholderAt(src, sp); ph {
		return ExclPlaceholder
	}
	if blk.Kind == KindCode {
		return d.codeExclusion(b, sp)
	}
	if d.labelled(b) {
		return ExclRejected
	}
	// Sentences are cut from the block's source, markup included, so a
	// label in bold ("**Alternatives**: X") stays in X's sentence.
	sent := sentence(src, blk.Span, sp.Start)
	// A sentence that opens with a rejection label ("**Alternatives**: …").
	head := bytes.TrimLeft(src[sent.Start:sp.Start], " *_-+>#0123456789.")
	if loc := d.find(labelCueRe, head[:min(len(head), 64)], sp.Start-len(head)); loc != nil && loc[0] == 0 && bytes.ContainsAny(head[loc[1]:], ":—–-") {
		return ExclRejected
	}
	before := src[sent.Start:sp.Start]
	// Both rules are anchored at the mention: only its last words matter.
	tail := before[max(0, len(before)-tailWindow):]
	if toff := sp.Start - len(tail); d.match(nearNegRe, tail, toff) || d.match(nearNegPhraseRe, tail, toff) {
		return ExclNegated
	}
	if d.match(antiPatternWordRe, src[sent.Start:sent.End], sent.Start) {
		return ExclRejected
	}
	// A question ("What happens if the secret differs?") decides nothing.
	if sent.End < len(src) && src[sent.End] == '?' {
		return ExclQuestion
	}
	// "not", "no", "without", "nor", "vs" bind only what follows closely
	// (nearNegRe above); beforeCueRe leaves them out so its literal gate
	// stays selective.
	if m := d.findAll(beforeCueRe, before, sent.Start); len(m) > 0 {
		for _, loc := range m {
			cue := strings.ToLower(string(before[loc[0]:loc[1]]))
			switch cue {
			case "avoid", "avoiding":
				continue
			}
			// "replace X with Y": Y is the choice.
			if strings.HasPrefix(cue, "replac") && bytes.Contains(bytes.ToLower(before[loc[1]:]), []byte(" with ")) {
				continue
			}
			if strings.HasPrefix(cue, "replac") {
				return ExclRejected
			}
			if strings.Contains(cue, "not") || strings.Contains(cue, "n't") || strings.HasPrefix(cue, "never") || strings.HasPrefix(cue, "prohibit") || strings.HasPrefix(cue, "forbid") || strings.HasPrefix(cue, "disallow") {
				return ExclNegated
			}
			return ExclRejected
		}
	}
	if d.match(afterCueRe, src[sp.End:max(sp.End, sent.End)], sp.End) {
		return ExclRejected
	}
	return ""
}

// labelled reports whether block b is a list item under "Alternatives
// considered:" or sits in a section titled so.
func (d *Doc) labelled(b int) bool { return d.labels[b] }

// computeLabels fills Doc.labels: the answer depends on the block only, so
// it is computed once per block rather than once per mention.
func (d *Doc) computeLabels() {
	d.labels = make([]bool, len(d.Blocks))
	heading := map[int]bool{}
	for b := range d.Blocks {
		blk := &d.Blocks[b]
		if blk.ListDepth > 0 && blk.Label.Len() > 0 && d.match(labelCueRe, d.Src[blk.Label.Start:blk.Label.End], blk.Label.Start) {
			d.labels[b] = true
			continue
		}
		if blk.Section >= 0 && blk.Section != b {
			yes, ok := heading[blk.Section]
			if !ok {
				yes = d.matchBlock(labelCueRe, blk.Section)
				heading[blk.Section] = yes
			}
			d.labels[b] = yes
		}
	}
}

// textAt returns textOf(d.Blocks[b]) and its document offset, or -1 when
// the block's runs had to be joined.
func (d *Doc) textAt(b int) ([]byte, int) {
	blk := d.Blocks[b]
	if len(blk.Text) == 1 {
		return d.Src[blk.Text[0].Start:blk.Text[0].End], blk.Text[0].Start
	}
	return d.textOf(blk), -1
}

// matchBlock is match on the prose of block b.
func (d *Doc) matchBlock(re *rx, b int) bool {
	text, off := d.textAt(b)
	return d.match(re, text, off)
}

// textOf returns the prose of a block joined by spaces.
func (d *Doc) textOf(b Block) []byte {
	if len(b.Text) == 1 {
		return d.Src[b.Text[0].Start:b.Text[0].End]
	}
	n := 0
	for _, r := range b.Text {
		n += r.Len() + 1
	}
	buf := make([]byte, 0, n)
	for _, r := range b.Text {
		buf = append(buf, d.Src[r.Start:r.End]...)
		buf = append(buf, ' ')
	}
	return buf
}

var placeholderInner = mustRx(`(?i)e\.g\.|\be\.g\b|needs clarification|for example|^\s*[A-Z][A-Z0-9_ /-]{2,}\s*$|\bor\b.*\bor\b|\[|###`)

// placeholderAt reports whether sp sits in a template placeholder: inside
// square brackets that hold "e.g.", "NEEDS CLARIFICATION" or an all-caps
// name, or on a line that says NEEDS CLARIFICATION.
func placeholderAt(src []byte, sp Span) bool {
	ls, le := nearLineStart(src, sp.Start), nearLineEnd(src, sp.End)
	line := src[ls:le]
	if bytes.Contains(line, []byte("NEEDS CLARIFICATION")) {
		return true
	}
	rel := sp.Start - ls
	open := bytes.LastIndexByte(line[:rel], '[')
	if open < 0 {
		return false
	}
	if c := bytes.LastIndexByte(line[:rel], ']'); c > open {
		return false
	}
	closeRel := bytes.IndexByte(line[rel:], ']')
	if closeRel < 0 {
		return false
	}
	inner := line[open+1 : rel+closeRel]
	return placeholderInner.Match(inner)
}

var (
	// A comment in code that marks the line as a counter-example.
	badCommentRe = mustRx(`(?i)(?:#|//|--|/\*|<!--)\s*(?:❌|✗|bad\b|wrong\b|don'?t\b|do not\b|never\b|avoid\b|insecure\b|vulnerable\b|unsafe\b|violation\b|anti-?pattern\b|not this\b|incorrect\b)`)
	// A paragraph that introduces a counter-example ("❌ Don't do this:").
	badLabelRe = mustRx(`(?i)(?:❌|✗|\bbad\b|\bwrong\b|\binsecure\b|\bvulnerable\b|\bunsafe\b|\bincorrect\b|\bviolation\b)`)
)

// codeExclusion reports why a span of a code block is not a decision: the
// block is under a rejection heading or list label, is introduced by a
// counter-example paragraph ("Don't do this:"), or the line (or the comment
// line above it) is marked as bad.
func (d *Doc) codeExclusion(b int, sp Span) string {
	blk := &d.Blocks[b]
	src := d.Src
	if blk.ListDepth > 0 && blk.Label.Len() > 0 && d.match(labelCueRe, src[blk.Label.Start:blk.Label.End], blk.Label.Start) {
		return ExclRejected
	}
	if blk.Section >= 0 && blk.Section != b && d.matchBlock(labelCueRe, blk.Section) {
		return ExclRejected
	}
	if b > 0 {
		if p := d.Blocks[b-1]; p.Kind == KindParagraph && p.Span.End <= blk.Span.Start {
			t := bytes.TrimRight(d.textOf(p), " \t*_")
			if bytes.HasSuffix(t, []byte(":")) && (d.match(labelCueRe, t, -1) || d.match(badLabelRe, t, -1)) {
				return ExclRejected
			}
		}
	}
	for i, ln := range blk.Text {
		if sp.Start < ln.Start || sp.Start > ln.End {
			continue
		}
		if d.match(badCommentRe, src[ln.Start:ln.End], ln.Start) {
			return ExclRejected
		}
		// Up to two comment lines just above.
		for j := i - 1; j >= 0 && j >= i-2; j-- {
			prev := bytes.TrimSpace(src[blk.Text[j].Start:blk.Text[j].End])
			if !bytes.HasPrefix(prev, []byte("#")) && !bytes.HasPrefix(prev, []byte("//")) && !bytes.HasPrefix(prev, []byte("--")) && !bytes.HasPrefix(prev, []byte("/*")) {
				break
			}
			if d.match(badCommentRe, prev, -1) {
				return ExclRejected
			}
		}
		break
	}
	return ""
}
