package analysis

import (
	"bytes"
	"fmt"
	"strings"

	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
)

// Edit replaces Span of a document with Text.
type Edit struct {
	Span Span
	Text string
}

// PatternsHeading is the heading the inserted patterns are collected under.
const PatternsHeading = "## Integration Patterns"

var patternsHeadingRe = mustRx(`(?m)^#{1,6}[ \t]+Integration Patterns[ \t]*#*[ \t]*\r?$`)

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
// the document when there is none. Headings inside fenced code do not
// count; a fence the document leaves open is closed before the section.
// The text uses the document's line endings.
func InsertSection(src []byte, section string) Edit {
	eol := LineEnding(src)
	section = strings.ReplaceAll(section, "\n", eol)
	if !strings.HasSuffix(section, eol) {
		section += eol
	}
	start, end, found, open := patternsPart(src)
	if !found {
		end := len(bytes.TrimRight(src, " \t\r\n"))
		var b strings.Builder
		if open != "" {
			// The document ends in a fence never closed: close it, or the
			// section would be code.
			b.WriteString(eol + open)
		}
		if end > 0 {
			b.WriteString(eol + eol)
		}
		b.WriteString(PatternsHeading + eol + eol)
		b.WriteString(section)
		return Edit{Span: Span{end, len(src)}, Text: b.String()}
	}
	return insertAfter(src, start, end, eol, open, section)
}

// InsertAt returns the edit that adds section at the end of src[start:end]
// (a part of the document, such as one `## Integration:` heading's section),
// after its last non-blank line, with the document's line endings.
func InsertAt(src []byte, start, end int, section string) Edit {
	eol := LineEnding(src)
	section = strings.ReplaceAll(section, "\n", eol)
	if !strings.HasSuffix(section, eol) {
		section += eol
	}
	open := ""
	if end == len(src) {
		// A fence left open runs to the end of the document.
		open = scanLines(src, func(int, int, string) bool { return true })
	}
	return insertAfter(src, start, end, eol, open, section)
}

// insertAfter inserts section, already in eol line endings, after the last
// non-blank line of src[start:end], one blank line apart from it and from
// what follows end. open, when not empty, is the fence still open at end
// (which is then the end of the document): it is closed first.
func insertAfter(src []byte, start, end int, eol, open, section string) Edit {
	at := start + len(bytes.TrimRight(src[start:end], " \t\r\n"))
	if end == len(src) {
		if open != "" {
			return Edit{Span: Span{at, len(src)}, Text: eol + open + eol + eol + section}
		}
		return Edit{Span: Span{at, len(src)}, Text: eol + eol + section}
	}
	// Another section follows: keep one blank line before it.
	return Edit{Span: Span{at, end}, Text: eol + eol + section + eol}
}

// patternsPart finds the "## Integration Patterns" heading (ATX or setext)
// outside fenced code and the end of its part: the next heading of level 1
// or 2 that is not an `## Integration:` heading, or the end of the document.
// open is the fence left open at the end of the document (see scanLines)
// when the part runs to it.
func patternsPart(src []byte) (start, end int, found bool, open string) {
	end = -1
	var prev, prev2 scannedLine
	open = scanLines(src, func(off, lineEnd int, line string) bool {
		// line underlines prev, a paragraph of that one line.
		setext := isSetextUnderline(line) && prev.end == off && prev.end > 0 &&
			isParagraphLine(prev.text) && (prev2.end != prev.off || prev2.end == 0 || isBlank(prev2.text) || isATXHeading(prev2.text))
		switch {
		case !found && patternsHeadingRe.MatchString(line):
			start, found = off, true
		case !found && setext && strings.TrimSpace(prev.text) == "Integration Patterns":
			start, found = prev.off, true
		case found && isPartEnd(strings.TrimLeft(line, " ")):
			end = off
			return false
		case found && setext && !strings.HasPrefix(strings.TrimSpace(prev.text), "Integration:"):
			end = prev.off
			return false
		}
		prev2, prev = prev, scannedLine{off, lineEnd, line}
		return true
	})
	if end < 0 {
		return start, len(src), found, open
	}
	return start, end, found, ""
}

// scannedLine is a line visited by scanLines; end 0 is no line.
type scannedLine struct {
	off, end int
	text     string
}

// isSetextUnderline reports whether line is a run of = or of - indented at
// most three spaces, with nothing but spaces after it.
func isSetextUnderline(line string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || t == "" || t[0] != '=' && t[0] != '-' {
		return false
	}
	return strings.TrimRight(strings.TrimLeft(t, t[:1]), " \t") == ""
}

// isParagraphLine reports whether line can be a paragraph of its own (and
// so a setext heading's text): not blank, indented at most three spaces, and
// not opening another block (a heading, quote, list item, table row, HTML).
func isParagraphLine(line string) bool {
	t := strings.TrimLeft(line, " ")
	if isBlank(t) || len(line)-len(t) > 3 || strings.ContainsRune("#>|<", rune(t[0])) {
		return false
	}
	if len(t) >= 2 && strings.ContainsRune("-*+", rune(t[0])) && (t[1] == ' ' || t[1] == '\t') {
		return false
	}
	d := len(t) - len(strings.TrimLeft(t, "0123456789"))
	return d == 0 || d == len(t) || t[d] != '.' && t[d] != ')'
}

// isATXHeading reports whether line is a `#` heading.
func isATXHeading(line string) bool {
	t := strings.TrimLeft(line, " ")
	level := len(t) - len(strings.TrimLeft(t, "#"))
	return level >= 1 && level <= 6 && (level == len(t) || t[level] == ' ' || t[level] == '\t')
}

func isBlank(line string) bool { return strings.TrimSpace(line) == "" }

// scanLines calls visit with the offset, the end (after the terminator) and
// the text (without terminator or a leading byte order mark) of each line of
// src outside fenced code, until visit returns false. Lines end at "\n", "\r\n" or a lone "\r"; a fence
// closes with a run of its character at least as long, as in CommonMark (a
// ```` block may show ``` inside; fences in list items are indented, so
// indentation is not checked). It returns the fence still open at the end of
// src, as a line that closes it (the opening line's indentation and run),
// or "" when there is none or visit stopped the scan.
func scanLines(src []byte, visit func(off, end int, line string) bool) string {
	fence, indent := "", ""
	off := 0
	for off < len(src) {
		lineEnd := len(src)
		if next := bytes.IndexAny(src[off:], "\r\n"); next >= 0 {
			lineEnd = off + next + 1
			if src[lineEnd-1] == '\r' && lineEnd < len(src) && src[lineEnd] == '\n' {
				lineEnd++
			}
		}
		line := strings.TrimRight(string(src[off:lineEnd]), "\r\n")
		if off == 0 {
			line = strings.TrimPrefix(line, "\uFEFF")
		}
		t := strings.TrimLeft(line, " ")
		switch {
		case fence != "":
			if closesFence(line, fence) {
				fence = ""
			}
		case strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~"):
			fence = t[:len(t)-len(strings.TrimLeft(t, t[:1]))]
			indent = line[:len(line)-len(t)]
		default:
			if !visit(off, lineEnd, line) {
				return ""
			}
		}
		off = lineEnd
	}
	if fence == "" {
		return ""
	}
	return indent + fence
}

// closesFence reports whether line closes the fence opened by the run fence.
func closesFence(line, fence string) bool {
	t := strings.TrimLeft(line, " ")
	run := len(t) - len(strings.TrimLeft(t, fence[:1]))
	return run >= len(fence) && strings.TrimSpace(t[run:]) == ""
}

// isPartEnd reports whether a line is a level-1 or level-2 heading other
// than an `## Integration:` heading.
func isPartEnd(t string) bool {
	level := 0
	for level < len(t) && t[level] == '#' {
		level++
	}
	if level == 0 || level > 2 || level < len(t) && t[level] != ' ' && t[level] != '\t' {
		return false
	}
	return !strings.HasPrefix(strings.TrimSpace(t[level:]), "Integration:")
}
