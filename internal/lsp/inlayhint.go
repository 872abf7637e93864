package lsp

// Inlay hints (LSP 3.17, textDocument/inlayHint): go.lsp.dev v0.12.0 has no
// types for them, so this file defines the few it needs.

import (
	"context"
	"fmt"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// inlayHintParams is LSP 3.17's InlayHintParams.
type inlayHintParams struct {
	TextDocument protocol.TextDocumentIdentifier `json:"textDocument"`
	Range        protocol.Range                  `json:"range"`
}

// inlayHint is LSP 3.17's InlayHint with a string label and tooltip.
type inlayHint struct {
	Position    protocol.Position `json:"position"`
	Label       string            `json:"label"`
	Tooltip     string            `json:"tooltip,omitempty"`
	PaddingLeft bool              `json:"paddingLeft,omitempty"`
}

// inlayHint shows, at the end of each line or list item that implies an
// integration point, the pair ("⇄ Better Auth → FastAPI") with the pattern
// in the tooltip. A point whose block already carries an integration-point
// diagnostic for the same pair, up to the line of the hint, gets no hint:
// the squiggle says it already.
func (s *Server) inlayHint(ctx context.Context, p *inlayHintParams) ([]inlayHint, error) {
	out := []inlayHint{}
	if !s.scopeOf(p.TextDocument.URI).cfg.InlayHintsOn() {
		return out, nil
	}
	a, err := s.current(ctx, p.TextDocument.URI)
	if a == nil {
		return out, err
	}
	env := s.envFor(p.TextDocument.URI)
	res, m := a.res, a.snap.mapper
	from, to := m.RangeOffsets(p.Range)
	// Lines that carry a diagnostic for a pair.
	diagnosed := map[string]bool{}
	for _, f := range res.Findings {
		if f.Code != analysis.CodeIntegrationPoint || f.Point == nil {
			continue
		}
		key := env.PairKey(f.Point.From, f.Point.To)
		for l := res.Lines.Line(f.Span.Start); l <= res.Lines.Line(f.Span.End); l++ {
			diagnosed[fmt.Sprint(l, key)] = true
		}
	}
	seen := map[string]bool{}
	points := append(append([]analysis.IntegrationPoint(nil), res.Points...), res.Repeats...)
	for i := range points {
		pt := &points[i]
		if inDocumentation(res, pt) {
			continue
		}
		at := hintOffset(res, pt)
		key := env.PairKey(pt.From, pt.To)
		if at < from || at > to || seen[fmt.Sprint(at, key)] {
			continue
		}
		// The hint goes at the end of the point's block, which may be a
		// later line than the point's own (a wrapped list item): no line
		// of the block up to the hint may carry the pair's diagnostic.
		first, last := res.Lines.Line(hintBlockStart(res, pt)), res.Lines.Line(at)
		shown := false
		for l := first; l <= last && !shown; l++ {
			shown = diagnosed[fmt.Sprint(l, key)]
		}
		if shown {
			continue
		}
		seen[fmt.Sprint(at, key)] = true
		out = append(out, inlayHint{
			Position:    m.OffsetPosition(at),
			Label:       "⇄ " + env.Catalog.Name(pt.From) + " → " + env.Catalog.Name(pt.To),
			Tooltip:     hintTooltip(env, pt),
			PaddingLeft: true,
		})
	}
	return out, nil
}

// inDocumentation reports whether a point lies on an `## Integration:`
// heading or in a `### Pattern:` section: the documentation of a pair, not
// a place that needs it.
func inDocumentation(res *analysis.Result, pt *analysis.IntegrationPoint) bool {
	line := res.Lines.Line(pt.Span.Start)
	for _, sec := range res.Sections {
		if line == sec.Line || sec.Pattern != nil && sec.Line <= line && line < sec.EndLine {
			return true
		}
	}
	return false
}

// hintOffset is where a point's hint goes: the end of its block (the
// requirement line or list item), or of the line its span ends on.
func hintOffset(res *analysis.Result, pt *analysis.IntegrationPoint) int {
	if pt.Block >= 0 && pt.Block < len(res.Doc.Blocks) {
		b := res.Doc.Blocks[pt.Block]
		if b.Span.Start <= pt.Span.Start && pt.Span.End <= b.Span.End {
			return b.Span.End
		}
	}
	return res.Lines.LineSpan(res.Lines.Line(pt.Span.End)).End
}

// hintBlockStart is where the block holding a point's hint starts: the
// point's block, or the point itself (hintOffset's fallback).
func hintBlockStart(res *analysis.Result, pt *analysis.IntegrationPoint) int {
	if pt.Block >= 0 && pt.Block < len(res.Doc.Blocks) {
		b := res.Doc.Blocks[pt.Block]
		if b.Span.Start <= pt.Span.Start && pt.Span.End <= b.Span.End {
			return b.Span.Start
		}
	}
	return pt.Span.Start
}

// hintTooltip names the pattern of a point (and why it was inferred).
func hintTooltip(env *analysis.Env, pt *analysis.IntegrationPoint) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Integration point %s → %s", env.Catalog.Name(pt.From), env.Catalog.Name(pt.To))
	if pt.Reason != "" {
		fmt.Fprintf(&b, " (%s)", pt.Reason)
	}
	b.WriteString(": ")
	if len(pt.Patterns) == 0 {
		b.WriteString("no pattern in the library yet")
	} else if p, ok := env.Library.Get(pt.Patterns[0]); ok {
		fmt.Fprintf(&b, "pattern %q", p.Name)
		if n := len(pt.Patterns) - 1; n > 0 {
			fmt.Fprintf(&b, " (+%d more)", n)
		}
	}
	if pt.Documented {
		b.WriteString("; documented in this file")
	}
	return b.String()
}
