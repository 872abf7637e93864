package lsp

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"
	"time"

	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
)

// hoverWait bounds how long a hover waits for the analysis of the version
// it is asked on, and it waits only when that analysis is expected within
// the bound (the document's last analysis took no longer). Otherwise, as on
// a large document being typed into, it answers at once from the latest
// completed analysis, mapped onto the current text, and from the current
// text alone where the two differ.
const hoverWait = 10 * time.Millisecond

func (s *Server) hover(ctx context.Context, p *protocol.HoverParams) (*protocol.Hover, error) {
	d := s.doc(p.TextDocument.URI)
	if d == nil {
		return nil, nil
	}
	snap := d.cur.Load()
	a := d.last.Load()
	if !d.exact(a, snap) && time.Duration(d.took.Load()) <= hoverWait {
		releaseQueue(ctx)
		wctx, cancel := context.WithTimeout(ctx, hoverWait)
		_, _ = s.await(wctx, d, snap)
		cancel()
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		a = d.last.Load()
	}
	off := snap.mapper.PositionOffset(p.Position)
	env := s.envFor(p.TextDocument.URI)
	s.mu.Lock()
	md := s.caps.markdownHover
	s.mu.Unlock()

	v := viewOf(a, snap)
	text, span := s.hoverAnalysed(env, v, off)
	if text == "" && !v.known(off) {
		text, span = hoverFromText(env, snap, off)
	}
	if text == "" {
		return nil, nil
	}
	kind := protocol.Markdown
	if !md {
		kind, text = protocol.PlainText, PlainText(text)
	}
	r := snap.mapper.Range(span.Start, span.End)
	return &protocol.Hover{Contents: protocol.MarkupContent{Kind: kind, Value: text}, Range: &r}, nil
}

// hoverAnalysed answers from the analysis in v, at offset off of the
// current text.
func (s *Server) hoverAnalysed(env *analysis.Env, v view, off int) (string, analysis.Span) {
	if v.a == nil {
		return "", analysis.Span{}
	}
	res := v.a.res
	// The technology mention under the cursor, if any (mentions are in
	// text order: the first that ends at or after old).
	var m *analysis.Mention
	var mSpan analysis.Span
	old, known := v.oldOffset(off)
	if known {
		ms := res.Mentions
		i := sort.Search(len(ms), func(i int) bool { return ms[i].Span.End >= old })
		for ; i < len(ms) && ms[i].Span.Start <= old; i++ {
			if sp, ok := v.span(ms[i].Span); ok && ms[i].Span.Contains(old) {
				m, mSpan = &ms[i], sp
				break
			}
		}
	}
	// A finding that carries patterns (an integration point, an
	// anti-pattern) shows its recommended pattern. The narrowest one wins:
	// on "Better Auth" in "Better Auth issues a JWT that FastAPI verifies"
	// the explicit pair beats a point implied by the whole line.
	var best *analysis.Finding
	var bestSpan analysis.Span
	for i := range res.Findings {
		f := &res.Findings[i]
		sp, ok := v.span(f.Span)
		if !ok || !sp.Contains(off) || len(f.Patterns) == 0 {
			continue
		}
		if _, ok := env.Library.Get(f.Patterns[0]); ok && (best == nil || sp.Len() < bestSpan.Len()) {
			best, bestSpan = f, sp
		}
	}
	// On a technology an integration point does not join (one the line
	// rejects, or a third one on the line), the point's pattern would be
	// about something else: the mention explains itself.
	if best != nil && (best.Point == nil || m == nil || (m.Excluded == "" && (m.Tech == best.Point.From || m.Tech == best.Point.To))) {
		pt, _ := env.Library.Get(best.Patterns[0])
		text := RenderPattern(env, pt, best.Patterns[1:])
		if best.Point == nil {
			// An anti-pattern's recommended pattern: say which finding
			// it fixes, since a client may show the hover alone.
			text = "Fix for `" + best.Code + "`:\n\n" + text
		} else if others := otherPoints(env, res, best); others != "" {
			text += "\nAlso on this line: " + others + "\n"
		}
		return text, bestSpan
	}
	if m != nil {
		return s.hoverMention(env, v, *m), mSpan
	}
	return "", analysis.Span{}
}

// otherPoints names the integration points reported at best's range
// besides best (two pairs implied by one line), with their best pattern:
// "**Next.js → FastAPI** (pattern: REST calls …)".
func otherPoints(env *analysis.Env, res *analysis.Result, best *analysis.Finding) string {
	var names []string
	for i := range res.Findings {
		f := &res.Findings[i]
		if f == best || f.Point == nil || f.Code != analysis.CodeIntegrationPoint || f.Span != best.Span {
			continue
		}
		name := "**" + env.Catalog.Name(f.Point.From) + " → " + env.Catalog.Name(f.Point.To) + "**"
		if len(f.Patterns) > 0 {
			if p, ok := env.Library.Get(f.Patterns[0]); ok {
				name += " (pattern: " + p.Name + ")"
			}
		} else {
			name += " (no pattern yet)"
		}
		names = append(names, name)
	}
	return strings.Join(names, "; ")
}

// hoverFromText is the hover where no analysis covers the text yet: the
// card of a technology named on the current line.
func hoverFromText(env *analysis.Env, snap *snapshot, off int) (string, analysis.Span) {
	start, end := snap.mapper.lineBounds(off)
	for _, m := range env.Matcher.Find(bytesOf(snap.text), analysis.Span{Start: start, End: end}, -1, nil) {
		if m.Span.Contains(off) {
			return TechCard(env, m.Tech, ""), m.Span
		}
	}
	return "", analysis.Span{}
}

// view is an analysis seen from a later text: the two texts differ only in
// old[p:oldEnd] versus new[p:newEnd] (the common prefix and suffix of the
// two, so typing in one place leaves the rest of the analysis usable).
type view struct {
	a                 *analyzed
	p, oldEnd, newEnd int
}

func viewOf(a *analyzed, snap *snapshot) view {
	if a == nil {
		return view{}
	}
	if a.snap == snap {
		n := len(snap.text) + 1 // everything is common
		return view{a: a, p: n, oldEnd: n, newEnd: n}
	}
	oldT, newT := a.snap.text, snap.text
	p := commonPrefix(oldT, newT)
	q := commonSuffix(oldT[p:], newT[p:])
	return view{a: a, p: p, oldEnd: len(oldT) - q, newEnd: len(newT) - q}
}

// known reports whether the analysis covers offset off of the new text.
func (v view) known(off int) bool {
	_, ok := v.oldOffset(off)
	return v.a != nil && ok
}

// oldOffset maps an offset of the new text to the analysed text.
func (v view) oldOffset(off int) (int, bool) {
	switch {
	case off < v.p:
		return off, true
	case off > v.newEnd:
		return off - (v.newEnd - v.oldEnd), true
	}
	return 0, false
}

// span maps a span of the analysed text to the new text, if no byte of it
// or next to it changed.
func (v view) span(sp analysis.Span) (analysis.Span, bool) {
	switch {
	case sp.End < v.p:
		return sp, true
	case sp.Start > v.oldEnd:
		d := v.newEnd - v.oldEnd
		return analysis.Span{Start: sp.Start + d, End: sp.End + d}, true
	}
	return analysis.Span{}, false
}

// commonPrefix returns the length of the longest common prefix of a and b,
// comparing blocks first (5 MB in well under a millisecond).
func commonPrefix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for _, step := range []int{4096, 64, 1} {
		for i+step <= n && a[i:i+step] == b[i:i+step] {
			i += step
		}
	}
	return i
}

// commonSuffix returns the length of the longest common suffix of a and b.
func commonSuffix(a, b string) int {
	n := min(len(a), len(b))
	i := 0
	for _, step := range []int{4096, 64, 1} {
		for i+step <= n && a[len(a)-i-step:len(a)-i] == b[len(b)-i-step:len(b)-i] {
			i += step
		}
	}
	return i
}

// hoverMention explains a technology mention (in the analysed text's
// offsets): the pattern of the integration point it belongs to, or a card
// about the technology; for a mention that chooses nothing (a rejected
// alternative, a negation), the card that says so.
func (s *Server) hoverMention(env *analysis.Env, v view, m analysis.Mention) string {
	if m.Excluded != "" {
		return TechCard(env, m.Tech, m.Excluded)
	}
	res := v.a.res
	var best *analysis.IntegrationPoint
	for i := range res.Points {
		pt := &res.Points[i]
		if _, ok := v.span(pt.Span); !ok {
			continue
		}
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
