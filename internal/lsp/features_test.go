package lsp

// Protocol tests of the editor features: inlay hints, code lens,
// completion, document symbols, definition, configuration and position
// encodings, each with exact expected values.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/references"
)

// planDoc has one undocumented pair (Next.js → FastAPI, line 4), one
// documented pair (FastAPI → SQLModel, line 5) and an `## Integration:`
// heading with one of that pair's three library patterns.
const planDoc = "# Plan\n\n## Design\n\n" +
	"- The Next.js app calls FastAPI over REST.\n" +
	"- FastAPI reads and writes rows through SQLModel.\n\n" +
	"## Integration Patterns\n\n" +
	"## Integration: FastAPI → SQLModel\n\n" +
	"### Pattern: Tests with dependency_overrides and in-memory SQLite (StaticPool)\n\n" +
	"**Use Case**: tests.\n"

const (
	patNextFastAPI    = "nextjs-fastapi/rest-calls-with-a-bearer-token-and-explicit-cors-origins"
	patFastAPIEngine  = "fastapi-sqlmodel/one-engine-lifespan-startup-and-an-annotated-session-dependency-with-yield"
	patFastAPITests   = "fastapi-sqlmodel/tests-with-dependency-overrides-and-in-memory-sqlite-staticpool"
	tooltipFastAPISQL = `Integration point FastAPI → SQLModel: pattern "One engine, lifespan startup and an Annotated session dependency with yield" (+2 more); documented in this file`
)

// fullCaps is a client that takes every feature of this file: UTF-8
// positions when utf8, hierarchical symbols, snippets, pulled
// configuration, watched files and refresh requests.
func fullCaps(utf8 bool) map[string]any {
	enc := []string{"utf-16"}
	if utf8 {
		enc = []string{"utf-8", "utf-16"}
	}
	return map[string]any{
		"general": map[string]any{"positionEncodings": enc},
		"textDocument": map[string]any{
			"hover":          map[string]any{"contentFormat": []string{"markdown", "plaintext"}},
			"documentSymbol": map[string]any{"hierarchicalDocumentSymbolSupport": true},
			"completion":     map[string]any{"completionItem": map[string]any{"snippetSupport": true}},
		},
		"workspace": map[string]any{
			"workspaceEdit":         map[string]any{"documentChanges": true},
			"configuration":         true,
			"didChangeWatchedFiles": map[string]any{"dynamicRegistration": true},
			"inlayHint":             map[string]any{"refreshSupport": true},
			"codeLens":              map[string]any{"refreshSupport": true},
		},
	}
}

// workspace is a test workspace root on disk with a client attached.
type workspace struct {
	*testClient
	root string
}

func newWorkspace(t *testing.T, files map[string]string, opts clientOptions) *workspace {
	t.Helper()
	root := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(root, ".cache"))
	for name, text := range files {
		writeFile(t, filepath.Join(root, name), text)
	}
	// An empty constitution: it chooses nothing, and keeps the
	// no-constitution notice out of these configuration tests.
	if _, ok := files[".specify/memory/constitution.md"]; !ok {
		writeFile(t, filepath.Join(root, ".specify", "memory", "constitution.md"), "")
	}
	opts.rootURI = protocol.DocumentURI(uri.File(root))
	if opts.capabilities == nil {
		opts.capabilities = fullCaps(false)
	}
	return &workspace{newTestClient(t, opts), root}
}

// runLens runs a code lens's command, as a client does when it is clicked,
// applies the one workspace/applyEdit it must send, and returns document
// u's version after it.
func (w *workspace) runLens(t *testing.T, u protocol.DocumentURI, lens protocol.CodeLens) int32 {
	t.Helper()
	w.call("workspace/executeCommand", map[string]any{"command": lens.Command.Command, "arguments": lens.Command.Arguments}, nil)
	w.mu.Lock()
	applied := append([]protocol.ApplyWorkspaceEditParams(nil), w.applied...)
	w.mu.Unlock()
	if len(applied) != 1 {
		t.Fatalf("applyEdit requests: %d, want 1", len(applied))
	}
	return w.applyEdit(&applied[0].Edit)[u]
}

func writeFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

func (w *workspace) uri(name string) protocol.DocumentURI {
	return protocol.DocumentURI(uri.File(filepath.Join(w.root, name)))
}

func lspRange(l1, c1, l2, c2 uint32) protocol.Range {
	return protocol.Range{Start: pos(l1, c1), End: pos(l2, c2)}
}

func td(u protocol.DocumentURI) map[string]any { return map[string]any{"uri": u} }

func (w *workspace) hints(u protocol.DocumentURI) []inlayHint {
	w.t.Helper()
	var out []inlayHint
	w.call("textDocument/inlayHint", map[string]any{"textDocument": td(u), "range": lspRange(0, 0, 1000, 0)}, &out)
	return out
}

// jsonEqual compares got, marshalled, with the JSON want.
func jsonEqual(t *testing.T, what string, got any, want string) {
	t.Helper()
	g, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	var a, b any
	if err := json.Unmarshal(g, &a); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal([]byte(want), &b); err != nil {
		t.Fatalf("bad want JSON for %s: %v", what, err)
	}
	ga, _ := json.Marshal(a)
	wb, _ := json.Marshal(b)
	if string(ga) != string(wb) {
		t.Fatalf("%s:\n got: %s\nwant: %s", what, ga, wb)
	}
}

func TestInlayHints(t *testing.T) {
	w := newWorkspace(t, nil, clientOptions{})
	u := w.open(w.uri("plan.md"), planDoc)
	w.waitDiagnostics(u, 1)
	// Next.js → FastAPI carries a diagnostic on its line: no hint. The
	// documented FastAPI → SQLModel gets one at the end of its list item;
	// the `## Integration:` heading (documentation itself) gets none.
	want := []inlayHint{{Position: pos(5, 49), Label: "⇄ FastAPI → SQLModel", Tooltip: tooltipFastAPISQL, PaddingLeft: true}}
	jsonEqual(t, "hints", w.hints(u), mustJSON(want))

	// A range that leaves line 5 out has none.
	var none []inlayHint
	w.call("textDocument/inlayHint", map[string]any{"textDocument": td(u), "range": lspRange(0, 0, 4, 0)}, &none)
	if len(none) != 0 {
		t.Fatalf("hints outside the range: %+v", none)
	}
}

func TestInlayHintsWhereDiagnosticsAreOff(t *testing.T) {
	// With integration-point diagnostics disabled, the undocumented pair's
	// line has no diagnostic, so it gets its hint.
	w := newWorkspace(t, map[string]string{".ipf.toml": "disabled = [\"integration-point\"]\n"}, clientOptions{})
	u := w.open(w.uri("plan.md"), planDoc)
	w.waitDiagnostics(u, 1)
	want := `[
	 {"position":{"line":4,"character":42},"label":"⇄ Next.js → FastAPI","paddingLeft":true,
	  "tooltip":"Integration point Next.js → FastAPI: pattern \"REST calls with a bearer token and explicit CORS origins\" (+1 more)"},
	 {"position":{"line":5,"character":49},"label":"⇄ FastAPI → SQLModel","paddingLeft":true,"tooltip":` + mustJSON(tooltipFastAPISQL) + `}]`
	jsonEqual(t, "hints", w.hints(u), want)
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func TestInlayHintsConfigurationPrecedenceAndLiveChange(t *testing.T) {
	// The editor turns hints off (initializationOptions and
	// workspace/configuration); the workspace file turns them on: the file
	// wins.
	off := map[string]any{"inlayHints": map[string]any{"enabled": false}}
	w := newWorkspace(t, map[string]string{".ipf.toml": "inlay_hints = true\n"}, clientOptions{initOptions: off, settings: off})
	u := w.open(w.uri("plan.md"), planDoc)
	w.waitDiagnostics(u, 1)
	if got := w.hints(u); len(got) != 1 {
		t.Fatalf("file says on, editor off: got %d hints, want 1", len(got))
	}
	// The server watches the file.
	w.waitRequest("client/registerCapability")

	// The file goes away: the editor's "off" applies, without a restart,
	// and the server asks the client to refresh its hints.
	n := w.publishCount(u)
	if err := os.Remove(filepath.Join(w.root, ".ipf.toml")); err != nil {
		t.Fatal(err)
	}
	w.notifyServer("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": w.uri(".ipf.toml"), "type": 3}}})
	w.waitPublishAfter(u, n)
	if got := w.hints(u); len(got) != 0 {
		t.Fatalf("editor off, no file: got %+v, want none", got)
	}
	w.waitRequest("workspace/inlayHint/refresh")
	w.waitRequest("workspace/codeLens/refresh")

	// The editor turns them on again (workspace/didChangeConfiguration; the
	// server pulls the section).
	w.mu.Lock()
	w.config = map[string]any{"inlayHints": map[string]any{"enabled": true}}
	w.mu.Unlock()
	n = w.publishCount(u)
	w.notifyServer("workspace/didChangeConfiguration", map[string]any{"settings": nil})
	w.waitPublishAfter(u, n)
	if got := w.hints(u); len(got) != 1 {
		t.Fatalf("editor on: got %d hints, want 1", len(got))
	}
}

func TestCodeLens(t *testing.T) {
	w := newWorkspace(t, nil, clientOptions{})
	u := w.open(w.uri("plan.md"), planDoc)
	w.waitDiagnostics(u, 1)
	var lenses []protocol.CodeLens
	w.call("textDocument/codeLens", map[string]any{"textDocument": td(u)}, &lenses)
	want := `[
	 {"range":{"start":{"line":2,"character":0},"end":{"line":2,"character":9}},
	  "command":{"title":"1 pattern · Insert","command":"ipf.insertPattern","arguments":[{"uri":"` + string(u) + `","version":1,"pattern":"` + patNextFastAPI + `"}]}},
	 {"range":{"start":{"line":9,"character":0},"end":{"line":9,"character":34}},
	  "command":{"title":"2 patterns · Insert","command":"ipf.insertPattern","arguments":[{"uri":"` + string(u) + `","version":1,"pattern":"` + patFastAPIEngine + `"}]}}]`
	jsonEqual(t, "lenses", lenses, want)

	// Running the first lens's command inserts the pattern through
	// workspace/applyEdit.
	w.call("workspace/executeCommand", map[string]any{"command": lenses[0].Command.Command, "arguments": lenses[0].Command.Arguments}, nil)
	w.mu.Lock()
	applied := w.applied
	w.mu.Unlock()
	if len(applied) != 1 {
		t.Fatalf("applyEdit requests: %d, want 1", len(applied))
	}
	v := w.applyEdit(&applied[0].Edit)[u]
	w.waitDiagnostics(u, v)
	if !strings.Contains(w.text(u), "\n## Integration: Next.js → FastAPI\n\n### Pattern: REST calls with a bearer token and explicit CORS origins\n") {
		t.Fatalf("pattern not inserted:\n%s", w.text(u))
	}
	// The section is documented now: only the heading lenses remain.
	w.call("textDocument/codeLens", map[string]any{"textDocument": td(u)}, &lenses)
	var titles []string
	for _, l := range lenses {
		titles = append(titles, l.Command.Title)
	}
	if got := strings.Join(titles, "|"); got != "2 patterns · Insert|1 pattern · Insert" {
		t.Fatalf("lenses after insert: %s", got)
	}
}

// The lens on an `## Integration:` heading inserts the best pattern not yet
// under it, at the end of that heading's section: its command used to be
// refused as "already inserted" (the pair's heading is in the document: it
// is the one the lens is on), so clicking it did nothing.
func TestCodeLensOnIntegrationHeadingInsertsUnderIt(t *testing.T) {
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	engine, _ := env.Library.Get(patFastAPIEngine)
	const head = "# Plan\n\n## Integration Patterns\n\n"
	const notes = "## Notes\n\nend\n"
	for _, tc := range []struct {
		name, heading, tail, eol string
	}{
		{"section followed by a heading", "## Integration: FastAPI → SQLModel", "\n" + notes, "\n"},
		{"last section", "## Integration: FastAPI → SQLModel", "", "\n"},
		{"ascii arrow", "## Integration: FastAPI -> SQLModel", "\n" + notes, "\n"},
		{"crlf", "## Integration: FastAPI → SQLModel", "\n" + notes, "\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorkspace(t, nil, clientOptions{})
			section := tc.heading + "\n\n### Pattern: Tests with dependency_overrides and in-memory SQLite (StaticPool)\n\n**Use Case**: tests.\n"
			crlf := func(s string) string { return strings.ReplaceAll(s, "\n", tc.eol) }
			doc := crlf(head + section + tc.tail)
			u := w.open(w.uri("plan.md"), doc)
			w.waitDiagnostics(u, 1)
			var lenses []protocol.CodeLens
			w.call("textDocument/codeLens", map[string]any{"textDocument": td(u)}, &lenses)
			if len(lenses) != 1 || lenses[0].Command.Title != "2 patterns · Insert" || lenses[0].Range.Start.Line != 4 {
				t.Fatalf("lenses: %+v", lenses)
			}
			v := w.runLens(t, u, lenses[0])
			w.waitDiagnostics(u, v)
			want := crlf(head + section + "\n" + engine.Markdown + tc.tail)
			if got := w.text(u); got != want {
				t.Fatalf("text after the lens:\n%q\nwant:\n%q", got, want)
			}
			w.call("textDocument/codeLens", map[string]any{"textDocument": td(u)}, &lenses)
			if len(lenses) != 1 || lenses[0].Command.Title != "1 pattern · Insert" {
				t.Fatalf("lenses after the insert: %+v", lenses)
			}
		})
	}
}

// A pair's heading shown in a code block (an example of the format) does
// not document the pair, and the lens of its point inserts the pattern: the
// command took the line in the code for the inserted heading and did
// nothing, so the lens was dead and the point stayed reported.
func TestCodeLensInsertsWhenTheHeadingIsOnlyInCode(t *testing.T) {
	w := newWorkspace(t, nil, clientOptions{})
	const example = "## Format\n\n```md\n## Integration: Better Auth → FastAPI\n```\n\n"
	doc := example + "## Requirements\n\n- **FR-002**: Better Auth issues a JWT that FastAPI verifies.\n"
	u := w.open(w.uri("spec.md"), doc)
	w.waitDiagnostics(u, 1)
	var lenses []protocol.CodeLens
	w.call("textDocument/codeLens", map[string]any{"textDocument": td(u)}, &lenses)
	if len(lenses) != 1 || lenses[0].Command.Command != "ipf.insertPattern" {
		t.Fatalf("lenses: %+v", lenses)
	}
	v := w.runLens(t, u, lenses[0])
	for _, d := range w.waitDiagnostics(u, v) {
		if d.Code == analysis.CodeIntegrationPoint {
			t.Errorf("still reported after the lens: %s", diagString(d))
		}
	}
	if want := doc + "\n## Integration Patterns\n\n## Integration: Better Auth → FastAPI\n\n### Pattern: "; !strings.HasPrefix(w.text(u), want) {
		t.Fatalf("text after the lens:\n%q\nwant it to start with\n%q", w.text(u), want)
	}
}

func TestCodeLensSectionWithSeveralPairs(t *testing.T) {
	w := newWorkspace(t, nil, clientOptions{})
	doc := "## Requirements\n\n- **FR-001**: Users sign in through Better Auth in the Next.js app.\n- **FR-002**: Better Auth issues a JWT that FastAPI verifies.\n"
	u := w.open(w.uri("spec.md"), doc)
	w.waitDiagnostics(u, 1)
	var lenses []protocol.CodeLens
	w.call("textDocument/codeLens", map[string]any{"textDocument": td(u)}, &lenses)
	if len(lenses) != 1 {
		t.Fatalf("lenses: %+v", lenses)
	}
	jsonEqual(t, "lens", lenses[0], `{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":15}},
	 "command":{"title":"2 patterns · Insert","command":"ipf.insertAllPatterns","arguments":[{"uri":"`+string(u)+`","version":1,
	 "patterns":["nextjs-better-auth/app-router-handler-client-and-server-side-session-check","better-auth-fastapi/jwt-bearer-verified-with-jwks"]}]}}`)
	w.call("workspace/executeCommand", map[string]any{"command": lenses[0].Command.Command, "arguments": lenses[0].Command.Arguments}, nil)
	w.mu.Lock()
	edit := w.applied[0].Edit
	w.mu.Unlock()
	w.applyEdit(&edit)
	text := w.text(u)
	for _, h := range []string{"## Integration: Next.js → Better Auth\n", "## Integration: Better Auth → FastAPI\n"} {
		if strings.Count(text, h) != 1 {
			t.Errorf("want one %q in:\n%s", h, text)
		}
	}
}

func TestCompletion(t *testing.T) {
	w := newWorkspace(t, nil, clientOptions{})
	doc := planDoc + "\n## Integration: Fast\n\nWe use Bett\n\n```ts\nBett\n```\n\n###\n\n```md\n## Integration: Fa\n```\n\n<!--\n## Integration: Fa\n-->\n"
	u := w.open(w.uri("plan.md"), doc)
	w.waitDiagnostics(u, 1)
	complete := func(line, char uint32, trigger string) protocol.CompletionList {
		t.Helper()
		p := map[string]any{"textDocument": td(u), "position": pos(line, char)}
		if trigger != "" {
			p["context"] = map[string]any{"triggerKind": 2, "triggerCharacter": trigger}
		}
		var l protocol.CompletionList
		w.call("textDocument/completion", p, &l)
		return l
	}

	// After `## Integration:`: the library's pairs, this document's
	// undocumented pair first; the edit replaces what was typed.
	pairs := complete(15, 20, "")
	if len(pairs.Items) < 20 {
		t.Fatalf("only %d pairs", len(pairs.Items))
	}
	jsonEqual(t, "first pair", pairs.Items[0], `{"label":"Next.js → FastAPI","kind":18,"detail":"2 patterns · integration point in this document",
	 "sortText":"0Next.js → FastAPI","textEdit":{"range":{"start":{"line":15,"character":16},"end":{"line":15,"character":20}},"newText":"Next.js → FastAPI"}}`)
	jsonEqual(t, "second pair", pairs.Items[1], `{"label":"Alembic → SQLModel","kind":18,"detail":"1 pattern","sortText":"1Alembic → SQLModel",
	 "textEdit":{"range":{"start":{"line":15,"character":16},"end":{"line":15,"character":20}},"newText":"Alembic → SQLModel"}}`)
	// The ":" trigger gives the same list there, and nothing elsewhere.
	if got := complete(15, 20, ":"); len(got.Items) != len(pairs.Items) {
		t.Fatalf("trigger after Integration: %d items, want %d", len(got.Items), len(pairs.Items))
	}
	if got := complete(17, 11, ":"); len(got.Items) != 0 {
		t.Fatalf("trigger in prose: %d items, want 0", len(got.Items))
	}

	// In prose: technology names, role in the detail, named ones first.
	techs := complete(17, 11, "")
	var better *protocol.CompletionItem
	for i := range techs.Items {
		if techs.Items[i].Label == "Better Auth" {
			better = &techs.Items[i]
		}
	}
	if better == nil {
		t.Fatal("no Better Auth item")
	}
	jsonEqual(t, "Better Auth", better, `{"label":"Better Auth","kind":12,"detail":"auth","sortText":"1better auth",
	 "textEdit":{"range":{"start":{"line":17,"character":7},"end":{"line":17,"character":11}},"newText":"Better Auth"}}`)
	if first := techs.Items[0]; first.Label != "FastAPI" || first.Detail != "backend · named in this document" {
		t.Fatalf("first technology = %q (%q), want FastAPI named in this document", first.Label, first.Detail)
	}

	// In code: nothing, a heading typed in a fence or an HTML comment
	// included (it is text there).
	for _, at := range []struct {
		line, char uint32
		trigger    string
	}{{20, 4, ""}, {26, 18, ""}, {26, 18, ":"}, {30, 18, ""}} {
		if got := complete(at.line, at.char, at.trigger); len(got.Items) != 0 {
			t.Errorf("in code or a comment, %d:%d %q: %d items, want none", at.line, at.char, at.trigger, len(got.Items))
		}
	}

	// After "###": the pattern section snippet, first.
	sn := complete(23, 3, "")
	jsonEqual(t, "snippet", sn.Items[0], `{"label":"### Pattern: section","kind":15,"detail":"integration pattern in the seed's Output Format",
	 "filterText":"### Pattern:","sortText":"!","insertTextFormat":2,
	 "textEdit":{"range":{"start":{"line":23,"character":0},"end":{"line":23,"character":3}},"newText":`+mustJSON(PatternSnippet())+`}}`)
	// Only it: a technology name would be glued to the marks ("###Alembic",
	// no heading).
	if len(sn.Items) != 1 {
		t.Errorf("after ###: %d items, want the snippet alone", len(sn.Items))
	}
}

// Completion on a heading line: the keyword in any case ("## integration:"),
// and on the first line of a document that starts with a byte order mark the
// mark is not part of what was typed: "\uFEFF## Integration: Bet" completes
// the library's pairs and "\uFEFF###" the pattern section, their edits
// starting after the mark. The mark was taken for text before the heading,
// so technology names were offered instead.
func TestCompletionAfterByteOrderMark(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	for i, tc := range []struct{ text, label, rng string }{
		{"\uFEFF## Integration: Bet", "Alembic → SQLModel", `{"start":{"line":0,"character":17},"end":{"line":0,"character":20}}`},
		{"\uFEFF###", "### Pattern: section", `{"start":{"line":0,"character":1},"end":{"line":0,"character":4}}`},
		// The keyword in any case, as the analysis reads it.
		{"## integration: Bet", "Alembic → SQLModel", `{"start":{"line":0,"character":16},"end":{"line":0,"character":19}}`},
	} {
		u := c.open(protocol.DocumentURI(fmt.Sprintf("file:///tmp/bom%d/spec.md", i)), tc.text)
		c.waitDiagnostics(u, 1)
		var l protocol.CompletionList
		c.call("textDocument/completion", map[string]any{"textDocument": td(u), "position": pos(0, uint32(len(utf16.Encode([]rune(tc.text)))))}, &l)
		if len(l.Items) == 0 {
			t.Fatalf("%q: no completion", tc.text)
		}
		if got := l.Items[0].Label; got != tc.label {
			t.Fatalf("%q: first item %q, want %q", tc.text, got, tc.label)
		}
		jsonEqual(t, tc.text+" range", l.Items[0].TextEdit.Range, tc.rng)
	}
}

func TestPatternSnippetIsTheBlankTemplate(t *testing.T) {
	want := "### Pattern: ${1:Pattern Name}\n\n**Use Case**: ${2:When you need to...}\n\n**Flow**:\n1. ${3:Step one}\n2. ${4:Step two}\n3. ${5:Step three}\n\n" +
		"**Code Example**:\n```${6:ts}\n${7:code}\n```\n\n**Gotchas**:\n- ${8:Gotcha 1}\n- ${9:Gotcha 2}\n\n**Official Source**: ${10:https://}\n$0"
	if got := PatternSnippet(); got != want {
		t.Fatalf("snippet:\n%q\nwant\n%q", got, want)
	}
	// Without snippet support the client gets the template itself.
	w := newWorkspace(t, nil, clientOptions{capabilities: map[string]any{}})
	u := w.open(w.uri("a.md"), "\n")
	w.waitDiagnostics(u, 1)
	var l protocol.CompletionList
	w.call("textDocument/completion", map[string]any{"textDocument": td(u), "position": pos(0, 0)}, &l)
	if l.Items[0].InsertTextFormat != 0 || l.Items[0].TextEdit.NewText != analysis.BlankTemplate {
		t.Fatalf("plain snippet item: %+v", l.Items[0])
	}
}

func TestDocumentSymbols(t *testing.T) {
	w := newWorkspace(t, nil, clientOptions{})
	u := w.open(w.uri("plan.md"), planDoc)
	w.waitDiagnostics(u, 1)
	var syms json.RawMessage
	w.call("textDocument/documentSymbol", map[string]any{"textDocument": td(u)}, &syms)
	jsonEqual(t, "hierarchical", syms, `[
	 {"name":"Next.js → FastAPI","detail":"2 patterns","kind":24,"range":{"start":{"line":4,"character":6},"end":{"line":4,"character":31}},"selectionRange":{"start":{"line":4,"character":6},"end":{"line":4,"character":31}}},
	 {"name":"FastAPI → SQLModel","detail":"documented","kind":24,"range":{"start":{"line":5,"character":2},"end":{"line":5,"character":48}},"selectionRange":{"start":{"line":5,"character":2},"end":{"line":5,"character":48}}},
	 {"name":"Integration: FastAPI → SQLModel","kind":3,"range":{"start":{"line":9,"character":0},"end":{"line":13,"character":20}},"selectionRange":{"start":{"line":9,"character":0},"end":{"line":9,"character":34}},
	  "children":[{"name":"Pattern: Tests with dependency_overrides and in-memory SQLite (StaticPool)","detail":"`+patFastAPITests+`","kind":5,
	   "range":{"start":{"line":11,"character":0},"end":{"line":13,"character":20}},"selectionRange":{"start":{"line":11,"character":0},"end":{"line":11,"character":78}}}]}]`)

	// A client without hierarchical support gets SymbolInformation.
	w2 := newWorkspace(t, nil, clientOptions{capabilities: map[string]any{}})
	u2 := w2.open(w2.uri("plan.md"), planDoc)
	w2.waitDiagnostics(u2, 1)
	var flat []protocol.SymbolInformation
	w2.call("textDocument/documentSymbol", map[string]any{"textDocument": td(u2)}, &flat)
	var got []string
	for _, s := range flat {
		got = append(got, s.Name+" <"+s.ContainerName+"> "+mustJSON(s.Location.Range))
	}
	want := []string{
		`Next.js → FastAPI <> {"start":{"line":4,"character":6},"end":{"line":4,"character":31}}`,
		`FastAPI → SQLModel <> {"start":{"line":5,"character":2},"end":{"line":5,"character":48}}`,
		`Integration: FastAPI → SQLModel <> {"start":{"line":9,"character":0},"end":{"line":13,"character":20}}`,
		`Pattern: Tests with dependency_overrides and in-memory SQLite (StaticPool) <Integration: FastAPI → SQLModel> {"start":{"line":11,"character":0},"end":{"line":13,"character":20}}`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("flat symbols:\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestDefinitionBuiltinPatternGoesToReadOnlyCache(t *testing.T) {
	w := newWorkspace(t, nil, clientOptions{})
	u := w.open(w.uri("plan.md"), planDoc)
	w.waitDiagnostics(u, 1)
	var locs []protocol.Location
	cached := filepath.Join(w.root, ".cache", "ipf-lsp", "test", "references", "fastapi-sqlmodel.md")
	// On the `### Pattern:` heading: that pattern's heading in its file.
	w.call("textDocument/definition", map[string]any{"textDocument": td(u), "position": pos(11, 20)}, &locs)
	jsonEqual(t, "pattern heading", locs, `[{"uri":"`+string(uri.File(cached))+`","range":{"start":{"line":116,"character":0},"end":{"line":116,"character":0}}}]`)
	st, err := os.Stat(cached)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o444 {
		t.Errorf("cache file mode %v, want 0444", st.Mode().Perm())
	}
	data, _ := os.ReadFile(cached)
	embedded, _ := references.FS.ReadFile("fastapi-sqlmodel.md")
	if string(data) != string(embedded) {
		t.Error("cache file differs from the embedded pattern file")
	}
	if lines := strings.Split(string(data), "\n"); lines[116] != "### Pattern: Tests with dependency_overrides and in-memory SQLite (StaticPool)" {
		t.Errorf("line 116 is %q", lines[116])
	}

	// In an integration-point diagnostic: its best pattern. A second
	// request reuses the cache file.
	w.call("textDocument/definition", map[string]any{"textDocument": td(u), "position": pos(4, 20)}, &locs)
	next := filepath.Join(w.root, ".cache", "ipf-lsp", "test", "references", "nextjs-fastapi.md")
	if len(locs) != 1 || locs[0].URI != protocol.DocumentURI(uri.File(next)) {
		t.Fatalf("definition in the diagnostic: %+v", locs)
	}
	// Plain prose: nothing.
	w.call("textDocument/definition", map[string]any{"textDocument": td(u), "position": pos(0, 2)}, &locs)
	if len(locs) != 0 {
		t.Fatalf("definition on a title: %+v", locs)
	}
}

func TestDefinitionWorkspacePack(t *testing.T) {
	pack := "---\nfrom: fastapi\nto: sqlmodel\n---\n\n## Integration: FastAPI → SQLModel\n\n" +
		"### Pattern: Tests with dependency_overrides and in-memory SQLite (StaticPool)\n\n**Use Case**: ours.\n"
	w := newWorkspace(t, map[string]string{".ipf/patterns/fastapi-sqlmodel.md": pack}, clientOptions{})
	u := w.open(w.uri("plan.md"), planDoc)
	w.waitDiagnostics(u, 1)
	var locs []protocol.Location
	w.call("textDocument/definition", map[string]any{"textDocument": td(u), "position": pos(11, 20)}, &locs)
	jsonEqual(t, "pack", locs, `[{"uri":"`+string(w.uri(".ipf/patterns/fastapi-sqlmodel.md"))+`","range":{"start":{"line":7,"character":0},"end":{"line":7,"character":0}}}]`)
}

func TestConfigMalformedFile(t *testing.T) {
	// The file is not open in the editor: its diagnostic is published for
	// its URI anyway, and the defaults apply.
	w := newWorkspace(t, map[string]string{".ipf.toml": "# settings\ninlay_hints = maybe\n"}, clientOptions{})
	cu := w.uri(".ipf.toml")
	p := w.waitPublish(cu, func(published) bool { return true })
	jsonEqual(t, "config diagnostic", p.Diagnostics, `[{"range":{"start":{"line":1,"character":0},"end":{"line":1,"character":19}},"severity":1,"code":"config","source":"ipf",
	 "message":"invalid .ipf.toml, using the defaults: expected value but found \"maybe\" instead"}]`)
	u := w.open(w.uri("plan.md"), planDoc)
	if got := w.waitDiagnostics(u, 1); len(got) != 2 {
		t.Fatalf("defaults: %d diagnostics, want 2", len(got))
	}

	// Fixed on disk: the diagnostic is cleared and the file applies.
	writeFile(t, filepath.Join(w.root, ".ipf.toml"), "disabled = [\"incomplete-pattern\"]\n")
	n, nc := w.publishCount(u), w.publishCount(cu)
	w.notifyServer("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": cu, "type": 2}}})
	if p := w.waitPublishAfter(cu, nc); len(p.Diagnostics) != 0 {
		t.Fatalf("config diagnostic not cleared: %+v", p.Diagnostics)
	}
	got := w.waitPublishAfter(u, n).Diagnostics
	if len(got) != 1 || got[0].Code != "integration-point" {
		t.Fatalf("after fix: %+v", got)
	}
}

// TestConfigDiagnosticOnTheKeyLine: a value of the wrong type, a severity
// that is not a table and an out-of-range max_file_size are underlined on
// their own line. The first was on line 0 (a comment here) with the
// decoder's "toml: line 3 (last key …)" in the message; the other two gave
// no diagnostic at all and silently did nothing.
func TestConfigDiagnosticOnTheKeyLine(t *testing.T) {
	for _, tc := range []struct{ name, text, want string }{
		{"wrong type", "# settings\n\ninlay_hints = \"no\"\n",
			"2:0-2:18 Error config invalid .ipf.toml, using the defaults: inlay_hints: incompatible types: TOML value has type string; destination has type boolean"},
		{"severity not a table", "# settings\nseverity = \"hint\"\n",
			"1:0-1:17 Error config invalid .ipf.toml, using the defaults: severity must be a table of codes, [severity] with lines such as integration-point = \"warning\""},
		{"max_file_size negative", "# settings\nmax_file_size = -1\n",
			"1:0-1:18 Error config invalid .ipf.toml, using the defaults: max_file_size must be a positive number of bytes, not -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			w := newWorkspace(t, map[string]string{".ipf.toml": tc.text}, clientOptions{})
			p := w.waitPublish(w.uri(".ipf.toml"), func(published) bool { return true })
			if len(p.Diagnostics) != 1 || diagString(p.Diagnostics[0]) != tc.want {
				var got []string
				for _, d := range p.Diagnostics {
					got = append(got, diagString(d))
				}
				t.Fatalf("got %q\nwant %q", got, tc.want)
			}
		})
	}
}

func TestConfigOpenInEditorAppliesUnsavedText(t *testing.T) {
	w := newWorkspace(t, nil, clientOptions{})
	u := w.open(w.uri("plan.md"), planDoc)
	w.waitDiagnostics(u, 1)
	cu := w.uri(".ipf.toml")
	n := w.publishCount(u)
	w.notifyServer("textDocument/didOpen", map[string]any{"textDocument": map[string]any{"uri": cu, "languageId": "toml", "version": 1, "text": "disabled = [\n"}})
	p := w.waitPublish(cu, func(published) bool { return true })
	if len(p.Diagnostics) != 1 || p.Diagnostics[0].Code != CodeConfig {
		t.Fatalf("open malformed config: %+v", p.Diagnostics)
	}
	w.waitPublishAfter(u, n)
	n, nc := w.publishCount(u), w.publishCount(cu)
	w.notifyServer("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": cu, "version": 2},
		"contentChanges": []map[string]any{{"range": lspRange(0, 12, 0, 12), "text": "\"integration-point\"]"}}})
	if p := w.waitPublishAfter(cu, nc); len(p.Diagnostics) != 0 {
		t.Fatalf("config diagnostic not cleared: %+v", p.Diagnostics)
	}
	got := w.waitPublishAfter(u, n).Diagnostics
	if len(got) != 1 || got[0].Code != "incomplete-pattern" {
		t.Fatalf("unsaved config not applied: %+v", got)
	}
}

func TestConfigPrecedenceFileOverEditor(t *testing.T) {
	editor := map[string]any{"diagnostics": map[string]any{"disabled": []string{"integration-point"}}}
	// Editor settings alone.
	w := newWorkspace(t, nil, clientOptions{settings: editor})
	u := w.open(w.uri("plan.md"), planDoc)
	assertCodes(t, w.waitDiagnostics(u, 1), "incomplete-pattern")
	// The file sets the same key: the file wins.
	w2 := newWorkspace(t, map[string]string{".ipf.toml": "disabled = [\"incomplete-pattern\"]\n[severity]\nintegration-point = \"warning\"\n"}, clientOptions{settings: editor})
	u2 := w2.open(w2.uri("plan.md"), planDoc)
	got := w2.waitDiagnostics(u2, 1)
	assertCodes(t, got, "integration-point")
	if got[0].Severity != protocol.DiagnosticSeverityWarning {
		t.Fatalf("severity %v, want Warning", got[0].Severity)
	}
	// Settings pushed in didChangeConfiguration by a client without
	// workspace/configuration.
	w3 := newWorkspace(t, nil, clientOptions{capabilities: map[string]any{}})
	u3 := w3.open(w3.uri("plan.md"), planDoc)
	w3.waitDiagnostics(u3, 1)
	n := w3.publishCount(u3)
	w3.notifyServer("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"ipf": editor}})
	assertCodes(t, w3.waitPublishAfter(u3, n).Diagnostics, "incomplete-pattern")
}

func assertCodes(t *testing.T, ds []protocol.Diagnostic, want ...string) {
	t.Helper()
	var got []string
	for _, d := range ds {
		got = append(got, d.Code.(string))
	}
	if strings.Join(got, ",") != strings.Join(want, ",") {
		t.Fatalf("codes %v, want %v", got, want)
	}
}

func TestMaxFileSizeAndIgnore(t *testing.T) {
	w := newWorkspace(t, map[string]string{".ipf.toml": "max_file_size = 64\nignore = [\"drafts/**\"]\n"}, clientOptions{})
	u := w.open(w.uri("plan.md"), planDoc)
	jsonEqual(t, "too large", w.waitDiagnostics(u, 1), `[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":6}},"severity":3,"code":"file-too-large","source":"ipf",
	 "message":"not analysed: the document has 277 bytes, above the limit of 64 (max_file_size in .ipf.toml, ipf.maxFileSize in the editor)","data":{"version":1}}]`)
	// Hover and the other features still answer (with nothing).
	var h *protocol.Hover
	w.call("textDocument/hover", map[string]any{"textDocument": td(u), "position": pos(4, 10)}, &h)
	if h != nil {
		t.Fatalf("hover on an unanalysed document: %+v", h)
	}
	d := w.open(w.uri("drafts/x.md"), "Better Auth issues a JWT that FastAPI verifies.\n")
	if got := w.waitDiagnostics(d, 1); len(got) != 0 {
		t.Fatalf("ignored document has diagnostics: %+v", got)
	}
}

func TestPositionEncodings(t *testing.T) {
	// "—" is 3 UTF-8 bytes and 1 UTF-16 unit; "𝄞" 4 bytes and 2 units.
	doc := "# Plan — 𝄞\n\n- FastAPI — 𝄞 writes rows through SQLModel.\n"
	for _, tc := range []struct {
		utf8          bool
		enc           string
		point         protocol.Range
		hintCharacter uint32
	}{
		{false, "utf-16", lspRange(2, 2, 2, 43), 44},
		{true, "utf-8", lspRange(2, 2, 2, 47), 48},
	} {
		t.Run(tc.enc, func(t *testing.T) {
			root := t.TempDir()
			opts := clientOptions{rootURI: protocol.DocumentURI(uri.File(root)), capabilities: fullCaps(tc.utf8), skipInit: true,
				settings: map[string]any{"diagnostics": map[string]any{"disabled": []string{"integration-point"}}}}
			c := newTestClient(t, opts)
			var init struct {
				Capabilities struct {
					PositionEncoding  string `json:"positionEncoding"`
					InlayHintProvider bool   `json:"inlayHintProvider"`
				} `json:"capabilities"`
			}
			if err := json.Unmarshal(c.initialize(opts), &init); err != nil {
				t.Fatal(err)
			}
			if init.Capabilities.PositionEncoding != tc.enc || !init.Capabilities.InlayHintProvider {
				t.Fatalf("capabilities %+v, want %s and inlay hints", init.Capabilities, tc.enc)
			}
			u := c.open(protocol.DocumentURI(uri.File(filepath.Join(root, "plan.md"))), doc)
			c.waitDiagnostics(u, 1)
			var syms []protocol.DocumentSymbol
			c.call("textDocument/documentSymbol", map[string]any{"textDocument": td(u)}, &syms)
			if len(syms) != 1 || syms[0].Range != tc.point {
				t.Fatalf("symbols %+v, want one at %+v", syms, tc.point)
			}
			var hints []inlayHint
			c.call("textDocument/inlayHint", map[string]any{"textDocument": td(u), "range": lspRange(0, 0, 9, 0)}, &hints)
			if len(hints) != 1 || hints[0].Position != pos(2, tc.hintCharacter) {
				t.Fatalf("hints %+v, want one at 2:%d", hints, tc.hintCharacter)
			}
			// A position in the client's encoding reaches the right place:
			// definition from just before "SQLModel" finds the pair's pattern.
			var locs []protocol.Location
			c.call("textDocument/definition", map[string]any{"textDocument": td(u), "position": pos(2, tc.point.End.Character-1)}, &locs)
			if len(locs) != 1 || !strings.HasSuffix(string(locs[0].URI), "/fastapi-sqlmodel.md") {
				t.Fatalf("definition: %+v", locs)
			}
		})
	}
}

// A didChange for a .ipf.toml the client never opened has no text to apply
// to: it is ignored and said so in the log, like one for a document never
// opened, and the configuration stays what it was.
func TestConfigChangeNeverOpenedIgnored(t *testing.T) {
	w := newWorkspace(t, nil, clientOptions{})
	u := w.open(w.uri("plan.md"), planDoc)
	if len(w.waitDiagnostics(u, 1)) == 0 {
		t.Fatal("no diagnostics to start from")
	}
	cu := w.uri(".ipf.toml")
	w.notifyServer("textDocument/didChange", map[string]any{"textDocument": map[string]any{"uri": cu, "version": 2},
		"contentChanges": []map[string]any{{"range": lspRange(0, 0, 0, 0), "text": "disabled = [\"all\"]\n"}}})
	// In order after it: if the edit had been taken for the configuration,
	// every code would be off for this version.
	v := w.change(u, map[string]any{"range": lspRange(0, 0, 0, 0), "text": "x"})
	if got := w.waitDiagnostics(u, v); len(got) == 0 {
		t.Errorf("version %d has no diagnostics: the never-opened configuration's edit was applied", v)
	}
	want := "ipf-lsp: didChange for " + string(cu) + ", which is not open: ignored"
	deadline := time.Now().Add(waitTimeout)
	for {
		w.mu.Lock()
		found := slices.Contains(w.logs, want)
		w.mu.Unlock()
		if found {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("log %q never came", want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// Editor settings naming a code that does not exist, or a level that is
// none, are left out and said in the log; the valid ones still apply.
func TestEditorSettingsInvalidEntriesLeftOut(t *testing.T) {
	w := newWorkspace(t, nil, clientOptions{capabilities: map[string]any{}})
	u := w.open(w.uri("plan.md"), planDoc)
	w.waitDiagnostics(u, 1)
	n := w.publishCount(u)
	editor := map[string]any{"diagnostics": map[string]any{
		"disabled": []string{"integration-point", "incomplete-patern"},
		"severity": map[string]string{"incomplete-pattern": "loud"},
	}}
	w.notifyServer("workspace/didChangeConfiguration", map[string]any{"settings": map[string]any{"ipf": editor}})
	got := w.waitPublishAfter(u, n).Diagnostics
	assertCodes(t, got, "incomplete-pattern")
	if got[0].Severity != protocol.DiagnosticSeverityWarning {
		t.Errorf("severity %v, want the default Warning", got[0].Severity)
	}
	want := `ipf-lsp: editor settings left out: diagnostics.disabled: unknown diagnostic code "incomplete-patern"; the codes are all, config, ` + strings.Join(analysis.Codes(), ", ") +
		`; diagnostics.severity for "incomplete-pattern" must be error, warning, information or hint, not "loud"`
	w.mu.Lock()
	logs := append([]string(nil), w.logs...)
	w.mu.Unlock()
	if !slices.Contains(logs, want) {
		t.Errorf("logs %q\nwant %q", logs, want)
	}
}

// initializationOptions with one value of the wrong type: that value is
// left out and said in the client's log, the others apply. The whole
// section was ignored, with a line on stderr only: the disabled codes
// beside `"inlayHints": true` did nothing, and the user was not told.
func TestInitOptionsWrongTypeLeftOut(t *testing.T) {
	w := newWorkspace(t, nil, clientOptions{capabilities: map[string]any{}, initOptions: map[string]any{"ipf": map[string]any{
		"inlayHints":  true,
		"diagnostics": map[string]any{"disabled": []string{"integration-point"}},
	}}})
	u := w.open(w.uri("plan.md"), planDoc)
	assertCodes(t, w.waitDiagnostics(u, 1), "incomplete-pattern")
	want := `ipf-lsp: initializationOptions: editor settings left out: inlayHints must be an object such as {"enabled": false}, not true`
	w.mu.Lock()
	logs := append([]string(nil), w.logs...)
	w.mu.Unlock()
	if !slices.Contains(logs, want) {
		t.Errorf("logs %q\nwant %q", logs, want)
	}
}
