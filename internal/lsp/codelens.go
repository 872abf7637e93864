package lsp

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// codeLens puts an "N patterns · Insert" lens
//
//   - on each section (the heading above) holding undocumented integration
//     points: N is the number of pairs with a pattern; the lens inserts the
//     best pattern of each (ipf.insertPattern for one, ipf.insertAllPatterns
//     with {patterns} for several);
//   - on each `## Integration:` heading whose pair has library patterns not
//     yet in the document: N is how many; the lens inserts the best one.
//
// Both commands run through workspace/executeCommand and apply their edit
// with workspace/applyEdit; their arguments carry the document version.
func (s *Server) codeLens(ctx context.Context, p *protocol.CodeLensParams) ([]protocol.CodeLens, error) {
	out := []protocol.CodeLens{}
	a, err := s.current(ctx, p.TextDocument.URI)
	if a == nil {
		return out, err
	}
	env := s.envFor(p.TextDocument.URI)
	res, snap := a.res, a.snap

	// Requirement sections.
	type group struct {
		at  int // offset of the lens's line
		ids []string
	}
	var groups []*group
	bySection := map[int]*group{}
	seen := map[string]bool{}
	for i := range res.Points {
		pt := &res.Points[i]
		if pt.Documented || len(pt.Patterns) == 0 {
			continue
		}
		g := bySection[pt.Section]
		if g == nil {
			g = &group{at: pt.Span.Start}
			if pt.Section >= 0 && pt.Section < len(res.Doc.Blocks) {
				g.at = res.Doc.Blocks[pt.Section].Span.Start
			}
			bySection[pt.Section] = g
			groups = append(groups, g)
		}
		k := fmt.Sprint(pt.Section, env.PairKey(pt.From, pt.To))
		if seen[k] {
			continue
		}
		seen[k] = true
		g.ids = append(g.ids, pt.Patterns[0])
	}
	for _, g := range groups {
		v := snap.version
		args := insertArgs{URI: snap.uri, Version: &v}
		cmd := cmdInsertAll
		if len(g.ids) == 1 {
			cmd, args.Pattern = cmdInsertPattern, g.ids[0]
		} else {
			args.Patterns = g.ids
		}
		out = append(out, s.lens(a, g.at, len(g.ids), cmd, args))
	}

	// `## Integration:` headings.
	for _, sec := range res.Sections {
		if sec.Pattern != nil || sec.Integration == "" {
			continue
		}
		ids := missingPatterns(env, res, sec.Integration, sec.Line)
		if len(ids) == 0 {
			continue
		}
		v := snap.version
		args := insertArgs{URI: snap.uri, Version: &v, Pattern: ids[0]}
		out = append(out, s.lens(a, res.Lines.Start(sec.Line), len(ids), cmdInsertPattern, args))
	}
	// In document order: sections come in the order their first point was
	// found (explicit points before implied ones), and clients that list
	// lenses (Neovim's codelens.get, a picker) show them as sent.
	slices.SortStableFunc(out, func(x, y protocol.CodeLens) int {
		return cmp.Or(cmp.Compare(x.Range.Start.Line, y.Range.Start.Line), cmp.Compare(x.Range.Start.Character, y.Range.Start.Character))
	})
	return out, nil
}

// lens builds one "N patterns · Insert" lens on the line holding offset at.
func (s *Server) lens(a *analyzed, at, n int, cmd string, args insertArgs) protocol.CodeLens {
	line := a.res.Lines.LineSpan(a.res.Lines.Line(at))
	title := fmt.Sprintf("%d patterns · Insert", n)
	if n == 1 {
		title = "1 pattern · Insert"
	}
	return protocol.CodeLens{
		Range:   a.snap.mapper.Range(line.Start, line.End),
		Command: &protocol.Command{Title: title, Command: cmd, Arguments: []any{args}},
	}
}

// missingPatterns returns the library patterns of an integration heading's
// pairs, best first, leaving out those whose `### Pattern:` section already
// follows the heading (same name).
func missingPatterns(env *analysis.Env, res *analysis.Result, heading string, line int) []string {
	present := map[string]bool{}
	for _, sec := range res.Sections {
		if sec.Pattern != nil && sec.IntegrationLine == line {
			present[strings.ToLower(strings.TrimSpace(sec.Pattern.Name))] = true
		}
	}
	var ids []string
	seen := map[string]bool{}
	for _, pair := range env.HeadingPairs(heading) {
		for _, id := range env.PatternsFor(pair[0], pair[1], nil) {
			p, ok := env.Library.Get(id)
			if !ok || seen[id] || present[strings.ToLower(p.Name)] {
				continue
			}
			seen[id] = true
			ids = append(ids, id)
		}
	}
	return ids
}
