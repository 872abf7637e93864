package analysis

import (
	"bytes"
	"fmt"
	"strings"
)

// Suppression comments, in HTML comments so they do not render:
//
//	<!-- ipf-disable-line CODE[,CODE] -->       its own line (written at the end of the line)
//	<!-- ipf-disable-next-line CODE[,CODE] -->  the next block (paragraph, list item, table, code block)
//	<!-- ipf-disable CODE -->                   from here …
//	<!-- ipf-enable CODE -->                    … to here (or the end of the document)
//	<!-- ipf-disable-file CODE -->              the whole document
//
// "all" (or no code) stands for every code.
var suppressRe = mustRx(`<!--\s*ipf-(disable-next-line|disable-line|disable-file|disable|enable)\b([^>]*?)\s*-->`)

// SuppressAll is the code that stands for every code in a suppression comment.
const SuppressAll = "all"

// lineRange is an inclusive range of 0-based lines.
type lineRange struct{ from, to int }

// suppressions are the parsed suppression comments of a document.
type suppressions struct {
	file   map[string]bool
	ranges map[string][]lineRange
}

func (s *suppressions) add(code string, r lineRange) {
	s.ranges[code] = append(s.ranges[code], r)
}

// covers reports whether code is suppressed on line.
func (s *suppressions) covers(code string, line int) bool {
	if s.file[code] || s.file[SuppressAll] {
		return true
	}
	for _, c := range []string{code, SuppressAll} {
		for _, r := range s.ranges[c] {
			if line >= r.from && line <= r.to {
				return true
			}
		}
	}
	return false
}

// parseSuppressions reads the suppression comments of r's document. Comments
// inside code blocks are text, not comments, and are ignored.
func (r *Result) parseSuppressions() *suppressions {
	d := r.Doc
	s := &suppressions{file: map[string]bool{}, ranges: map[string][]lineRange{}}
	if !bytes.Contains(d.Src, []byte("ipf-")) {
		return s
	}
	open := map[string]int{} // code → line of its ipf-disable
	for _, m := range suppressRe.FindAllSubmatchIndex(d.Src, -1) {
		if r.inCode(m[0]) {
			continue
		}
		kind := string(d.Src[m[2]:m[3]])
		codes := splitCodes(string(d.Src[m[4]:m[5]]))
		line := r.Lines.Line(m[0])
		switch kind {
		case "disable-file":
			for _, c := range codes {
				s.file[c] = true
			}
		case "disable":
			for _, c := range codes {
				if _, ok := open[c]; !ok {
					open[c] = line
				}
			}
		case "enable":
			for _, c := range codes {
				if c == SuppressAll {
					for oc, from := range open {
						s.add(oc, lineRange{from, line})
						delete(open, oc)
					}
					continue
				}
				if from, ok := open[c]; ok {
					s.add(c, lineRange{from, line})
					delete(open, c)
				}
			}
		case "disable-line":
			for _, c := range codes {
				s.add(c, lineRange{line, line})
			}
		case "disable-next-line":
			rg := r.nextBlockLines(r.Lines.Line(m[1]))
			for _, c := range codes {
				s.add(c, rg)
			}
		}
	}
	for c, from := range open {
		s.add(c, lineRange{from, r.Lines.Count()})
	}
	return s
}

// splitCodes splits "a, b c" into codes; none means all.
func splitCodes(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' || r == '\t' })
	if len(f) == 0 {
		return []string{SuppressAll}
	}
	return f
}

// inCode reports whether offset off lies in a code block.
func (r *Result) inCode(off int) bool {
	for _, b := range r.Doc.Blocks {
		if b.Kind == KindCode && off >= b.Span.Start && off < b.Span.End {
			return true
		}
	}
	return false
}

// nextBlockLines returns the lines that a disable-next-line comment ending
// on line covers: the first non-blank line after it, extended to the whole
// block that starts there (a paragraph, a list item's paragraph, a code
// block, or every row of a table).
func (r *Result) nextBlockLines(line int) lineRange {
	next := line + 1
	for next < r.Lines.Count() {
		sp := r.Lines.LineSpan(next)
		if len(bytes.TrimSpace(r.Doc.Src[sp.Start:sp.End])) > 0 {
			break
		}
		next++
	}
	rg := lineRange{next, next}
	start := r.Lines.Start(next)
	blocks := r.Doc.Blocks
	for i := range blocks {
		b := blocks[i]
		if b.Kind == KindHTML || b.Span.Len() == 0 || r.Lines.Line(b.Span.Start) != next || b.Span.Start < start {
			continue
		}
		end := b.Span.End
		// A table: all its rows.
		for b.Kind == KindTableRow && i+1 < len(blocks) && blocks[i+1].Kind == KindTableRow && r.Lines.Line(blocks[i+1].Span.Start) <= r.Lines.Line(end)+2 {
			i++
			end = blocks[i].Span.End
		}
		rg.to = max(rg.to, r.Lines.Line(max(end-1, b.Span.Start)))
		break
	}
	return rg
}

// applySuppressions drops the findings that suppression comments cover.
func (r *Result) applySuppressions() {
	s := r.parseSuppressions()
	if len(s.file) == 0 && len(s.ranges) == 0 {
		return
	}
	out := r.Findings[:0]
	for _, f := range r.Findings {
		if !s.covers(f.Code, r.Lines.Line(f.Span.Start)) {
			out = append(out, f)
		}
	}
	r.Findings = out
}

// IgnoreEdit returns the edit that suppresses code where offset off is. On
// a line of prose or of a table, it is an `ipf-disable-line` comment at the
// end of off's line: it renders as nothing and, unlike a comment line
// above, does not end a list or a table in the middle (markdownlint's
// disable-line does the same). In a heading or a code block, where a
// comment would show as text, it is an `ipf-disable-next-line` comment
// above the block's first line (above the opening fence of a code block),
// with that line's indentation and the document's line ending.
func (r *Result) IgnoreEdit(code string, off int) Edit {
	line := r.Lines.Line(off)
	blocks := r.Doc.Blocks
	for i := range blocks {
		b := blocks[i]
		if b.Kind == KindHTML || off < b.Span.Start || off > b.Span.End {
			continue
		}
		if b.Kind == KindParagraph || b.Kind == KindTableRow {
			if at, ok := r.lineEndInsert(line); ok {
				return Edit{Span: Span{at, at}, Text: fmt.Sprintf(" <!-- ipf-disable-line %s -->", code)}
			}
		}
		// The first row of the table.
		for b.Kind == KindTableRow && i > 0 && blocks[i-1].Kind == KindTableRow {
			i--
			b = blocks[i]
		}
		line = r.Lines.Line(b.Span.Start)
		break
	}
	start := r.Lines.Start(line)
	sp := r.Lines.LineSpan(line)
	// A byte-order mark stays the first thing in the file.
	if start == 0 && bytes.HasPrefix(r.Doc.Src, []byte("\uFEFF")) {
		start, sp.Start = 3, 3
	}
	text := r.Doc.Src[sp.Start:sp.End]
	indent := text[:len(text)-len(bytes.TrimLeft(text, " \t"))]
	// A block quote keeps its markers.
	if q := bytes.TrimLeft(text, " \t"); len(q) > 0 && q[0] == '>' {
		indent = text[:len(indent)+1]
		if len(q) > 1 && q[1] == ' ' {
			indent = text[:len(indent)+1]
		}
	}
	return Edit{
		Span: Span{start, start},
		Text: fmt.Sprintf("%s<!-- ipf-disable-next-line %s -->%s", indent, code, LineEnding(r.Doc.Src)),
	}
}

// lineEndInsert returns where a comment goes at the end of line: after its
// last character, before trailing blanks and a hard-break backslash, which
// must stay last. It refuses (false) a line with an odd number of
// backticks, where the end may lie inside a code span that goes on to the
// next line and would show the comment as code.
func (r *Result) lineEndInsert(line int) (int, bool) {
	sp := r.Lines.LineSpan(line)
	text := r.Doc.Src[sp.Start:sp.End]
	if bytes.Count(text, []byte("`"))%2 == 1 {
		return 0, false
	}
	end := len(bytes.TrimRight(text, " \t"))
	if end > 0 && text[end-1] == '\\' {
		end = len(bytes.TrimRight(text[:end-1], " \t"))
	}
	if end == 0 {
		return 0, false
	}
	return sp.Start + end, true
}
