// Package nvimtest drives ipf-lsp through a client we did not write: Neovim,
// headless, configured only with the documented snippet from editors/nvim,
// on real spec-kit documents from ../shared/corpus, and on small documents
// of testdata/ written for one test (constitution_test.go).
//
// In CI (CI=true) a missing nvim or corpus fails the tests; elsewhere they
// skip with a message.
package nvimtest

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// The document: a real spec (225 lines, LF, no final newline) whose author
// wires Better Auth in Next.js to a FastAPI backend.
const (
	specSrc = "Muhammad-Azan-1__Speckit-5-phase-hackhtone/Phase2/specs/features/004-better-auth-integration/spec.md"
	specDoc = "specs/004-better-auth-integration/spec.md"

	msgBAFastAPI = `Integration point: Better Auth → FastAPI — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one)`
	msgNextBA    = `Integration point: Next.js → Better Auth — 3 patterns available, best match: "App Router handler, client and server-side session check" (quick fix inserts one)`

	patJWKS      = "better-auth-fastapi/jwt-bearer-verified-with-jwks"
	titleJWKS    = "Insert pattern: JWT bearer verified with JWKS"
	titleNextApp = "Insert pattern: App Router handler, client and server-side session check"
)

func info(lnum, col, endCol int, msg string) diag {
	return diag{Lnum: lnum, Col: col, EndLnum: lnum, EndCol: endCol, Severity: 3, Source: "ipf", Code: "integration-point", Message: msg}
}

func equalDiags(t *testing.T, what string, got, want []diag) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		var b strings.Builder
		for _, d := range got {
			fmt.Fprintf(&b, "  %+v\n", d)
		}
		t.Errorf("%s: Neovim shows\n%swant\n%s", what, b.String(), fmtDiags(want))
	}
}

func fmtDiags(ds []diag) string {
	var b strings.Builder
	for _, d := range ds {
		fmt.Fprintf(&b, "  %+v\n", d)
	}
	return b.String()
}

// TestNeovimCore: the diagnostics Neovim shows, the hover, and the buffer
// after the quick fix taken with vim.lsp.buf.code_action(), then the
// diagnostics Neovim shows for that new text.
//
// The full diagnostic lists are compared with what `ipf-lsp check --format
// json` reports for the same text in the same workspace (another code path:
// no LSP, no Neovim, UTF-16 columns turned into bytes here), and a few of
// them with literal values.
func TestNeovimCore(t *testing.T) {
	ws := workspace(t, map[string]string{specDoc: specSrc})
	orig := corpusText(t, specSrc)
	origLines := strings.Count(orig, "\n") + 1 // no final newline
	wantOpen := checkDiags(t, ws, specDoc, orig)

	s := run(t, ws, specDoc,
		step{"op": "diagnostics"},
		// On "Better Auth" in the line "*Better Auth \+ FastAPI Integration*".
		step{"op": "hover", "line": 10, "character": 2},
		step{"op": "code_action", "line": 10, "character": 2, "title": titleJWKS},
		step{"op": "diagnostics"},
		step{"op": "code_action", "line": 172, "character": 40, "title": titleNextApp},
		step{"op": "diagnostics"},
	)
	t.Logf("Neovim %s, client %s, root %s, encoding %s", s.Nvim, s.Client.Name, s.Client.RootDir, s.Client.OffsetEncoding)
	if s.Client.RootDir != ws {
		t.Errorf("root_dir = %q, want the workspace %q (nearest .specify)", s.Client.RootDir, ws)
	}

	// 1. Diagnostics: 0-based line, byte column, as vim.diagnostic holds them.
	equalDiags(t, "diagnostics on open", s.Steps[0].Diagnostics, wantOpen)
	for _, d := range []diag{info(10, 1, 23, msgBAFastAPI), info(172, 36, 64, msgNextBA)} {
		if !contains(s.Steps[0].Diagnostics, d) {
			t.Errorf("Neovim does not show %+v", d)
		}
	}

	// 2. Hover: the matching pattern as Markdown.
	checkHoverJWKS(t, s.Steps[1])

	// 3. Quick fix: the three Better Auth → FastAPI patterns are offered, the
	// preferred (best match) first; the chosen one is appended under a new
	// `## Integration Patterns` heading, the corpus text left byte for byte.
	fix := s.Steps[2]
	wantOffered := []string{titleJWKS, "Insert pattern: Session forwarding to get-session", "Insert pattern: Bearer plugin session token (not a JWT)"}
	if !reflect.DeepEqual(fix.Offered, wantOffered) {
		t.Errorf("code actions offered = %q, want %q", fix.Offered, wantOffered)
	}
	want1 := orig + "\n\n## Integration Patterns\n\n" + show(t, patJWKS)
	if fix.Text != want1 {
		t.Errorf("buffer after the quick fix differs from the spec + the pattern section:\n%s", firstDiff(fix.Text, want1))
	}

	// 4. The new version: no Better Auth → FastAPI finding is left in the
	// spec's own lines (the pair is documented now), the rest is what check
	// reports for that text.
	if s.Steps[3].Version == s.Steps[0].Version {
		t.Errorf("diagnostics after the fix carry the version of the text before it")
	}
	equalDiags(t, "diagnostics after the quick fix", s.Steps[3].Diagnostics, checkDiags(t, ws, specDoc, want1))
	assertNoPair(t, s.Steps[3].Diagnostics, origLines, "Better Auth → FastAPI")
	if !contains(s.Steps[3].Diagnostics, info(172, 36, 64, msgNextBA)) {
		t.Errorf("the Next.js → Better Auth finding on line 173 is gone after an unrelated fix")
	}

	// 5. A second quick fix reuses the heading: only the section is appended.
	want2 := want1 + "\n" + show(t, "nextjs-better-auth/app-router-handler-client-and-server-side-session-check")
	if s.Steps[4].Text != want2 {
		t.Errorf("buffer after the second quick fix:\n%s", firstDiff(s.Steps[4].Text, want2))
	}
	equalDiags(t, "diagnostics after both quick fixes", s.Steps[5].Diagnostics, checkDiags(t, ws, specDoc, want2))
	assertNoPair(t, s.Steps[5].Diagnostics, origLines, "Better Auth → FastAPI")
	assertNoPair(t, s.Steps[5].Diagnostics, origLines, "Next.js → Better Auth")
}

func contains(ds []diag, d diag) bool {
	for _, x := range ds {
		if x == d {
			return true
		}
	}
	return false
}

// assertNoPair fails on an integration-point diagnostic of the pair within
// the first `lines` lines.
func assertNoPair(t *testing.T, ds []diag, lines int, pair string) {
	t.Helper()
	for _, d := range ds {
		if d.Lnum < lines && d.Code == "integration-point" && strings.HasPrefix(d.Message, "Integration point: "+pair) {
			t.Errorf("%s still reported after its pattern was inserted: %+v", pair, d)
		}
	}
}

// checkHoverJWKS compares the hover with the pattern as `patterns show`
// prints it: the title line, the Use Case, every code block and every
// official source verbatim.
func checkHoverJWKS(t *testing.T, h stepResult) {
	t.Helper()
	v, _ := h.Value.(string)
	if h.Kind != "markdown" {
		t.Errorf("hover kind = %q, want markdown", h.Kind)
	}
	const head = "**Better Auth → FastAPI** · pattern: **JWT bearer verified with JWKS**\n\n**Use Case**: "
	if !strings.HasPrefix(v, head) {
		t.Errorf("hover starts %q, want %q", prefix(v, len(head)), head)
	}
	const tail = "\n\nAlso available: Session forwarding to get-session; Bearer plugin session token (not a JWT)\n"
	if !strings.HasSuffix(v, tail) {
		t.Errorf("hover ends %q, want %q", v[max(0, len(v)-len(tail)):], tail)
	}
	pat := show(t, patJWKS)
	for _, part := range parts(pat) {
		if !strings.Contains(v, part) {
			t.Errorf("hover lacks this part of the pattern:\n%s", part)
		}
	}
}

// parts splits a pattern in the Output Format into what the hover must
// carry verbatim: the Use Case line, each fenced code block, each source URL.
func parts(pat string) []string {
	var out []string
	lines := strings.Split(pat, "\n")
	for i := 0; i < len(lines); i++ {
		l := lines[i]
		switch {
		case strings.HasPrefix(l, "**Use Case**: "):
			out = append(out, l)
		case strings.HasPrefix(l, "```") && len(l) > 3:
			j := i + 1
			for j < len(lines) && lines[j] != "```" {
				j++
			}
			out = append(out, strings.Join(lines[i:j+1], "\n"))
			i = j
		case strings.HasPrefix(l, "**Official Source**: "):
			for _, u := range strings.Split(strings.TrimPrefix(l, "**Official Source**: "), ", ") {
				out = append(out, strings.TrimSpace(u))
			}
		}
	}
	return out
}

func prefix(s string, n int) string {
	if len(s) < n {
		return s
	}
	return s[:n]
}

func firstDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	lo := max(0, i-80)
	return fmt.Sprintf("first difference at byte %d (got %d bytes, want %d)\n got: %q\nwant: %q",
		i, len(got), len(want), got[lo:min(len(got), i+80)], want[lo:min(len(want), i+80)])
}

// TestNeovimFeatures: code lens, document symbols, definition and completion
// requested through Neovim's client (vim.lsp.buf_request_sync) on the spec.
func TestNeovimFeatures(t *testing.T) {
	ws := workspace(t, map[string]string{specDoc: specSrc})
	doc := map[string]any{"uri": "$uri"}
	s := run(t, ws, specDoc,
		step{"op": "diagnostics"},
		step{"op": "request", "method": "textDocument/codeLens", "params": map[string]any{"textDocument": doc}},
		step{"op": "request", "method": "textDocument/documentSymbol", "params": map[string]any{"textDocument": doc}},
		step{"op": "request", "method": "textDocument/definition", "params": map[string]any{"textDocument": doc, "position": map[string]int{"line": 10, "character": 2}}},
		step{"op": "request", "method": "textDocument/completion", "params": map[string]any{"textDocument": doc, "position": map[string]int{"line": 1, "character": 0}}},
		// Neovim 0.7 cannot draw inlay hints (0.10 can); the request goes
		// through its client all the same.
		step{"op": "request", "method": "textDocument/inlayHint", "params": map[string]any{"textDocument": doc, "range": map[string]any{"start": map[string]int{"line": 0, "character": 0}, "end": map[string]int{"line": 300, "character": 0}}}},
	)
	type rng struct {
		Start, End struct{ Line, Character int }
	}
	// Inlay hints: later lines of a pair in a section; the first one.
	var hints []map[string]any
	decode(t, s.Steps[5].Result, &hints)
	if len(hints) == 0 {
		t.Fatalf("no inlay hints")
	}
	if got, _ := json.Marshal(hints[0]); string(got) != `{"label":"⇄ Better Auth → FastAPI","paddingLeft":true,"position":{"character":96,"line":23},"tooltip":"Integration point Better Auth → FastAPI (implied by this line with this document's stack: Better Auth, FastAPI): pattern \"Bearer plugin session token (not a JWT)\" (+2 more)"}` {
		t.Errorf("first inlay hint = %s", got)
	}
	// Code lens: the first one sits on the "# **Securing the REST API**" heading.
	var lenses []struct {
		Range   rng
		Command struct {
			Title, Command string
			Arguments      []map[string]any
		}
	}
	decode(t, s.Steps[1].Result, &lenses)
	if len(lenses) == 0 {
		t.Fatalf("no code lens")
	}
	l := lenses[0]
	if l.Range.Start.Line != 8 || l.Command.Title != "1 pattern · Insert" || l.Command.Command != "ipf.insertPattern" ||
		len(l.Command.Arguments) != 1 || l.Command.Arguments[0]["pattern"] != patJWKS {
		t.Errorf("first code lens = %+v", l)
	}
	// In document order, as Neovim lists them.
	var lines []int
	for _, l := range lenses {
		lines = append(lines, l.Range.Start.Line)
	}
	if !slices.IsSorted(lines) {
		t.Errorf("code lens lines %v, want them in document order", lines)
	}
	// Document symbols: Neovim announces hierarchical support, so these are
	// DocumentSymbol values; the integration points in document order.
	var syms []struct {
		Name  string
		Kind  int
		Range rng
	}
	decode(t, s.Steps[2].Result, &syms)
	// (The request quoted on line 6 implies none.)
	if len(syms) < 1 || syms[0].Name != "Better Auth → FastAPI" || syms[0].Range.Start.Line != 10 ||
		syms[0].Range.Start.Character != 1 || syms[0].Range.End.Character != 23 {
		t.Errorf("document symbols start %+v", syms[:min(3, len(syms))])
	}
	// Definition on "Better Auth": the pattern file, a read-only cache copy
	// of the built-in reference.
	var defs []struct{ URI string }
	decode(t, s.Steps[3].Result, &defs)
	if len(defs) != 1 || !strings.HasSuffix(defs[0].URI, "/references/better-auth-fastapi.md") {
		t.Errorf("definition = %+v", defs)
	}
	// Completion at the start of a line: the pattern section first (plain
	// text: Neovim 0.7 announces no snippet support), then technologies.
	var comp struct {
		Items []struct {
			Label            string
			InsertTextFormat int
		}
	}
	decode(t, s.Steps[4].Result, &comp)
	if len(comp.Items) < 2 || comp.Items[0].Label != "### Pattern: section" || comp.Items[1].Label != "Better Auth" {
		t.Errorf("completion items start %+v", comp.Items[:min(3, len(comp.Items))])
	}
}

func decode(t *testing.T, raw []byte, v any) {
	t.Helper()
	if err := json.Unmarshal(raw, v); err != nil {
		t.Fatalf("%v: %s", err, raw)
	}
}

// TestNeovimIgnoreOnThisLine: the "Ignore CODE on this line" quick fix,
// taken with vim.lsp.buf.code_action() on a finding in the middle of a
// list, ends that line with a comment (a comment line there would cut the
// list in two), and Neovim then shows what check reports for that text:
// the finding gone, the same finding on other lines kept.
func TestNeovimIgnoreOnThisLine(t *testing.T) {
	ws := workspace(t, map[string]string{specDoc: specSrc})
	orig := corpusText(t, specSrc)
	const line = 24 // "* Backend receives request → … verifies signature using shared secret"
	s := run(t, ws, specDoc,
		step{"op": "diagnostics"},
		step{"op": "code_action", "line": line, "character": 85, "title": "Ignore shared-secret-jwt on this line"},
		step{"op": "diagnostics"},
	)
	secret := func(ds []diag) []int {
		var lines []int
		for _, d := range ds {
			if d.Code == "shared-secret-jwt" {
				lines = append(lines, d.Lnum)
			}
		}
		return lines
	}
	if got := secret(s.Steps[0].Diagnostics); len(got) == 0 || got[0] != line {
		t.Fatalf("shared-secret-jwt on lines %v before the fix, want line %d first", got, line)
	}
	lines := strings.Split(orig, "\n")
	if !strings.HasSuffix(lines[line], "using shared secret") {
		t.Fatalf("line %d of the corpus document is %q", line, lines[line])
	}
	lines[line] += " <!-- ipf-disable-line shared-secret-jwt -->"
	want := strings.Join(lines, "\n")
	if got := s.Steps[1].Text; got != want {
		t.Errorf("buffer after the ignore fix:\n%s", firstDiff(got, want))
	}
	equalDiags(t, "diagnostics after the ignore fix", s.Steps[2].Diagnostics, checkDiags(t, ws, specDoc, want))
	if got, before := secret(s.Steps[2].Diagnostics), secret(s.Steps[0].Diagnostics); !reflect.DeepEqual(got, before[1:]) {
		t.Errorf("shared-secret-jwt on lines %v after the fix, want %v", got, before[1:])
	}
}
