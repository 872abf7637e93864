package lsp

import (
	"context"
	"fmt"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
)

// symbol is one outline entry before it becomes a DocumentSymbol or a
// SymbolInformation.
type symbol struct {
	name, detail string
	kind         protocol.SymbolKind
	span, sel    analysis.Span
	children     []*symbol
}

// documentSymbol outlines the integration work of a document:
//
//   - `## Integration: A → B` headings (Namespace), holding their
//     `### Pattern:` sections (Class);
//   - `### Pattern:` sections outside such a heading (Class);
//   - integration points (Event), named "A → B", with the pattern count or
//     "documented" in the detail; inside an integration heading's range they
//     are its children.
//
// Clients with hierarchicalDocumentSymbolSupport get DocumentSymbols, the
// others flat SymbolInformation with containerName.
func (s *Server) documentSymbol(ctx context.Context, p *protocol.DocumentSymbolParams) ([]any, error) {
	out := []any{}
	a, err := s.current(ctx, p.TextDocument.URI)
	if a == nil {
		return out, err
	}
	env := s.envFor(p.TextDocument.URI)
	res := a.res
	var top []*symbol
	var heading *symbol
	for _, sec := range res.Sections {
		if sec.Pattern == nil {
			heading = &symbol{
				name: "Integration: " + sec.Integration,
				kind: protocol.SymbolKindNamespace,
				span: sectionSpan(res, sec.Line, sec.Line+1),
				sel:  res.Lines.LineSpan(sec.Line),
			}
			top = append(top, heading)
			continue
		}
		ps := &symbol{
			name:   "Pattern: " + sec.Pattern.Name,
			detail: patternDetail(env, sec),
			kind:   protocol.SymbolKindClass,
			span:   sectionSpan(res, sec.Line, sec.EndLine),
			sel:    res.Lines.LineSpan(sec.Line),
		}
		if heading != nil && sec.IntegrationLine == res.Lines.Line(heading.sel.Start) {
			heading.children = append(heading.children, ps)
			heading.span.End = max(heading.span.End, ps.span.End)
			continue
		}
		top = append(top, ps)
	}
	for i := range res.Points {
		pt := &res.Points[i]
		if inDocumentation(res, pt) {
			continue
		}
		sym := &symbol{
			name:   env.Catalog.Name(pt.From) + " → " + env.Catalog.Name(pt.To),
			detail: pointDetail(pt),
			kind:   protocol.SymbolKindEvent,
			span:   pt.Span,
			sel:    pt.Span,
		}
		placed := false
		for _, h := range top {
			if h.kind == protocol.SymbolKindNamespace && h.span.Start <= pt.Span.Start && pt.Span.End <= h.span.End {
				h.children = append(h.children, sym)
				placed = true
				break
			}
		}
		if !placed {
			top = append(top, sym)
		}
	}
	sortSymbols(top)
	m := a.snap.mapper
	if s.extras().hierarchical {
		for _, sym := range top {
			out = append(out, toDocumentSymbol(m, sym))
		}
		return out, nil
	}
	var flat func(sym *symbol, container string)
	flat = func(sym *symbol, container string) {
		out = append(out, protocol.SymbolInformation{
			Name:          sym.name,
			Kind:          sym.kind,
			Location:      protocol.Location{URI: a.snap.uri, Range: m.Range(sym.span.Start, sym.span.End)},
			ContainerName: container,
		})
		for _, c := range sym.children {
			flat(c, sym.name)
		}
	}
	for _, sym := range top {
		flat(sym, "")
	}
	return out, nil
}

func sortSymbols(syms []*symbol) {
	sort.SliceStable(syms, func(i, j int) bool { return syms[i].span.Start < syms[j].span.Start })
	for _, s := range syms {
		sortSymbols(s.children)
	}
}

func toDocumentSymbol(m *Mapper, sym *symbol) protocol.DocumentSymbol {
	d := protocol.DocumentSymbol{
		Name:           sym.name,
		Detail:         sym.detail,
		Kind:           sym.kind,
		Range:          m.Range(sym.span.Start, sym.span.End),
		SelectionRange: m.Range(sym.sel.Start, sym.sel.End),
	}
	for _, c := range sym.children {
		d.Children = append(d.Children, toDocumentSymbol(m, c))
	}
	return d
}

// sectionSpan covers lines [start, end), without trailing blank lines.
func sectionSpan(res *analysis.Result, start, end int) analysis.Span {
	last := end - 1
	for last > start && strings.TrimSpace(string(spanText(res, res.Lines.LineSpan(last)))) == "" {
		last--
	}
	return analysis.Span{Start: res.Lines.Start(start), End: res.Lines.LineSpan(last).End}
}

func spanText(res *analysis.Result, sp analysis.Span) []byte { return res.Doc.Src[sp.Start:sp.End] }

// patternDetail is the id of the library pattern a section is, or what the
// checklist misses.
func patternDetail(env *analysis.Env, sec patterns.Section) string {
	if p := libraryPattern(env, sec); p != nil {
		return p.ID
	}
	if len(sec.Problems) > 0 {
		return "incomplete"
	}
	return ""
}

func pointDetail(pt *analysis.IntegrationPoint) string {
	var d string
	switch n := len(pt.Patterns); {
	case pt.Documented:
		d = "documented"
	case n == 0:
		d = "no pattern yet"
	case n == 1:
		d = "1 pattern"
	default:
		d = fmt.Sprintf("%d patterns", n)
	}
	if pt.Reason != "" {
		d += " · " + pt.Reason
	}
	return d
}
