package analysis

import (
	"bytes"
	"fmt"
)

// CodeTooLarge is the code of the one finding a document above
// Env.MaxFileSize gets: it is synced by the editor but not analysed.
const CodeTooLarge = "file-too-large"

// tooLarge is the result of a document that is not analysed because of its
// size: no blocks, mentions or points, one Information finding on line 1.
func (e *Env) tooLarge(in *Input) *Result {
	r := &Result{Doc: &Doc{Src: in.Src}, Lines: NewLineIndex(in.Src)}
	r.Findings = append(r.Findings, Finding{
		Span:     r.Lines.LineSpan(0),
		Severity: SevInformation,
		Code:     CodeTooLarge,
		Message: fmt.Sprintf("not analysed: the document has %d bytes, above the limit of %d "+
			"(max_file_size in .ipf.toml, ipf.maxFileSize in the editor)", len(in.Src), e.MaxFileSize),
	})
	r.Findings = e.filter(r.Findings)
	return r
}

// MaxLineBytes is the longest line analysed. Markdown inline parsing
// (goldmark) takes time quadratic in a paragraph line's length for some
// inputs ("[a](" repeated: 32 KB takes about 0.4 s, 1 MB would take
// minutes), and no real spec has such lines, so a document with one is
// synced but not analysed.
const MaxLineBytes = 32 << 10

// mayHaveLineOver reports whether src may have a line longer than max
// bytes: false when no stretch between line feeds is (a vectorised search,
// run on every analysis; longestLine then says which line it is).
func mayHaveLineOver(src []byte, max int) bool {
	for len(src) > max {
		i := bytes.IndexByte(src, '\n')
		if i < 0 || i > max {
			return true
		}
		src = src[i+1:]
	}
	return false
}

// longestLine returns the 0-based line with the most bytes and its length.
func longestLine(src []byte) (line, n int) {
	start, cur := 0, 0
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c != '\n' && c != '\r' {
			continue
		}
		if i-start > n {
			line, n = cur, i-start
		}
		if c == '\r' && i+1 < len(src) && src[i+1] == '\n' {
			i++
		}
		start, cur = i+1, cur+1
	}
	if len(src)-start > n {
		line, n = cur, len(src)-start
	}
	return line, n
}

// lineTooLong is the result of a document not analysed because of one line.
func (e *Env) lineTooLong(in *Input, line, n int) *Result {
	r := &Result{Doc: &Doc{Src: in.Src}, Lines: NewLineIndex(in.Src)}
	r.Findings = append(r.Findings, Finding{
		Span:     Span{r.Lines.Start(line), r.Lines.Start(line)},
		Severity: SevInformation,
		Code:     CodeTooLarge,
		Message:  fmt.Sprintf("not analysed: line %d has %d bytes, above the limit of %d bytes for one line", line+1, n, MaxLineBytes),
	})
	r.Findings = e.filter(r.Findings)
	return r
}

// HeadingPairs resolves the text of an `## Integration:` heading ("Next.js
// 16 ↔ Better Auth", "FastAPI → SQLModel → Neon") to its consecutive
// technology pairs, for editor features that start from a heading.
func (e *Env) HeadingPairs(h string) [][2]string { return e.headingPairs(h) }

// PairKey is an order-free key of a pair on canonical ids: two points with
// the same key are about the same integration.
func (e *Env) PairKey(a, b string) string { return pairKey(e.Catalog, a, b) }
