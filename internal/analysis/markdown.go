package analysis

import (
	"bytes"
	"context"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/extension"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/parser"
	"github.com/yuin/goldmark/text"
)

// Span is a half-open byte range [Start, End) of a document.
type Span struct{ Start, End int }

// Len returns the number of bytes in s.
func (s Span) Len() int { return s.End - s.Start }

// Contains reports whether offset off lies in s (End inclusive, so a cursor
// just after a word still counts).
func (s Span) Contains(off int) bool { return off >= s.Start && off <= s.End }

// shift returns s moved by delta bytes.
func (s Span) shift(delta int) Span { return Span{s.Start + delta, s.End + delta} }

// BlockKind classifies a block of a parsed document.
type BlockKind uint8

// Block kinds.
const (
	KindParagraph BlockKind = iota
	KindHeading
	KindTableRow
	KindCode
	KindHTML
)

// Block is one unit of text that detectors look at: a heading, a paragraph
// (also the text of a list item), a table row, a fenced or indented code
// block, or an HTML block.
type Block struct {
	Kind  BlockKind
	Span  Span // from the start of its first line to the end of its last
	Level int  // heading level
	Lang  string
	// Text holds the prose runs: contiguous text with code spans, raw HTML
	// and link destinations left out. For code and HTML blocks it holds the
	// content lines.
	Text []Span
	// Section is the index of the nearest heading block above, or -1.
	Section int
	// ListDepth is how many list items enclose the block.
	ListDepth int
	// Label is the first prose line of the enclosing list item's parent
	// item, or the paragraph just before the list: what a list is "about"
	// ("Alternatives considered:").
	Label Span
	// ItemStart marks the first block of a list item.
	ItemStart bool
}

// Doc is a parsed document. It is immutable once built.
type Doc struct {
	Src    []byte
	Blocks []Block
	// FrontMatter is the span of a leading YAML front matter block, if any.
	FrontMatter Span
	// Lower is Src with ASCII letters lowered (same offsets), for the
	// literal gates of the detectors.
	Lower []byte
	// labels[b] is set when block b is under a rejection label or heading.
	labels []bool
	// setAside caches setAsideSections, which the stack and the implied
	// points both need.
	setAside map[int]bool
	// memo, when set, remembers the detectors' answers across analyses;
	// lastText and lastNode are its most recent lookup, nodes its lookups
	// by offset and length.
	memo     *Memo
	lastText []byte
	lastNode *memoNode
	nodes    *nodeTable
	// lits, set during a fresh analysis, answers which literals a slice
	// holds without scanning it (litscan.go).
	lits *litIndex
	// docLits is the set of literals in the whole document, from lits
	// (mayInDoc).
	docLits *litSet
	// ctx stops the analysis (Input.Ctx); stopped is set once it has.
	ctx     context.Context
	polls   uint32
	stopped bool
}

// bom is the UTF-8 byte order mark.
var bom = []byte("\uFEFF")

var mdParser = goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.TaskList)).Parser()

// Parse parses Markdown source into blocks. It never fails: every byte
// sequence is some Markdown.
func Parse(src []byte) *Doc {
	d, _ := parseFull(src)
	return d
}

// parseFull parses the whole of src; it also returns the link reference
// definitions, which an incremental parse of part of the document needs.
func parseFull(src []byte) (*Doc, []parser.Reference) {
	d := &Doc{Src: src, Lower: asciiLower(src)}
	body, fm := goldmarkBody(src)
	d.FrontMatter = Span{0, fm}
	ctx := parser.NewContext()
	root := mdParser.Parse(text.NewReader(body), parser.WithContext(ctx))
	w := walker{d: d, src: body, section: -1}
	w.walk(root, 0, Span{})
	d.computeLabels()
	return d, ctx.References()
}

// goldmarkBody returns the text goldmark reads for src, with the same
// offsets: lone CRs made LFs, a leading front matter blanked out (fm is its
// end, or 0) and a byte order mark read as three spaces. It is src itself
// when none of these apply.
func goldmarkBody(src []byte) (body []byte, fm int) {
	body = src
	if hasLoneCR(src) {
		// CommonMark ends a line at a carriage return that no line feed
		// follows, as LSP does; goldmark does not, and would read a
		// document saved with CR line endings as one paragraph. Goldmark
		// reads a copy with those CRs made LFs: one byte for one, so
		// offsets stay those of the document.
		body = loneCRsToLF(src)
	}
	if fm = frontMatterEnd(body); fm > 0 {
		// Blank out the front matter instead of slicing, so offsets stay
		// those of the document.
		if &body[0] == &src[0] {
			body = bytes.Clone(src)
		}
		for i := 0; i < fm; i++ {
			if body[i] != '\n' && body[i] != '\r' {
				body[i] = ' '
			}
		}
	}
	if bytes.HasPrefix(body, bom) {
		// Goldmark reads a byte order mark as text, so the first line of a
		// file saved with one ("\uFEFF# Title", a fence, a list item) was
		// a paragraph. It reads three spaces there instead, which every
		// first block allows, and offsets stay those of the document.
		if &body[0] == &src[0] {
			body = bytes.Clone(src)
		}
		copy(body, "   ")
	}
	return body, fm
}

// loneCRsToLF returns a copy of src with every CR that no LF follows
// replaced by an LF.
func loneCRsToLF(src []byte) []byte {
	out := bytes.Clone(src)
	for i, c := range out {
		if c == '\r' && (i+1 == len(out) || out[i+1] != '\n') {
			out[i] = '\n'
		}
	}
	return out
}

// frontMatterEnd returns the byte offset just after a closing `---` line of a
// front matter that starts on the first line, or 0.
func frontMatterEnd(src []byte) int {
	s := bytes.TrimPrefix(src, []byte("\uFEFF"))
	off := len(src) - len(s)
	if !bytes.HasPrefix(s, []byte("---\n")) && !bytes.HasPrefix(s, []byte("---\r\n")) {
		return 0
	}
	i := bytes.IndexByte(s, '\n') + 1
	for i < len(s) {
		j := bytes.IndexByte(s[i:], '\n')
		line := s[i:]
		next := len(s)
		if j >= 0 {
			line = s[i : i+j]
			next = i + j + 1
		}
		if string(bytes.TrimRight(line, "\r \t")) == "---" {
			return off + next
		}
		i = next
	}
	return 0
}

type walker struct {
	d       *Doc
	src     []byte
	section int
}

func (w *walker) add(b Block) {
	if len(b.Text) > 0 || b.Kind == KindCode || b.Kind == KindHTML {
		if b.Span.End < b.Span.Start {
			b.Span.End = b.Span.Start
		}
		w.d.Blocks = append(w.d.Blocks, b)
	}
}

func (w *walker) walk(n ast.Node, depth int, label Span) {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Heading:
			b := Block{Kind: KindHeading, Level: c.Level, Section: w.section, ListDepth: depth, Label: label}
			b.Text = w.inlineText(c, nil)
			b.Span = w.lineSpan(c.Lines(), b.Text)
			w.add(b)
			if len(w.d.Blocks) > 0 && w.d.Blocks[len(w.d.Blocks)-1].Kind == KindHeading {
				w.section = len(w.d.Blocks) - 1
			}
		case *ast.Paragraph, *ast.TextBlock:
			b := Block{Kind: KindParagraph, Section: w.section, ListDepth: depth, Label: label}
			b.Text = w.inlineText(c, nil)
			b.Span = w.lineSpan(c.Lines(), b.Text)
			if p, ok := c.Parent().(*ast.ListItem); ok && p.FirstChild() == c {
				b.ItemStart = true
			}
			w.add(b)
		case *ast.FencedCodeBlock:
			b := Block{Kind: KindCode, Section: w.section, ListDepth: depth, Label: label}
			if c.Info != nil {
				info := c.Info.Segment.Value(w.src)
				if i := bytes.IndexAny(info, " \t{"); i >= 0 {
					info = info[:i]
				}
				b.Lang = string(info)
			}
			b.Text = segs(c.Lines())
			b.Span = w.fenceSpan(c)
			w.add(b)
		case *ast.CodeBlock:
			b := Block{Kind: KindCode, Section: w.section, ListDepth: depth, Label: label}
			b.Text = segs(c.Lines())
			b.Span = w.lineSpan(c.Lines(), b.Text)
			w.add(b)
		case *ast.HTMLBlock:
			b := Block{Kind: KindHTML, Section: w.section, ListDepth: depth, Label: label}
			b.Text = segs(c.Lines())
			if c.HasClosure() {
				b.Text = append(b.Text, Span{c.ClosureLine.Start, c.ClosureLine.Stop})
			}
			b.Span = w.lineSpan(c.Lines(), b.Text)
			w.add(b)
		case *east.Table:
			for r := c.FirstChild(); r != nil; r = r.NextSibling() {
				b := Block{Kind: KindTableRow, Section: w.section, ListDepth: depth, Label: label}
				for cell := r.FirstChild(); cell != nil; cell = cell.NextSibling() {
					b.Text = append(b.Text, w.inlineText(cell, nil)...)
				}
				if len(b.Text) > 0 {
					b.Span = w.rowSpan(b.Text)
				}
				w.add(b)
			}
		case *ast.List:
			// A list is about the paragraph just before it ("Alternatives
			// considered:"); a nested list is about its item's first line.
			l := Span{}
			if item, ok := c.Parent().(*ast.ListItem); ok {
				if p := item.FirstChild(); p != nil && p != ast.Node(c) && p.Lines().Len() > 0 {
					l = Span{p.Lines().At(0).Start, p.Lines().At(0).Stop}
				}
			} else if prev := c.PreviousSibling(); prev != nil {
				if p, ok := prev.(*ast.Paragraph); ok && p.Lines().Len() > 0 {
					l = w.lastLine(p.Lines())
				}
			}
			if l.Len() == 0 && depth > 0 {
				l = label
			}
			w.walk(c, depth, l)
		case *ast.ListItem:
			w.walk(c, depth+1, label)
		case *ast.Blockquote:
			w.walk(c, depth, label)
		default:
			if c.Type() == ast.TypeBlock {
				w.walk(c, depth, label)
			}
		}
	}
}

func (w *walker) lastLine(lines *text.Segments) Span {
	s := lines.At(lines.Len() - 1)
	return Span{s.Start, s.Stop}
}

func segs(lines *text.Segments) []Span {
	out := make([]Span, 0, lines.Len())
	for i := 0; i < lines.Len(); i++ {
		s := lines.At(i)
		out = append(out, Span{s.Start, s.Stop})
	}
	return out
}

// inlineText collects the text runs of n's inline children, merging runs that
// touch and skipping code spans, raw HTML and autolinks.
func (w *walker) inlineText(n ast.Node, out []Span) []Span {
	for c := n.FirstChild(); c != nil; c = c.NextSibling() {
		switch c := c.(type) {
		case *ast.Text:
			s := Span{c.Segment.Start, c.Segment.Stop}
			if s.Len() == 0 {
				continue
			}
			if k := len(out); k > 0 && out[k-1].End == s.Start {
				out[k-1].End = s.End
			} else {
				out = append(out, s)
			}
		case *ast.CodeSpan, *ast.RawHTML, *ast.AutoLink:
			// Not prose: technology names in `code` are identifiers.
		default:
			out = w.inlineText(c, out)
		}
	}
	return out
}

// lineSpan returns the span from the start of the first line to the end of
// the last line of a block, falling back to its text runs.
func (w *walker) lineSpan(lines *text.Segments, runs []Span) Span {
	var s Span
	if lines != nil && lines.Len() > 0 {
		s = Span{lines.At(0).Start, lines.At(lines.Len() - 1).Stop}
	} else if len(runs) > 0 {
		s = Span{runs[0].Start, runs[len(runs)-1].End}
	} else {
		return s
	}
	s.Start = lineStart(w.src, s.Start)
	s.End = lineEnd(w.src, max(s.End-1, s.Start))
	return s
}

func (w *walker) rowSpan(runs []Span) Span {
	return Span{lineStart(w.src, runs[0].Start), lineEnd(w.src, runs[len(runs)-1].End-1)}
}

func (w *walker) fenceSpan(c *ast.FencedCodeBlock) Span {
	var start int
	switch {
	case c.Info != nil:
		start = lineStart(w.src, c.Info.Segment.Start)
	case c.Lines().Len() > 0:
		start = lineStart(w.src, c.Lines().At(0).Start)
		// The opening fence is the line before the first content line.
		if start > 0 {
			start = lineStart(w.src, start-1)
		}
	default:
		return Span{}
	}
	end := start
	if c.Lines().Len() > 0 {
		end = c.Lines().At(c.Lines().Len() - 1).Stop
	}
	// Include the closing fence line when there is one.
	if end < len(w.src) {
		next := lineEnd(w.src, end)
		if next < len(w.src) {
			after := lineEnd(w.src, next+1)
			t := bytes.TrimSpace(w.src[next:after])
			if len(t) >= 3 && (t[0] == '`' || t[0] == '~') {
				end = after
			}
		}
	}
	return Span{start, max(end, start)}
}

// lineStart returns the offset of the first byte of the line holding off.
func lineStart(src []byte, off int) int {
	off = min(max(off, 0), len(src))
	i := bytes.LastIndexAny(src[:off], "\r\n")
	return i + 1
}

// lineEnd returns the offset of the line terminator after off (or len(src)).
func lineEnd(src []byte, off int) int {
	off = min(max(off, 0), len(src))
	if i := bytes.IndexAny(src[off:], "\r\n"); i >= 0 {
		return off + i
	}
	return len(src)
}
