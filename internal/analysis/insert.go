package analysis

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"

	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
)

// Edit replaces Span of a document with Text.
type Edit struct {
	Span Span
	Text string
}

// PatternsHeading is the heading the inserted patterns are collected under.
const PatternsHeading = "## Integration Patterns"

// LineEnding returns the document's line terminator: "\r\n" when its first
// line ends so, else "\n".
func LineEnding(src []byte) string {
	if i := bytes.IndexByte(src, '\n'); i > 0 && src[i-1] == '\r' {
		return "\r\n"
	}
	if bytes.IndexByte(src, '\n') < 0 && bytes.IndexByte(src, '\r') >= 0 {
		return "\r"
	}
	return "\n"
}

// SectionText is the Markdown inserted for a pattern: the pair heading and
// the pattern section, in the seed's Output Format.
func (e *Env) SectionText(from, to string, p *patterns.Pattern) string {
	var b strings.Builder
	fmt.Fprintf(&b, "## Integration: %s → %s\n\n", e.Catalog.Name(from), e.Catalog.Name(to))
	if p == nil {
		b.WriteString(BlankTemplate)
	} else {
		b.WriteString(p.Markdown)
	}
	return b.String()
}

// BlankTemplate is the seed's Output Format with nothing filled in.
const BlankTemplate = "### Pattern: [Pattern Name]\n\n" +
	"**Use Case**: When you need to...\n\n" +
	"**Flow**:\n1. Step one\n2. Step two\n3. Step three\n\n" +
	"**Code Example**:\n```text\n[Frontend code]\n[Backend code]\n```\n\n" +
	"**Gotchas**:\n- Gotcha 1\n- Gotcha 2\n\n" +
	"**Official Source**: [Link to documentation]\n"

// InsertSection returns the edit that adds section at the end of the
// document's "## Integration Patterns" part — the heading and the
// `## Integration:` sections after it — creating the heading at the end of
// the document when there is none. The document is read as CommonMark
// (goldmark, as Parse reads it): only a heading of the document's top level
// counts, not one in code, an HTML block, a block quote, a list item or the
// front matter. A block the document leaves open at its end, which would
// take the section in (a fence never closed, an HTML comment, `<pre>` or
// `<script>` block never ended), is closed before the section. The text
// uses the document's line endings.
func InsertSection(src []byte, section string) Edit {
	return NewInserter(src).Section(section)
}

// Inserter places sections in one document as InsertSection does. It
// parses the document once, so that several sections (the quick fixes of
// one request, one per pattern) cost one parse. It does not change once
// made.
type Inserter struct {
	src        []byte
	eol        string
	start, end int
	found      bool
	// closer closes the block left open where the section goes, if any.
	closer string
}

// NewInserter reads src for InsertSection.
func NewInserter(src []byte) *Inserter {
	in := &Inserter{src: src, eol: LineEnding(src)}
	root, body := mdTree(src)
	in.start, in.end, in.found = patternsPart(src, root, body)
	if in.end == len(src) {
		at := len(src)
		if in.found {
			at = in.start
		}
		at += len(bytes.TrimRight(src[at:], " \t\r\n"))
		in.closer = openAtEnd(src, root, body, at)
	}
	return in
}

// Section returns the edit that adds section (see InsertSection).
func (in *Inserter) Section(section string) Edit {
	src, eol := in.src, in.eol
	section = withEOL(section, eol)
	if in.found {
		return insertAfter(src, in.start, in.end, eol, in.closer, section)
	}
	at := len(bytes.TrimRight(src, " \t\r\n"))
	var b strings.Builder
	if in.closer != "" {
		// The document ends in a block never closed: close it, or the
		// section would be code (or hidden in a comment).
		b.WriteString(eol + in.closer)
	}
	if at > 0 && !(at == len(bom) && bytes.HasPrefix(src, bom)) {
		// Text comes before: a blank line after it. (A byte order mark
		// alone is no text: the heading starts the document's first line.)
		b.WriteString(eol + eol)
	}
	b.WriteString(PatternsHeading + eol + eol)
	b.WriteString(section)
	return Edit{Span: Span{at, len(src)}, Text: b.String()}
}

// mdTree parses src as Parse does and returns goldmark's tree and the text
// it read (goldmarkBody: the offsets are those of src).
func mdTree(src []byte) (ast.Node, []byte) {
	body, _ := goldmarkBody(src)
	return mdParser.Parse(text.NewReader(body)), body
}

// InsertAt returns the edit that adds section at the end of src[start:end]
// (a part of the document, such as one `## Integration:` heading's section),
// after its last non-blank line, with the document's line endings. When end
// is the end of the document, a block left open there is closed first (see
// InsertSection).
func InsertAt(src []byte, start, end int, section string) Edit {
	var root ast.Node
	var body []byte
	if end == len(src) {
		root, body = mdTree(src)
	}
	return insertAtTree(src, root, body, start, end, section)
}

// InsertUnder returns the edit that adds section at the end of the part of
// the document that starts at offset start (the line of an `## Integration:`
// heading): up to the next heading of level 1 or 2 of the document's top
// level, or its end. The document is read as CommonMark (goldmark, as
// Parse reads it): a heading in a block quote, a list item, code or an HTML
// block ends nothing, so the section never goes into the middle of one of
// them. See InsertAt for the rest.
func InsertUnder(src []byte, start int, section string) Edit {
	root, body := mdTree(src)
	end := len(src)
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok || h.Level > 2 || h.Lines().Len() == 0 {
			continue
		}
		if at := lineStart(src, h.Lines().At(0).Start); at > start {
			end = at
			break
		}
	}
	return insertAtTree(src, root, body, start, end, section)
}

// insertAtTree is InsertAt with src's tree and the text goldmark read
// (mdTree), needed only when end is the end of the document.
func insertAtTree(src []byte, root ast.Node, body []byte, start, end int, section string) Edit {
	eol := LineEnding(src)
	closer := ""
	if end == len(src) {
		closer = openAtEnd(src, root, body, start+len(bytes.TrimRight(src[start:end], " \t\r\n")))
	}
	return insertAfter(src, start, end, eol, closer, withEOL(section, eol))
}

// withEOL returns section with eol line endings, ending in one.
func withEOL(section, eol string) string {
	section = strings.ReplaceAll(section, "\n", eol)
	if !strings.HasSuffix(section, eol) {
		section += eol
	}
	return section
}

// insertAfter inserts section, already in eol line endings, after the last
// non-blank line of src[start:end], one blank line apart from it and from
// what follows end. When end is the end of the document, closer, when not
// empty, closes the block still open there (openAtEnd): it goes first.
func insertAfter(src []byte, start, end int, eol, closer, section string) Edit {
	at := start + len(bytes.TrimRight(src[start:end], " \t\r\n"))
	if end == len(src) {
		if closer != "" {
			return Edit{Span: Span{at, len(src)}, Text: eol + closer + eol + eol + section}
		}
		return Edit{Span: Span{at, len(src)}, Text: eol + eol + section}
	}
	// Another section follows: keep one blank line before it.
	return Edit{Span: Span{at, end}, Text: eol + eol + section + eol}
}

// patternsPart finds the "Integration Patterns" heading (ATX or setext) of
// the document's top level and the end of its part: the start of the next
// top-level heading of level 1 or 2 that is not an `Integration:` heading,
// or the end of the document. root and body are the document's tree and
// the text goldmark read (mdTree).
func patternsPart(src []byte, root ast.Node, body []byte) (start, end int, found bool) {
	for n := root.FirstChild(); n != nil; n = n.NextSibling() {
		h, ok := n.(*ast.Heading)
		if !ok || h.Lines().Len() == 0 {
			continue
		}
		title := headingTitle(h, body)
		switch {
		case !found && strings.EqualFold(title, "Integration Patterns"):
			start, found = lineStart(src, h.Lines().At(0).Start), true
		case found && h.Level <= 2 && !(len(title) >= 12 && strings.EqualFold(title[:12], "Integration:")):
			return start, lineStart(src, h.Lines().At(0).Start), true
		}
	}
	return start, len(src), found
}

// headingTitle returns the text of a heading's lines, trimmed.
func headingTitle(h *ast.Heading, src []byte) string {
	var b []byte
	for i := 0; i < h.Lines().Len(); i++ {
		seg := h.Lines().At(i)
		b = append(b, seg.Value(src)...)
		b = append(b, ' ')
	}
	return strings.TrimSpace(string(b))
}

// openAtEnd returns the line that closes the block a text appended at
// offset at of src (its end, short of trailing blank lines) would fall
// into, or "" when a blank line and a heading there start a block of the
// top level, as the inserted section must. root and body are src's tree
// and the text goldmark read (mdTree). It parses src[:at] again from the
// start of its last top-level block, with such a heading appended: a block
// of the top level
// that would hold it is a fence never closed (closed by a run of its
// opening fence, indented as it is) or an HTML block of CommonMark's kinds
// 1 to 5 never ended (`<!--` by `-->`, `<pre>` by `</pre>`, …). A list
// item or a block quote cannot hold it: the blank line and a line that is
// not indented end them.
func openAtEnd(src []byte, root ast.Node, body []byte, at int) string {
	from := lastTopLevelStart(root, body)
	if from > at {
		from = 0
	}
	probe := append(bytes.Clone(body[from:at]), "\n\n# probe\n"...)
	tail := mdParser.Parse(text.NewReader(probe))
	last := tail.LastChild()
	switch n := last.(type) {
	case *ast.FencedCodeBlock:
		var open int
		switch {
		case n.Info != nil:
			open = lineStart(probe, n.Info.Segment.Start)
		case n.Lines().Len() > 0:
			// The line before the first line of code ("\r\n" is one
			// terminator).
			open = max(lineStart(probe, n.Lines().At(0).Start)-1, 0)
			if open > 0 && probe[open] == '\n' && probe[open-1] == '\r' {
				open--
			}
			open = lineStart(probe, open)
		default:
			return ""
		}
		// The opening line as the document has it (a byte order mark is
		// not indentation).
		line := string(src[from+open : from+lineEnd(probe, open)])
		if from+open == 0 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		t := strings.TrimLeft(line, " ")
		if t == "" {
			return ""
		}
		return line[:len(line)-len(t)] + t[:len(t)-len(strings.TrimLeft(t, t[:1]))]
	case *ast.HTMLBlock:
		if n.Lines().Len() == 0 {
			return ""
		}
		switch n.HTMLBlockType {
		case ast.HTMLBlockType1:
			seg := n.Lines().At(0)
			first := strings.TrimLeft(strings.ToLower(string(seg.Value(probe))), " ")
			for _, tag := range []string{"script", "pre", "style", "textarea"} {
				if strings.HasPrefix(first, "<"+tag) {
					return "</" + tag + ">"
				}
			}
		case ast.HTMLBlockType2:
			return "-->"
		case ast.HTMLBlockType3:
			return "?>"
		case ast.HTMLBlockType4:
			return ">"
		case ast.HTMLBlockType5:
			return "]]>"
		}
	}
	return ""
}

// lastTopLevelStart returns the start of the line where the last block of
// the document's top level that goldmark gives a position begins, or 0.
func lastTopLevelStart(root ast.Node, body []byte) int {
	for n := root.LastChild(); n != nil; n = n.PreviousSibling() {
		if off, ok := blockStart(n); ok {
			return lineStart(body, off)
		}
	}
	return 0
}

// blockStart returns an offset on the first line of block n, if goldmark
// recorded one (a thematic break, an empty heading or an empty fence
// without info string has none).
func blockStart(n ast.Node) (int, bool) {
	if f, ok := n.(*ast.FencedCodeBlock); ok && f.Info != nil {
		return f.Info.Segment.Start, true
	}
	for ; n != nil; n = n.FirstChild() {
		if n.Type() == ast.TypeBlock && n.Lines().Len() > 0 {
			if _, ok := n.(*ast.FencedCodeBlock); ok {
				return 0, false // the first content line is not the first line
			}
			return n.Lines().At(0).Start, true
		}
		if n.Type() != ast.TypeBlock {
			return 0, false
		}
	}
	return 0, false
}
