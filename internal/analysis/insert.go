package analysis

import (
	"bytes"
	"fmt"
	"regexp"
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

var patternsHeadingRe = regexp.MustCompile(`(?m)^#{1,6}[ \t]+Integration Patterns[ \t]*#*[ \t]*\r?$`)

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

// InsertSection returns the edit that appends section under the document's
// "## Integration Patterns" heading, creating the heading at the end of the
// document when it is missing. The text uses the document's line endings.
func InsertSection(src []byte, section string) Edit {
	eol := LineEnding(src)
	section = strings.ReplaceAll(section, "\n", eol)
	end := len(src)
	var b strings.Builder
	// Start on a fresh line, after one blank line.
	trimmed := bytes.TrimRight(src, " \t\r\n")
	if loc := patternsHeadingRe.FindIndex(src); loc == nil {
		end = len(trimmed)
		if end > 0 {
			b.WriteString(eol + eol)
		}
		b.WriteString(PatternsHeading + eol + eol)
	} else {
		end = len(trimmed)
		b.WriteString(eol + eol)
	}
	b.WriteString(section)
	if !strings.HasSuffix(section, eol) {
		b.WriteString(eol)
	}
	// Keep whatever trailing whitespace the document had beyond one newline
	// out of the way: the edit replaces it with exactly one terminator.
	return Edit{Span: Span{end, len(src)}, Text: b.String()}
}
