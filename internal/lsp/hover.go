package lsp

import (
	"context"
	"fmt"
	"regexp"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
)

func (s *Server) hover(ctx context.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	a, ok := s.current(p.TextDocument.URI)
	if !ok {
		return nil, nil
	}
	off := a.snap.mapper.PositionOffset(p.Position)
	env := s.env.Load()
	s.mu.Lock()
	md := s.caps.markdownHover
	s.mu.Unlock()

	var text string
	var span analysis.Span
	// A finding that carries patterns (an integration point, an
	// anti-pattern) shows its recommended pattern. The narrowest one wins:
	// on "Better Auth" in "Better Auth issues a JWT that FastAPI verifies"
	// the explicit pair beats a point implied by the whole line.
	var best *analysis.Finding
	for i := range a.res.Findings {
		f := &a.res.Findings[i]
		if !f.Span.Contains(off) || len(f.Patterns) == 0 {
			continue
		}
		if _, ok := env.Library.Get(f.Patterns[0]); ok && (best == nil || f.Span.Len() < best.Span.Len()) {
			best = f
		}
	}
	if best != nil {
		pt, _ := env.Library.Get(best.Patterns[0])
		text, span = RenderPattern(env, pt, best.Patterns[1:]), best.Span
	}
	if text == "" {
		for _, m := range a.res.Mentions {
			if m.Span.Contains(off) {
				text, span = s.hoverMention(env, a.res, m), m.Span
				break
			}
			if m.Span.Start > off {
				break
			}
		}
	}
	if text == "" {
		return nil, nil
	}
	kind := protocol.Markdown
	if !md {
		kind, text = protocol.PlainText, PlainText(text)
	}
	r := a.snap.mapper.Range(span.Start, span.End)
	return &protocol.Hover{Contents: protocol.MarkupContent{Kind: kind, Value: text}, Range: &r}, nil
}

// hoverMention explains a technology mention: the pattern of the
// integration point it belongs to, or a card about the technology.
func (s *Server) hoverMention(env *analysis.Env, res *analysis.Result, m analysis.Mention) string {
	var best *analysis.IntegrationPoint
	for i := range res.Points {
		pt := &res.Points[i]
		if pt.Span.Contains(m.Span.Start) && (pt.From == m.Tech || pt.To == m.Tech) && len(pt.Patterns) > 0 {
			if _, ok := env.Library.Get(pt.Patterns[0]); ok && (best == nil || pt.Span.Len() < best.Span.Len()) {
				best = pt
			}
		}
	}
	if best != nil {
		p, _ := env.Library.Get(best.Patterns[0])
		return RenderPattern(env, p, best.Patterns[1:])
	}
	return TechCard(env, m.Tech, m.Excluded)
}

// RenderPattern renders a pattern for a hover: pair, name, use case, flow,
// code, gotchas and source, then the names of the other matching patterns.
func RenderPattern(env *analysis.Env, p *patterns.Pattern, others []string) string {
	var b strings.Builder
	fmt.Fprintf(&b, "**%s → %s** · pattern: **%s**\n\n", env.Catalog.Name(p.From), env.Catalog.Name(p.To), p.Name)
	if p.UseCase != "" {
		fmt.Fprintf(&b, "**Use Case**: %s\n\n", p.UseCase)
	}
	if len(p.Flow) > 0 {
		b.WriteString("**Flow**:\n")
		for i, f := range p.Flow {
			fmt.Fprintf(&b, "%d. %s\n", i+1, f)
		}
		b.WriteString("\n")
	}
	if len(p.Gotchas) > 0 {
		b.WriteString("**Gotchas**:\n")
		for _, g := range p.Gotchas {
			fmt.Fprintf(&b, "- %s\n", g)
		}
		b.WriteString("\n")
	}
	for _, c := range p.Code {
		fmt.Fprintf(&b, "```%s\n%s```\n\n", c.Lang, c.Code)
	}
	if len(p.Sources) > 0 {
		fmt.Fprintf(&b, "**Official Source**: %s\n", strings.Join(p.Sources, ", "))
	}
	if len(others) > 0 {
		var names []string
		for _, id := range others {
			if o, ok := env.Library.Get(id); ok {
				names = append(names, o.Name)
			}
		}
		fmt.Fprintf(&b, "\nAlso available: %s\n", strings.Join(names, "; "))
	}
	return b.String()
}

// TechCard is the hover of a technology outside an integration point.
func TechCard(env *analysis.Env, id, excluded string) string {
	t, ok := env.Catalog.Lookup(id)
	if !ok {
		return ""
	}
	var b strings.Builder
	fmt.Fprintf(&b, "**%s** — %s\n", t.Name, t.Role)
	if excluded != "" {
		fmt.Fprintf(&b, "\nNot counted as part of the stack here (%s).\n", excluded)
	}
	var pairs []string
	seen := map[string]bool{}
	for _, p := range env.Library.All() {
		if p.From != id && p.To != id {
			continue
		}
		k := env.Catalog.Name(p.From) + " → " + env.Catalog.Name(p.To)
		if !seen[k] {
			seen[k] = true
			pairs = append(pairs, k)
		}
	}
	if len(pairs) > 0 {
		fmt.Fprintf(&b, "\nPatterns: %s\n", strings.Join(pairs, ", "))
	} else {
		b.WriteString("\nNo integration pattern in the library yet.\n")
	}
	return b.String()
}

var (
	mdEmphasisRe = regexp.MustCompile(`\*\*([^*]+)\*\*`)
	mdFenceRe    = regexp.MustCompile("(?m)^```.*\n")
)

// PlainText strips the Markdown a hover uses, for clients that only show
// plain text.
func PlainText(md string) string {
	s := mdEmphasisRe.ReplaceAllString(md, "$1")
	s = mdFenceRe.ReplaceAllString(s, "")
	return s
}
