package lsp

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

const specURI = protocol.DocumentURI("file:///ws/specs/001-share/spec.md")

// A small spec in our own words: one explicit Better Auth → FastAPI point.
const specText = "# Share lists\n\n## Requirements\n\n- **FR-002**: Better Auth issues a JWT that FastAPI verifies.\n"

func TestDiagnosticsOnOpen(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	c.open(specURI, specText)
	got := c.waitDiagnostics(specURI, 1)
	want := []string{
		`4:14-4:51 Information integration-point Integration point: Better Auth → FastAPI — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one)`,
	}
	assertDiags(t, got, want)
	if got[0].Source != "ipf" {
		t.Errorf("source = %q, want ipf", got[0].Source)
	}
}

func assertDiags(t *testing.T, got []protocol.Diagnostic, want []string) {
	t.Helper()
	var gs []string
	for _, d := range got {
		gs = append(gs, diagString(d))
	}
	if strings.Join(gs, "\n") != strings.Join(want, "\n") {
		t.Fatalf("diagnostics:\n got: %q\nwant: %q", gs, want)
	}
}

func TestHover(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	c.open(specURI, specText)
	c.waitDiagnostics(specURI, 1)

	var h protocol.Hover
	// On "FastAPI" inside the integration point: the default pattern.
	c.call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": specURI}, "position": map[string]any{"line": 4, "character": 42}}, &h)
	if h.Contents.Kind != protocol.Markdown {
		t.Fatalf("kind = %q", h.Contents.Kind)
	}
	head := "**Better Auth → FastAPI** · pattern: **JWT bearer verified with JWKS**\n\n**Use Case**: "
	if !strings.HasPrefix(h.Contents.Value, head) {
		t.Fatalf("hover starts %q, want prefix %q", firstLines(h.Contents.Value, 3), head)
	}
	for _, want := range []string{"**Official Source**: https://www.better-auth.com/docs/plugins/jwt", "```python\n", "Also available: Session forwarding to get-session; Bearer plugin session token (not a JWT)\n"} {
		if !strings.Contains(h.Contents.Value, want) {
			t.Errorf("hover lacks %q", want)
		}
	}

	// On a technology outside any integration point: a short card.
	const other = "# Notes\n\nWe keep notes in Redis.\n"
	u2 := c.open("file:///ws/notes.md", other)
	c.waitDiagnostics(u2, 1)
	var h2 protocol.Hover
	c.call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": u2}, "position": map[string]any{"line": 2, "character": 19}}, &h2)
	want := "**Redis** — cache\n\nPatterns: Celery → Redis\n"
	if h2.Contents.Value != want {
		t.Fatalf("card = %q, want %q", h2.Contents.Value, want)
	}
	if h2.Range == nil || *h2.Range != (protocol.Range{Start: protocol.Position{Line: 2, Character: 17}, End: protocol.Position{Line: 2, Character: 22}}) {
		t.Errorf("card range = %+v", h2.Range)
	}
}

func TestHoverPlainText(t *testing.T) {
	c := newTestClient(t, clientOptions{capabilities: map[string]any{
		"textDocument": map[string]any{"hover": map[string]any{"contentFormat": []string{"plaintext"}}},
	}})
	u := c.open("file:///ws/notes.md", "We keep notes in Redis.\n")
	c.waitDiagnostics(u, 1)
	var h protocol.Hover
	c.call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": u}, "position": map[string]any{"line": 0, "character": 18}}, &h)
	if h.Contents.Kind != protocol.PlainText || h.Contents.Value != "Redis — cache\n\nPatterns: Celery → Redis\n" {
		t.Fatalf("plain hover = %+v", h.Contents)
	}
}

func firstLines(s string, n int) string {
	l := strings.SplitN(s, "\n", n+1)
	if len(l) > n {
		l = l[:n]
	}
	return strings.Join(l, "\n")
}

func TestQuickFixInsertsPatternOnce(t *testing.T) {
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, clientOptions{env: env})
	c.open(specURI, specText)
	diags := c.waitDiagnostics(specURI, 1)

	var actions []protocol.CodeAction
	c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": specURI},
		"range":        diags[0].Range,
		"context":      map[string]any{"diagnostics": diags},
	}, &actions)
	var titles []string
	for _, a := range actions {
		titles = append(titles, a.Title)
	}
	wantTitles := []string{
		"Insert pattern: JWT bearer verified with JWKS",
		"Insert pattern: Session forwarding to get-session",
		"Insert pattern: Bearer plugin session token (not a JWT)",
	}
	if strings.Join(titles, "|") != strings.Join(wantTitles, "|") {
		t.Fatalf("titles = %q", titles)
	}
	if !actions[0].IsPreferred || actions[0].Kind != protocol.QuickFix {
		t.Errorf("first action: preferred=%v kind=%q", actions[0].IsPreferred, actions[0].Kind)
	}
	dc := actions[0].Edit.DocumentChanges
	if len(dc) != 1 || dc[0].TextDocument.Version == nil || *dc[0].TextDocument.Version != 1 {
		t.Fatalf("edit must carry version 1: %+v", dc)
	}
	v := c.applyEdit(actions[0].Edit)[specURI]

	p, _ := env.Library.Get("better-auth-fastapi/jwt-bearer-verified-with-jwks")
	want := specText + "\n## Integration Patterns\n\n## Integration: Better Auth → FastAPI\n\n" + p.Markdown
	if got := c.text(specURI); got != want {
		t.Fatalf("text after fix:\n%s\n--- want ---\n%s", got, want)
	}
	// The point is documented now: no integration-point diagnostic, and no
	// insert action is offered again.
	for _, d := range c.waitDiagnostics(specURI, v) {
		if d.Code == "integration-point" {
			t.Fatalf("still reported after the fix: %s", diagString(d))
		}
	}
	var again []protocol.CodeAction
	c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": specURI},
		"range":        diags[0].Range,
		"context":      map[string]any{"diagnostics": diags},
	}, &again)
	if len(again) != 0 {
		t.Fatalf("actions offered again: %d", len(again))
	}
}

func TestQuickFixKeepsCRLF(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	crlf := strings.ReplaceAll(specText, "\n", "\r\n")
	c.open(specURI, crlf)
	diags := c.waitDiagnostics(specURI, 1)
	if r := diags[0].Range; r.Start.Line != 4 || r.Start.Character != 14 {
		t.Fatalf("CRLF range = %+v", r)
	}
	var actions []protocol.CodeAction
	c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": specURI}, "range": diags[0].Range,
		"context": map[string]any{"diagnostics": diags},
	}, &actions)
	c.applyEdit(actions[0].Edit)
	got := c.text(specURI)
	if strings.Count(got, "\n") != strings.Count(got, "\r\n") {
		t.Fatalf("inserted text mixes line endings")
	}
	if !strings.HasPrefix(got, crlf+"\r\n## Integration Patterns\r\n\r\n## Integration: Better Auth → FastAPI\r\n") {
		t.Fatalf("unexpected text: %q", got[:min(len(got), len(crlf)+90)])
	}
}

func TestUTF16Ranges(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	// 😀 is two UTF-16 units, 你 one, é one.
	text := "- 😀 你好 é: Better Auth issues a JWT that FastAPI verifies.\n"
	u := c.open("file:///ws/emoji.md", text)
	got := c.waitDiagnostics(u, 1)
	if len(got) != 1 {
		t.Fatalf("got %d diagnostics", len(got))
	}
	want := protocol.Range{Start: protocol.Position{Line: 0, Character: 11}, End: protocol.Position{Line: 0, Character: 48}}
	if got[0].Range != want {
		t.Fatalf("range = %+v, want %+v", got[0].Range, want)
	}
}

func TestIncrementalChanges(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	c.open(specURI, specText)
	c.waitDiagnostics(specURI, 1)
	// Two changes in one notification, applied in order: replace "FastAPI"
	// with "Django", then insert a line at the top.
	v := c.change(specURI,
		map[string]any{"range": protocol.Range{Start: protocol.Position{Line: 4, Character: 44}, End: protocol.Position{Line: 4, Character: 51}}, "text": "Django"},
		map[string]any{"range": protocol.Range{Start: protocol.Position{Line: 0, Character: 0}, End: protocol.Position{Line: 0, Character: 0}}, "text": "<!-- draft -->\n"},
	)
	assertDiags(t, c.waitDiagnostics(specURI, v), []string{
		`5:14-5:50 Information integration-point Integration point: Better Auth → Django — no pattern in the library yet (quick fix inserts a blank integration template)`,
	})
	// A change without a range replaces the whole text.
	v = c.change(specURI, map[string]any{"text": "nothing here\n"})
	assertDiags(t, c.waitDiagnostics(specURI, v), nil)
}

func TestBlankTemplateForUnknownPair(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	text := "Better Auth issues a JWT that Django verifies.\n"
	u := c.open("file:///ws/d.md", text)
	diags := c.waitDiagnostics(u, 1)
	var actions []protocol.CodeAction
	c.call("textDocument/codeAction", map[string]any{"textDocument": map[string]any{"uri": u}, "range": diags[0].Range, "context": map[string]any{"diagnostics": diags}}, &actions)
	if len(actions) != 1 || actions[0].Title != "Insert blank integration template: Better Auth → Django" {
		t.Fatalf("actions = %+v", actions)
	}
	v := c.applyEdit(actions[0].Edit)[u]
	want := text + "\n## Integration Patterns\n\n## Integration: Better Auth → Django\n\n" + analysis.BlankTemplate
	if got := c.text(u); got != want {
		t.Fatalf("text = %q", got)
	}
	for _, d := range c.waitDiagnostics(u, v) {
		if d.Code == "integration-point" {
			t.Fatalf("still reported: %s", diagString(d))
		}
	}
}

// Two pairs without a pattern on one line each get their blank template,
// named by their pair. Both actions were titled "Insert blank integration
// template", and dedupeActions, which keeps one action per title, dropped
// the second pair's (corpus: TortoiseWolfe/Yoga 015-payment-integration
// plan.md line 31, Supabase Edge Functions → Stripe and → PayPal).
func TestBlankTemplatesForTwoPairsOnOneLine(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	text := "Better Auth issues a JWT that Django and Flask verify.\n"
	u := c.open("file:///ws/d.md", text)
	diags := c.waitDiagnostics(u, 1)
	actions, titles := codeActionsAt(c, u, diags[0].Range, diags...)
	want := []string{"Insert blank integration template: Better Auth → Django", "Insert blank integration template: Better Auth → Flask"}
	if !slices.Equal(titles, want) {
		t.Fatalf("titles %q, want %q", titles, want)
	}
	v := c.applyEdit(actions[1].Edit)[u]
	if got := c.text(u); !strings.Contains(got, "\n## Integration: Better Auth → Flask\n") {
		t.Fatalf("text = %q", got)
	}
	for _, d := range c.waitDiagnostics(u, v) {
		if strings.Contains(d.Message, "Flask") {
			t.Fatalf("still reported: %s", diagString(d))
		}
	}
}

func rpcCode(err error) jsonrpc2.Code {
	var je *jsonrpc2.Error
	if errors.As(err, &je) {
		return je.Code
	}
	return 0
}

func TestLifecycle(t *testing.T) {
	c := newTestClient(t, clientOptions{skipInit: true})
	err := c.tryCall("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": specURI}, "position": map[string]any{"line": 0, "character": 0}}, nil)
	if rpcCode(err) != jsonrpc2.ServerNotInitialized {
		t.Fatalf("before initialize: %v", err)
	}
	res := c.initialize(clientOptions{})
	var ir struct {
		Capabilities struct {
			PositionEncoding string `json:"positionEncoding"`
			TextDocumentSync struct {
				Change int `json:"change"`
			} `json:"textDocumentSync"`
		} `json:"capabilities"`
		ServerInfo struct{ Name string } `json:"serverInfo"`
	}
	if err := json.Unmarshal(res, &ir); err != nil {
		t.Fatal(err)
	}
	if ir.Capabilities.PositionEncoding != "utf-16" || ir.Capabilities.TextDocumentSync.Change != 2 || ir.ServerInfo.Name != "ipf-lsp" {
		t.Fatalf("initialize result: %s", res)
	}
	if err := c.tryCall("initialize", map[string]any{"capabilities": map[string]any{}}, nil); rpcCode(err) != jsonrpc2.InvalidRequest {
		t.Fatalf("second initialize: %v", err)
	}
	if err := c.tryCall("textDocument/nonsense", map[string]any{}, nil); rpcCode(err) != jsonrpc2.MethodNotFound {
		t.Fatalf("unknown method: %v", err)
	}
	if err := c.tryCall("textDocument/hover", map[string]any{"textDocument": 7}, nil); rpcCode(err) != jsonrpc2.InvalidParams {
		t.Fatalf("wrong params: %v", err)
	}
	c.call("shutdown", nil, nil)
	if err := c.tryCall("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": specURI}, "position": map[string]any{"line": 0, "character": 0}}, nil); rpcCode(err) != jsonrpc2.InvalidRequest {
		t.Fatalf("after shutdown: %v", err)
	}
	if code := c.shutdownExit(false); code != 0 {
		t.Fatalf("exit after shutdown = %d, want 0", code)
	}
}

func TestExitWithoutShutdown(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	if code := c.shutdownExit(false); code != 1 {
		t.Fatalf("exit without shutdown = %d, want 1", code)
	}
}

func TestCloseClearsDiagnostics(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	c.open(specURI, specText)
	c.waitDiagnostics(specURI, 1)
	c.notifyServer("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": specURI}})
	p := c.waitPublish(specURI, func(p published) bool { return p.Version == nil })
	if p.Diagnostics == nil || len(p.Diagnostics) != 0 {
		t.Fatalf("close must publish an empty, non-null list: %+v", p)
	}
}

// TestHoverPrefersNarrowestPoint: on a mention inside an explicit pair, the
// pair's pattern shows even when a wider finding covers the same spot.
func TestHoverPrefersNarrowestPoint(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	text := "Next.js calls FastAPI with a token from Better Auth.\n"
	u := c.open("file:///ws/narrow.md", text)
	c.waitDiagnostics(u, 1)
	var h protocol.Hover
	// "Better Auth" (character 40) is in both Next.js → Better Auth
	// (characters 0–51) and Better Auth → FastAPI (14–51).
	c.call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": u}, "position": map[string]any{"line": 0, "character": 42}}, &h)
	if want := "**Better Auth → FastAPI** · pattern: **JWT bearer verified with JWKS**\n"; !strings.HasPrefix(h.Contents.Value, want) {
		t.Fatalf("hover = %q", firstLines(h.Contents.Value, 1))
	}
}

func TestDedupeActions(t *testing.T) {
	d1 := protocol.Diagnostic{Message: "a"}
	d2 := protocol.Diagnostic{Message: "b"}
	in := []protocol.CodeAction{
		{Title: "Insert pattern: X", Diagnostics: []protocol.Diagnostic{d1}},
		{Title: "Insert pattern: Y", Diagnostics: []protocol.Diagnostic{d1}},
		{Title: "Insert pattern: X", Diagnostics: []protocol.Diagnostic{d2}},
	}
	out := dedupeActions(in)
	if len(out) != 2 || out[0].Title != "Insert pattern: X" || len(out[0].Diagnostics) != 2 || out[1].Title != "Insert pattern: Y" {
		t.Fatalf("dedupeActions = %+v", out)
	}
}

// TestInsertCommandNeedsVersion: without the version it was computed for,
// the insert command is refused and no edit is sent.
func TestInsertCommandNeedsVersion(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	c.open(specURI, specText)
	c.waitDiagnostics(specURI, 1)
	for _, args := range []map[string]any{{"uri": specURI}, {"uri": specURI, "version": 0}} {
		err := c.tryCall("workspace/executeCommand", map[string]any{"command": "ipf.insertAllPatterns", "arguments": []any{args}}, nil)
		want := jsonrpc2.InvalidParams
		if _, ok := args["version"]; ok {
			want = jsonrpc2.Code(protocol.CodeContentModified)
		}
		if rpcCode(err) != want {
			t.Errorf("%v: %v, want code %d", args, err, want)
		}
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.applied) != 0 {
		t.Fatalf("edits sent: %d", len(c.applied))
	}
}

// TestHoverMentionOutsideThePointsPair: on a requirement line that implies
// Better Auth → FastAPI, the point's pattern shows on the line's words and
// on Better Auth, but a technology the pair does not hold shows its own
// card: a negated one says it is not counted, another one is not passed off
// as part of a pattern it has nothing to do with.
func TestHoverMentionOutsideThePointsPair(t *testing.T) {
	spec := "# Notes\n\n## Requirements\n\n- **FR-001**: The system MUST reject requests without a valid token (Better Auth, not Clerk; Next.js signs in).\n"
	dir := writeTree(t, map[string]string{".specify/memory/constitution.md": wsConstitution, "spec.md": spec})
	c := newTestClient(t, clientOptions{rootURI: fileURI(dir)})
	u := c.open(fileURI(filepath.Join(dir, "spec.md")), spec)
	c.waitDiagnostics(u, 1)
	line := strings.Split(spec, "\n")[4]
	pattern := "**Better Auth → FastAPI** · pattern: **JWT bearer verified with JWKS**\n"
	for _, tc := range []struct {
		word, want string
		start, end int
	}{
		{"reject", pattern, 0, len(line)},
		{"Better Auth", pattern, 0, len(line)},
		{"Clerk", "**Clerk** — auth\n\nNot counted as part of the stack here (negation).\n", strings.Index(line, "Clerk"), strings.Index(line, "Clerk") + 5},
		{"Next.js", "**Next.js** — frontend\n", strings.Index(line, "Next.js"), strings.Index(line, "Next.js") + 7},
	} {
		var h protocol.Hover
		ch := strings.Index(line, tc.word) + 1
		c.call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": u}, "position": map[string]any{"line": 4, "character": ch}}, &h)
		if !strings.HasPrefix(h.Contents.Value, tc.want) || h.Range == nil || h.Range.Start.Character != uint32(tc.start) || h.Range.End.Character != uint32(tc.end) {
			t.Errorf("hover on %s: %q at %v, want %q at 4:%d-4:%d", tc.word, firstLines(h.Contents.Value, 3), h.Range, tc.want, tc.start, tc.end)
		}
	}
}
