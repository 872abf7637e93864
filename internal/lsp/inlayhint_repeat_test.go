package lsp

import (
	"encoding/json"
	"fmt"
	"testing"
)

// TestInlayHintOnRepeatedPair: a pair gets one diagnostic per section (on
// line 2 in each case); its other lines in that section get an inlay hint
// instead, unless the hint would sit under that diagnostic's block.
func TestInlayHintOnRepeatedPair(t *testing.T) {
	const hint = `{"position":{"line":%d,"character":34},"label":"⇄ Next.js → FastAPI","tooltip":"Integration point Next.js → FastAPI: pattern \"REST calls with a bearer token and explicit CORS origins\" (+1 more)","paddingLeft":true}`
	for _, tc := range []struct{ name, text, want string }{
		{"a second list item", "# A\n\n- Next.js calls FastAPI for lists.\n- Next.js calls FastAPI for items.\n",
			"[" + fmt.Sprintf(hint, 3) + "]"},
		// A point whose block goes on past its line (a list item wrapped
		// over two lines) gets no hint at the block's end when its own
		// line carries the diagnostic: the block's last line was checked
		// instead, and the hint repeated the squiggle above it (corpus:
		// 055liufl db-query plan.md, a Chinese paragraph over lines 8-13
		// with five diagnosed points got five hints at 13:34).
		{"the diagnosed item wrapped", "# A\n\n- Next.js calls FastAPI for lists,\n  wrapped onto a second line.\n- Next.js calls FastAPI for items.\n",
			"[" + fmt.Sprintf(hint, 4) + "]"},
		// A later line of the block that carries the pair's diagnostic
		// gets no hint either: it would go at the end of that same block,
		// under the squiggle of the line above (corpus: 055liufl db-query
		// plan.md, lines 121-123, a hint at 123:38 for line 122).
		{"a later line of the diagnosed paragraph", "# A\n\nNext.js calls FastAPI for lists,\nand Next.js calls FastAPI for items,\nthen it stops.\n",
			"[]"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, clientOptions{})
			u := c.open("file:///ws/hints.md", tc.text)
			ds := c.waitDiagnostics(u, 1)
			if len(ds) != 1 || ds[0].Range.Start.Line != 2 {
				t.Fatalf("diagnostics %v, want one on line 2", diagStrings(ds))
			}
			hints := []inlayHint{}
			c.call("textDocument/inlayHint", map[string]any{
				"textDocument": map[string]any{"uri": u},
				"range":        map[string]any{"start": map[string]any{"line": 0, "character": 0}, "end": map[string]any{"line": 5, "character": 0}},
			}, &hints)
			if got, _ := json.Marshal(hints); string(got) != tc.want {
				t.Errorf("hints:\n got %s\nwant %s", got, tc.want)
			}
		})
	}
}
