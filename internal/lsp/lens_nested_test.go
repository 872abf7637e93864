package lsp

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/ast"
	"github.com/yuin/goldmark/text"
	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// The lens on an `## Integration:` heading inserts its pattern at the end
// of the heading's part of the document, up to the next heading of level 1
// or 2 of the document's top level: a heading inside a block quote or a
// list item ends nothing, so the section goes after the quote or the list,
// not into its middle (it used to go before `> ## Sub`, cutting the quote
// in two).
func TestCodeLensInsertsAfterNestedHeadings(t *testing.T) {
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	engine, _ := env.Library.Get(patFastAPIEngine)
	const head = "# Plan\n\n## Integration Patterns\n\n"
	const section = "## Integration: FastAPI → SQLModel\n\n### Pattern: Tests with dependency_overrides and in-memory SQLite (StaticPool)\n\n**Use Case**: tests.\n\n"
	const notes = "## Notes\n\nend\n"
	for _, tc := range []struct {
		name, nested string
		kind         ast.NodeKind // the nested block that must stay whole
		tail         string
	}{
		{"quote", "> intro\n>\n> ## Sub\n>\n> quoted text\n", ast.KindBlockquote, "\n" + notes},
		{"quote at the end", "> intro\n>\n> ## Sub\n>\n> quoted text\n", ast.KindBlockquote, ""},
		{"list item", "- item one\n\n  ## Sub in an item\n\n  more of the item\n- item two\n", ast.KindList, "\n" + notes},
		{"quote in a list item", "- item\n\n  > ## Sub\n  > quoted\n", ast.KindList, "\n" + notes},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorkspace(t, nil, clientOptions{})
			doc := head + section + tc.nested + tc.tail
			u := w.open(w.uri("plan.md"), doc)
			w.waitDiagnostics(u, 1)
			var lenses []protocol.CodeLens
			w.call("textDocument/codeLens", map[string]any{"textDocument": td(u)}, &lenses)
			var lens *protocol.CodeLens
			for i := range lenses {
				if lenses[i].Range.Start.Line == 4 {
					lens = &lenses[i]
				}
			}
			if lens == nil || lens.Command.Command != cmdInsertPattern || !strings.Contains(jsonString(lens.Command.Arguments), patFastAPIEngine) {
				t.Fatalf("lenses: %+v", lenses)
			}
			w.runLens(t, u, *lens)
			got := w.text(u)
			want := head + section + tc.nested + "\n" + engine.Markdown + tc.tail
			if got != want {
				t.Fatalf("text after the lens:\n%s\n--- want ---\n%s", got, want)
			}
			// Read as CommonMark: before the inserted pattern, a heading of
			// the top level, one block of the nested kind, the last, holding
			// the whole of it (its "## Sub" heading).
			src := []byte(got)
			root := goldmark.New().Parser().Parse(text.NewReader(src))
			var nested []ast.Node
			var last ast.Node
			inserted := false
			for n := root.FirstChild(); n != nil && !inserted; n = n.NextSibling() {
				if h, ok := n.(*ast.Heading); ok && h.Level == 3 && h.Lines().Len() > 0 && strings.HasPrefix(string(src[h.Lines().At(0).Start:h.Lines().At(0).Stop]), "Pattern: "+engine.Name) {
					inserted = true
					continue
				}
				if n.Kind() == tc.kind {
					nested = append(nested, n)
				}
				last = n
			}
			if !inserted {
				t.Fatalf("the inserted pattern is not a heading of the top level")
			}
			if len(nested) != 1 || last != nested[0] {
				t.Fatalf("%d top-level %s blocks before the inserted pattern, want 1, just before it", len(nested), tc.kind)
			}
			subs := 0
			_ = ast.Walk(nested[0], func(n ast.Node, entering bool) (ast.WalkStatus, error) {
				if h, ok := n.(*ast.Heading); entering && ok && h.Level == 2 {
					subs++
				}
				return ast.WalkContinue, nil
			})
			if subs != 1 {
				t.Fatalf("the %s holds %d level-2 headings, want its one", tc.kind, subs)
			}
		})
	}
}

func jsonString(v any) string {
	b, _ := json.Marshal(v)
	return string(b)
}

// TestCodeLensesInDocumentOrder: lenses come in the order of their lines.
// A section whose point is implied by a requirement came after every
// section with an explicit point, wherever it was, and Neovim lists them
// as sent.
func TestCodeLensesInDocumentOrder(t *testing.T) {
	const spec = "# Spec\n\n## Requirements\n\n- **FR-001**: The system MUST reject requests without a valid token.\n\n## Notes\n\nThe Next.js app calls FastAPI for every list.\n"
	c, u := openWorkspaceSpec(t, spec)
	c.waitDiagnostics(u, 1)
	var lenses []protocol.CodeLens
	c.call("textDocument/codeLens", map[string]any{"textDocument": map[string]any{"uri": u}}, &lenses)
	var got []string
	for _, l := range lenses {
		got = append(got, fmt.Sprintf("%d %s", l.Range.Start.Line, l.Command.Title))
	}
	if want := []string{"2 1 pattern · Insert", "6 1 pattern · Insert"}; !slices.Equal(got, want) {
		t.Errorf("lenses %q, want %q", got, want)
	}
}
