package analysis

import "fmt"

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

// HeadingPairs resolves the text of an `## Integration:` heading ("Next.js
// 16 ↔ Better Auth", "FastAPI → SQLModel → Neon") to its consecutive
// technology pairs, for editor features that start from a heading.
func (e *Env) HeadingPairs(h string) [][2]string { return e.headingPairs(h) }

// PairKey is an order-free key of a pair on canonical ids: two points with
// the same key are about the same integration.
func (e *Env) PairKey(a, b string) string { return pairKey(e.Catalog, a, b) }
