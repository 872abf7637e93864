package analysis

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/yuin/goldmark/ast"
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
// inside code blocks and code spans are text, not comments, and are ignored.
func (r *Result) parseSuppressions() *suppressions {
	d := r.Doc
	s := &suppressions{file: map[string]bool{}, ranges: map[string][]lineRange{}}
	if !bytes.Contains(d.Src, []byte("ipf-")) {
		return s
	}
	open := map[string]int{} // code → line of its ipf-disable
	for _, m := range suppressRe.FindAllSubmatchIndex(d.Src, -1) {
		if r.inCode(m[0]) || r.inCodeSpan(m[0]) {
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

// inCodeSpan reports whether offset off lies in a code span of the block of
// prose (paragraph, heading, table row) that holds it: a comment written
// there, as where a document shows the syntax, is shown as text.
func (r *Result) inCodeSpan(off int) bool {
	for _, b := range r.Doc.Blocks {
		if b.Kind == KindCode || b.Kind == KindHTML || off < b.Span.Start || off >= b.Span.End {
			continue
		}
		return codeSpanAt(r.Doc.Src[b.Span.Start:b.Span.End], off-b.Span.Start)
	}
	return false
}

// codeSpanAt reports whether offset off of a block's text lies in a code
// span: a run of backticks closed by the next run of the same length
// (CommonMark 6.1); a run that none closes is literal, and a backslash
// outside a span escapes the character after it.
func codeSpanAt(src []byte, off int) bool {
	runAt := func(i int) int {
		n := 0
		for i+n < len(src) && src[i+n] == '`' {
			n++
		}
		return n
	}
	for i := 0; i <= off && i < len(src); {
		switch src[i] {
		case '\\':
			i += 2
		case '`':
			n := runAt(i)
			end := -1
			for j := i + n; j < len(src); {
				if m := runAt(j); m > 0 {
					if m == n {
						end = j + m
						break
					}
					j += m
					continue
				}
				j++
			}
			if end < 0 {
				i += n
				continue
			}
			if off < end {
				return true
			}
			i = end
		default:
			i++
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

// pointSuppressed reports whether an integration point on line is
// suppressed. Such a point is no longer its pair's one report for the
// section: the pair's next line reports it, as `ipf-disable-line` is about
// its own line. (Marking the pair reported hid it in the whole section.)
func (r *Result) pointSuppressed(line int) bool {
	return r.supp != nil && r.supp.covers(CodeIntegrationPoint, line)
}

// applySuppressions drops the findings that suppression comments cover.
func (r *Result) applySuppressions() {
	s := r.supp
	if s == nil {
		s = r.parseSuppressions()
	}
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
	indentedCode := false
	for i := range blocks {
		b := blocks[i]
		if b.Kind == KindHTML || off < b.Span.Start || off > b.Span.End {
			continue
		}
		if b.Kind == KindParagraph || b.Kind == KindTableRow {
			// Not where a code span goes on to the next line: the comment
			// would show as code.
			if at, ok := r.lineEndInsert(line); ok && !codeSpanAt(r.Doc.Src[b.Span.Start:max(b.Span.End, at)], at-b.Span.Start) {
				return Edit{Span: Span{at, at}, Text: fmt.Sprintf(" <!-- ipf-disable-line %s -->", code)}
			}
		}
		// The first row of the table.
		for b.Kind == KindTableRow && i > 0 && blocks[i-1].Kind == KindTableRow {
			i--
			b = blocks[i]
		}
		line = r.Lines.Line(b.Span.Start)
		if b.Kind == KindCode {
			first := bytes.TrimLeft(r.Doc.Src[b.Span.Start:lineEnd(r.Doc.Src, b.Span.Start)], " \t>")
			indentedCode = !bytes.HasPrefix(first, []byte("```")) && !bytes.HasPrefix(first, []byte("~~~"))
		}
		break
	}
	start := r.Lines.Start(line)
	sp := r.Lines.LineSpan(line)
	// A byte-order mark stays the first thing in the file.
	if start == 0 && bytes.HasPrefix(r.Doc.Src, []byte("\uFEFF")) {
		start, sp.Start = 3, 3
	}
	text := r.Doc.Src[sp.Start:sp.End]
	if indent, ok := afterPreviousItem(r.Doc.Src, start); ok {
		return Edit{
			Span: Span{start, start},
			Text: fmt.Sprintf("%s<!-- ipf-disable-next-line %s -->%s", indent, code, LineEnding(r.Doc.Src)),
		}
	}
	indent := text[:len(text)-len(bytes.TrimLeft(text, " \t"))]
	if indentedCode {
		// An indented code block's own four columns would make the
		// comment a line of the code.
		switch {
		case bytes.HasSuffix(indent, []byte("    ")):
			indent = indent[:len(indent)-4]
		case bytes.HasSuffix(indent, []byte("\t")):
			indent = indent[:len(indent)-1]
		}
	}
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
// must stay last. It refuses (false) a blank line.
func (r *Result) lineEndInsert(line int) (int, bool) {
	sp := r.Lines.LineSpan(line)
	text := r.Doc.Src[sp.Start:sp.End]
	end := len(bytes.TrimRight(text, " \t"))
	if end > 0 && text[end-1] == '\\' {
		end = len(bytes.TrimRight(text[:end-1], " \t"))
	}
	if end == 0 {
		return 0, false
	}
	return sp.Start + end, true
}

// afterPreviousItem returns the indentation of a comment line inserted
// before the line that starts at offset start when that line opens a list
// item that is not the first of its list: the comment goes at the end of
// the item before it, indented to that item's content (after the markers of
// the block quotes and lists around the list). At the line's own
// indentation it would end the list there and start a new one. ok is false
// when the line opens no such item (a first item's comment goes above its
// list, where it cuts nothing).
func afterPreviousItem(src []byte, start int) (indent string, ok bool) {
	if !startsListItem(src[start:lineEnd(src, start)]) {
		return "", false
	}
	root, body := mdTree(src)
	var item *ast.ListItem
	_ = ast.Walk(root, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		li, isItem := n.(*ast.ListItem)
		if !entering || !isItem || n.Pos() < 0 || lineStart(body, n.Pos()) != start {
			return ast.WalkContinue, nil
		}
		if li.PreviousSibling() != nil {
			// The innermost item opened on the line with an item before
			// it: the items inside it that open on the line are first in
			// their lists.
			item = li
		}
		return ast.WalkContinue, nil
	})
	if item == nil {
		return "", false
	}
	prev := item.PreviousSibling().(*ast.ListItem)
	// The containers' part of the line ends where the item's content
	// starts, less the item's Offset (its indentation, marker and blanks).
	end := itemContent(body, item.Pos()) - item.Offset
	prefix := body[start:max(end, start)]
	if end < start || bytes.ContainsRune(prefix, '\t') {
		return "", false
	}
	return string(prefix) + strings.Repeat(" ", prev.Offset), true
}

// startsListItem reports whether line, after the markers of its block
// quotes and its indentation, starts with a list marker (-, +, * or 1-9
// digits and . or )) followed by a blank or the end of the line.
func startsListItem(line []byte) bool {
	line = bytes.TrimLeft(line, " \t>")
	i := 0
	for i < len(line) && i < 9 && line[i] >= '0' && line[i] <= '9' {
		i++
	}
	switch {
	case i > 0 && i < len(line) && (line[i] == '.' || line[i] == ')'):
		i++
	case i == 0 && len(line) > 0 && (line[0] == '-' || line[0] == '+' || line[0] == '*'):
		i = 1
	default:
		return false
	}
	return i == len(line) || line[i] == ' ' || line[i] == '\t'
}

// itemContent returns the offset of the content of the list item whose
// marker is at or after pos: after the marker and the one to four blanks
// that follow it (one when five or more do, or none at the end of the
// line), as CommonMark counts them.
func itemContent(body []byte, pos int) int {
	i := pos
	for i < len(body) && body[i] == ' ' {
		i++
	}
	for i < len(body) && body[i] >= '0' && body[i] <= '9' {
		i++
	}
	if i < len(body) {
		i++ // the bullet, or the . or ) after the digits
	}
	n := 0
	for i+n < len(body) && body[i+n] == ' ' {
		n++
	}
	switch {
	case i+n == len(body) || body[i+n] == '\n' || body[i+n] == '\r':
		return i
	case n > 4:
		return i + 1
	}
	return i + n
}
