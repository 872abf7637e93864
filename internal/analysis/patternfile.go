package analysis

import (
	"bytes"
	"fmt"

	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
)

// detectPatternFile lints a document that is a pattern file (front matter
// with `from`/`to`, as in references/ or a workspace pack): the file-level
// problems of patterns.ParseFile (front matter, the `## Integration:`
// heading, no `### Pattern:` section) and technology ids the catalog does
// not know. Section-level checklist problems come from
// detectIncompletePatterns.
func detectPatternFile(r *Result, e *Env, in *Input) {
	// A pattern file starts with front matter: spare the copy of every
	// other document.
	first := bytes.TrimSpace(bytes.TrimPrefix(r.Doc.Src[:lineEnd(r.Doc.Src, 0)], []byte("\uFEFF")))
	if string(first) != "---" {
		return
	}
	src := string(r.Doc.Src)
	if !patterns.IsPatternFile(src) {
		return
	}
	f := patterns.ParseFile(in.Path, src)
	seen := map[patterns.Problem]bool{}
	for _, s := range r.Sections {
		for _, p := range s.Problems {
			seen[p] = true
		}
	}
	for _, p := range f.Problems {
		if seen[p] {
			continue
		}
		seen[p] = true
		r.Findings = append(r.Findings, Finding{
			Span:     r.Lines.LineSpan(p.Line),
			Severity: SevWarning,
			Code:     CodeIncompletePattern,
			Message:  p.Message,
		})
	}
	lines := patterns.Lines(src)
	for _, id := range []string{f.From, f.To} {
		if id == "" {
			continue
		}
		if _, ok := e.Catalog.Lookup(id); ok {
			continue
		}
		line := 0
		for i, l := range lines {
			if i > 0 && (l == "from: "+id || l == "to: "+id) {
				line = i
				break
			}
		}
		r.Findings = append(r.Findings, Finding{
			Span:     r.Lines.LineSpan(line),
			Severity: SevWarning,
			Code:     CodeIncompletePattern,
			Message:  fmt.Sprintf("unknown technology id %q in the front matter: the pattern will never match%s", id, e.Catalog.closestHint(id)),
		})
	}
}
