package lsp

import (
	"encoding/json"
	"testing"
)

// TestInlayHintOnRepeatedPair: a pair gets one diagnostic per section; its
// other lines in that section get an inlay hint instead.
func TestInlayHintOnRepeatedPair(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	text := "# A\n\n- Next.js calls FastAPI for lists.\n- Next.js calls FastAPI for items.\n"
	u := c.open("file:///ws/hints.md", text)
	c.waitDiagnostics(u, 1)
	var hints []inlayHint
	c.call("textDocument/inlayHint", map[string]any{
		"textDocument": map[string]any{"uri": u},
		"range":        map[string]any{"start": map[string]any{"line": 0, "character": 0}, "end": map[string]any{"line": 4, "character": 0}},
	}, &hints)
	got, _ := json.Marshal(hints)
	want := `[{"position":{"line":3,"character":34},"label":"⇄ Next.js → FastAPI","tooltip":"Integration point Next.js → FastAPI: pattern \"REST calls with a bearer token and explicit CORS origins\" (+1 more)","paddingLeft":true}]`
	if string(got) != want {
		t.Fatalf("hints:\n got %s\nwant %s", got, want)
	}
}

// A point whose block goes on past its line (a list item or paragraph
// wrapped over two lines) gets no hint at the block's end when its own line
// carries the diagnostic: the hint went on the block's last line, which
// was checked for a diagnostic instead, and repeated the squiggle above it
// (corpus: 055liufl db-query plan.md, a Chinese paragraph over lines 8-13
// with five diagnosed points got five hints at 13:34).
func TestInlayHintNotOnWrappedDiagnosedBlock(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	text := "# A\n\n- Next.js calls FastAPI for lists,\n  wrapped onto a second line.\n- Next.js calls FastAPI for items.\n"
	u := c.open("file:///ws/hints.md", text)
	ds := c.waitDiagnostics(u, 1)
	if len(ds) != 1 || ds[0].Range.Start.Line != 2 {
		t.Fatalf("diagnostics %v, want one on line 2", diagStrings(ds))
	}
	var hints []inlayHint
	c.call("textDocument/inlayHint", map[string]any{
		"textDocument": map[string]any{"uri": u},
		"range":        map[string]any{"start": map[string]any{"line": 0, "character": 0}, "end": map[string]any{"line": 5, "character": 0}},
	}, &hints)
	got, _ := json.Marshal(hints)
	want := `[{"position":{"line":4,"character":34},"label":"⇄ Next.js → FastAPI","tooltip":"Integration point Next.js → FastAPI: pattern \"REST calls with a bearer token and explicit CORS origins\" (+1 more)","paddingLeft":true}]`
	if string(got) != want {
		t.Fatalf("hints:\n got %s\nwant %s", got, want)
	}
}

// A later line of the block that carries the pair's diagnostic gets no
// hint either: its hint would go at the end of that same block, under the
// squiggle of the line above (corpus: 055liufl db-query plan.md, lines
// 121-123, the diagnostic on 121 and a hint at 123:38 for line 122).
func TestInlayHintNotForRepeatInDiagnosedBlock(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	text := "# A\n\nNext.js calls FastAPI for lists,\nand Next.js calls FastAPI for items,\nthen it stops.\n"
	u := c.open("file:///ws/hints.md", text)
	ds := c.waitDiagnostics(u, 1)
	if len(ds) != 1 || ds[0].Range.Start.Line != 2 {
		t.Fatalf("diagnostics %v, want one on line 2", diagStrings(ds))
	}
	var hints []inlayHint
	c.call("textDocument/inlayHint", map[string]any{
		"textDocument": map[string]any{"uri": u},
		"range":        map[string]any{"start": map[string]any{"line": 0, "character": 0}, "end": map[string]any{"line": 5, "character": 0}},
	}, &hints)
	if len(hints) != 0 {
		got, _ := json.Marshal(hints)
		t.Fatalf("hints %s, want none", got)
	}
}
