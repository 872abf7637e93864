package lsp

import (
	"context"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

var (
	// integrationPrefixRe matches the line up to the cursor after
	// "## Integration:"; group 1 is what was typed of the pair.
	integrationPrefixRe = regexp.MustCompile(`^ {0,3}#{1,6}[ \t]+(?i:integration):[ \t]*(.*)$`)
	// wordBeforeRe is the part of a technology name before the cursor.
	wordBeforeRe = regexp.MustCompile(`[A-Za-z0-9.+_@/-]*$`)
)

// patternHeading is what the pattern-section snippet completes.
const patternHeading = "### Pattern:"

// completion offers, by where the cursor is:
//
//   - after `## Integration:`, the pairs of the pattern library
//     ("Better Auth → FastAPI", detail "3 patterns"), the document's own
//     undocumented pairs first;
//   - at the start of a line, or after a prefix of `### Pattern:`, a snippet
//     of a whole pattern section in the seed's Output Format;
//   - elsewhere in prose (not in code), technology names from the catalog,
//     with the role in the detail, those the document names first.
//
// Typing ":" triggers it; the ":" only yields the integration pairs.
func (s *Server) completion(ctx context.Context, p *protocol.CompletionParams) (*protocol.CompletionList, error) {
	list := &protocol.CompletionList{Items: []protocol.CompletionItem{}}
	a, err := s.current(ctx, p.TextDocument.URI)
	if a == nil {
		return list, err
	}
	env := s.envFor(p.TextDocument.URI)
	res, m := a.res, a.snap.mapper
	off := m.PositionOffset(p.Position)
	ls := res.Lines.Start(res.Lines.Line(off))
	if ls == 0 && strings.HasPrefix(a.snap.text[:off], "\uFEFF") {
		// A byte order mark is not text typed before the cursor.
		ls = len("\uFEFF")
	}
	prefix := a.snap.text[ls:off]
	byTrigger := p.Context != nil && p.Context.TriggerKind == protocol.CompletionTriggerKindTriggerCharacter

	// Nothing in code or HTML (a comment): a heading typed there is text.
	// (An HTML block's span ends at its last line's end, a code block's
	// after its line break.)
	for _, b := range res.Doc.Blocks {
		if b.Kind == analysis.KindCode && b.Span.Start <= off && off < b.Span.End ||
			b.Kind == analysis.KindHTML && b.Span.Start <= off && off <= b.Span.End {
			return list, nil
		}
	}
	if g := integrationPrefixRe.FindStringSubmatchIndex(prefix); g != nil {
		list.Items = pairItems(env, res, m.Range(ls+g[2], off))
		return list, nil
	}
	if byTrigger {
		return list, nil
	}
	if t := strings.TrimLeft(prefix, " "); strings.HasPrefix(patternHeading, strings.TrimRight(t, " ")) || t == "### " {
		list.Items = append(list.Items, s.patternSnippet(m.Range(ls, off), analysis.LineEnding(bytesOf(a.snap.text))))
	}
	if t := strings.TrimLeft(prefix, " "); t != "" && strings.Trim(t, "#") == "" {
		// Right after heading marks ("###"), a name would be glued to them
		// ("###Alembic", no heading): only the snippet above.
		return list, nil
	}
	w := wordBeforeRe.FindStringIndex(prefix)
	list.Items = append(list.Items, techItems(env, res, m.Range(ls+w[0], off))...)
	return list, nil
}

// pairItems lists the library's pairs for an `## Integration:` heading.
func pairItems(env *analysis.Env, res *analysis.Result, rng protocol.Range) []protocol.CompletionItem {
	inDoc := map[string]bool{}
	for _, pt := range res.Points {
		if !pt.Documented {
			inDoc[env.PairKey(pt.From, pt.To)] = true
		}
	}
	var items []protocol.CompletionItem
	for _, pair := range env.Library.Pairs() {
		label := env.Catalog.Name(pair[0]) + " → " + env.Catalog.Name(pair[1])
		n := 0
		for _, p := range env.Library.ForPair(pair[0], pair[1]) {
			if p.From == pair[0] {
				n++
			}
		}
		detail := fmt.Sprintf("%d patterns", n)
		if n == 1 {
			detail = "1 pattern"
		}
		sortText := "1" + label
		if inDoc[env.PairKey(pair[0], pair[1])] {
			sortText, detail = "0"+label, detail+" · integration point in this document"
		}
		items = append(items, protocol.CompletionItem{
			Label:    label,
			Kind:     protocol.CompletionItemKindReference,
			Detail:   detail,
			SortText: sortText,
			TextEdit: &protocol.TextEdit{Range: rng, NewText: label},
		})
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].SortText < items[j].SortText })
	return items
}

// techItems lists the catalog's technologies.
func techItems(env *analysis.Env, res *analysis.Result, rng protocol.Range) []protocol.CompletionItem {
	named := map[string]bool{}
	for _, m := range res.Mentions {
		if m.Excluded == "" {
			named[m.Tech] = true
		}
	}
	var items []protocol.CompletionItem
	for _, t := range env.Catalog.All() {
		item := protocol.CompletionItem{
			Label:    t.Name,
			Kind:     protocol.CompletionItemKindValue,
			Detail:   string(t.Role),
			SortText: "1" + strings.ToLower(t.Name),
			TextEdit: &protocol.TextEdit{Range: rng, NewText: t.Name},
		}
		if named[t.ID] {
			item.Detail += " · named in this document"
			item.SortText = "0" + strings.ToLower(t.Name)
		}
		items = append(items, item)
	}
	sort.SliceStable(items, func(i, j int) bool { return items[i].SortText < items[j].SortText })
	return items
}

// patternSnippet is a whole `### Pattern:` section, with tab stops on the
// placeholders when the client takes snippets and analysis.BlankTemplate
// as is otherwise, its lines ending in eol (the document's line ending, as
// the quick fixes' sections do).
func (s *Server) patternSnippet(rng protocol.Range, eol string) protocol.CompletionItem {
	item := protocol.CompletionItem{
		Label:      "### Pattern: section",
		Kind:       protocol.CompletionItemKindSnippet,
		Detail:     "integration pattern in the seed's Output Format",
		FilterText: patternHeading,
		SortText:   "!",
		TextEdit:   &protocol.TextEdit{Range: rng, NewText: analysis.BlankTemplate},
	}
	if s.extras().snippets {
		item.InsertTextFormat = protocol.InsertTextFormatSnippet
		item.TextEdit.NewText = PatternSnippet()
	}
	if eol != "\n" {
		item.TextEdit.NewText = strings.ReplaceAll(item.TextEdit.NewText, "\n", eol)
	}
	return item
}

// snippetStops are the placeholders of analysis.BlankTemplate that become
// tab stops, in order: the text to find and the placeholder it becomes.
var snippetStops = [][2]string{
	{"[Pattern Name]", "Pattern Name"},
	{"When you need to...", "When you need to..."},
	{"Step one", "Step one"},
	{"Step two", "Step two"},
	{"Step three", "Step three"},
	{"text", "ts"}, // the code fence's language
	{"[Frontend code]\n[Backend code]", "code"},
	{"Gotcha 1", "Gotcha 1"},
	{"Gotcha 2", "Gotcha 2"},
	{"[Link to documentation]", "https://"},
}

// PatternSnippet is analysis.BlankTemplate as an LSP snippet, each
// placeholder a tab stop.
func PatternSnippet() string {
	rest := analysis.BlankTemplate
	var b strings.Builder
	for i, st := range snippetStops {
		j := strings.Index(rest, st[0])
		if j < 0 {
			continue
		}
		fmt.Fprintf(&b, "%s${%d:%s}", snippetEscape(rest[:j]), i+1, snippetEscape(st[1]))
		rest = rest[j+len(st[0]):]
	}
	b.WriteString(snippetEscape(rest))
	b.WriteString("$0")
	return b.String()
}

// snippetEscape escapes the characters that mean something in a snippet.
func snippetEscape(s string) string {
	return strings.NewReplacer(`\`, `\\`, `$`, `\$`, `}`, `\}`).Replace(s)
}
