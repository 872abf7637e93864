package lsp

import (
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// The `### Pattern:` snippet is inserted in the document's line endings, as
// the quick fixes' sections are: in a CRLF document its lines end in
// "\r\n" (they ended in "\n", so the document came out with mixed line
// endings), with and without snippet support. An LF document keeps "\n".
func TestCompletionSnippetLineEndings(t *testing.T) {
	for _, tc := range []struct {
		name     string
		eol      string
		snippets bool
	}{
		{"crlf snippet", "\r\n", true},
		{"crlf plain", "\r\n", false},
		{"lf snippet", "\n", true},
		{"lf plain", "\n", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// A workspace client takes snippets (fullCaps); the plain one
			// does not.
			c, u := newTestClient(t, clientOptions{}), protocol.DocumentURI("file:///ws/plan.md")
			if tc.snippets {
				w := newWorkspace(t, nil, clientOptions{})
				c, u = w.testClient, w.uri("plan.md")
			}
			doc := strings.ReplaceAll("# Plan\n\n###\n\nend\n", "\n", tc.eol)
			c.open(u, doc)
			c.waitDiagnostics(u, 1)
			var l protocol.CompletionList
			c.call("textDocument/completion", map[string]any{"textDocument": td(u), "position": pos(2, 3)}, &l)
			if len(l.Items) == 0 || l.Items[0].Kind != protocol.CompletionItemKindSnippet {
				t.Fatalf("no snippet first: %+v", l.Items)
			}
			want := analysis.BlankTemplate
			if tc.snippets {
				want = PatternSnippet()
			}
			want = strings.ReplaceAll(want, "\n", tc.eol)
			if got := l.Items[0].TextEdit.NewText; got != want {
				t.Fatalf("newText =\n%q\nwant\n%q", got, want)
			}
		})
	}
}
