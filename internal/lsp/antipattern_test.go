package lsp

import (
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

const apURI = protocol.DocumentURI("file:///ws/specs/001/plan.md")

// apText has one anti-pattern finding (line 2) and a negated sentence
// (line 3) that is not one.
const apText = "# Plan\n\n- The JWT is stored in localStorage.\n- Tokens MUST NOT be stored in sessionStorage.\n"

func apFindings(t *testing.T, c *testClient, uri protocol.DocumentURI, v int32) []protocol.Diagnostic {
	t.Helper()
	var out []protocol.Diagnostic
	for _, d := range c.waitDiagnostics(uri, v) {
		if d.Code == analysis.CodeTokenInBrowserStorage {
			out = append(out, d)
		}
	}
	return out
}

// TestAntiPatternDiagnosticHoverAndFixes: the exact diagnostic (range,
// message, codeDescription), the hover that shows the recommended pattern,
// the quick fix that inserts it, and the ignore fix.
func TestAntiPatternDiagnosticHoverAndFixes(t *testing.T) {
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, clientOptions{env: env})
	c.open(apURI, apText)
	ds := apFindings(t, c, apURI, 1)
	if len(ds) != 1 {
		t.Fatalf("token-in-browser-storage diagnostics: %v", ds)
	}
	d := ds[0]
	wantMsg := "auth token kept in browser storage: any XSS can read localStorage/sessionStorage and steal it. Keep the session in an HttpOnly; Secure; SameSite cookie and hold short-lived API tokens in memory (or call the API from the server)"
	if got, want := diagString(d), "2:23-2:35 Warning token-in-browser-storage "+wantMsg; got != want {
		t.Errorf("diagnostic\n got %s\nwant %s", got, want)
	}
	if d.CodeDescription == nil || string(d.CodeDescription.Href) != "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#html5-web-storage-api" {
		t.Errorf("codeDescription = %+v", d.CodeDescription)
	}

	// Hover shows the first recommended pattern, after a line that says
	// which finding it fixes: Neovim's hover window shows no diagnostic,
	// and a bare "Next.js → FastAPI" pattern on "localStorage" did not say
	// why it was there.
	var h protocol.Hover
	c.call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": apURI}, "position": map[string]any{"line": 2, "character": 26}}, &h)
	pid := "nextjs-fastapi/rest-calls-with-a-bearer-token-and-explicit-cors-origins"
	p, _ := env.Library.Get(pid)
	other, _ := env.Library.Get("better-auth-fastapi/jwt-bearer-verified-with-jwks")
	if !strings.HasPrefix(h.Contents.Value, "Fix for `token-in-browser-storage`:\n\n**Next.js → FastAPI** · pattern: **"+p.Name+"**\n\n") || !strings.HasSuffix(h.Contents.Value, "\nAlso available: "+other.Name+"\n") {
		t.Errorf("hover:\n%s", h.Contents.Value)
	}

	actions, titles := codeActionsFor(c, apURI, d)
	want := []string{"Insert pattern: " + p.Name, "Insert pattern: " + other.Name, "Ignore token-in-browser-storage on this line"}
	if strings.Join(titles, "|") != strings.Join(want, "|") {
		t.Fatalf("titles = %q, want %q", titles, want)
	}

	// The ignore fix ends the line with a comment, which keeps the list
	// whole; the finding goes.
	v := c.applyEdit(actions[2].Edit)[apURI]
	wantText := "# Plan\n\n- The JWT is stored in localStorage. <!-- ipf-disable-line token-in-browser-storage -->\n- Tokens MUST NOT be stored in sessionStorage.\n"
	if got := c.text(apURI); got != wantText {
		t.Fatalf("text after ignore:\n%q\nwant\n%q", got, wantText)
	}
	if ds := apFindings(t, c, apURI, v); len(ds) != 0 {
		t.Errorf("still reported after the ignore fix: %v", ds)
	}
}

// TestAntiPatternInsertFix: the preferred fix inserts the recommended
// pattern under "## Integration Patterns".
func TestAntiPatternInsertFix(t *testing.T) {
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, clientOptions{env: env})
	c.open(apURI, apText)
	d := apFindings(t, c, apURI, 1)[0]
	var actions []protocol.CodeAction
	c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": apURI},
		"range":        d.Range,
		"context":      map[string]any{"diagnostics": []protocol.Diagnostic{d}},
	}, &actions)
	if len(actions) == 0 || !actions[0].IsPreferred {
		t.Fatalf("actions: %+v", actions)
	}
	c.applyEdit(actions[0].Edit)
	p, _ := env.Library.Get("nextjs-fastapi/rest-calls-with-a-bearer-token-and-explicit-cors-origins")
	want := apText + "\n## Integration Patterns\n\n## Integration: Next.js → FastAPI\n\n" + p.Markdown
	if got := c.text(apURI); got != want {
		t.Errorf("text after fix:\n%s\n--- want ---\n%s", got, want)
	}
}

// TestCodeActionByteColumns: Neovim 0.7 sends a diagnostic back with byte
// columns where it was sent UTF-16 ones. After "→" (3 bytes, 1 unit) the
// range is two columns right; the finding is still found by its code and
// message on that line, and its fixes offered. Another message there is
// not taken for it.
func TestCodeActionByteColumns(t *testing.T) {
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, clientOptions{env: env})
	const text = "# Plan\n\n- Sign-in → the JWT is stored in localStorage.\n"
	c.open(apURI, text)
	ds := apFindings(t, c, apURI, 1)
	if len(ds) != 1 || diagString(ds[0])[:10] != "2:33-2:45 " {
		t.Fatalf("diagnostics %v", ds)
	}
	titles := func(d protocol.Diagnostic) []string {
		_, out := codeActionsFor(c, apURI, d)
		return out
	}
	want := titles(ds[0])
	if len(want) == 0 || want[len(want)-1] != "Ignore token-in-browser-storage on this line" {
		t.Fatalf("actions for the diagnostic as sent: %q", want)
	}
	bytesCols := ds[0]
	bytesCols.Range.Start.Character += 2
	bytesCols.Range.End.Character += 2
	if got := titles(bytesCols); !slices.Equal(got, want) {
		t.Errorf("actions for the diagnostic in byte columns: %q, want %q", got, want)
	}
	other := bytesCols
	other.Message = "something else"
	if got := titles(other); len(got) != 0 {
		t.Errorf("actions for another message on the line: %q, want none", got)
	}
}

// codeActionsFor asks for the code actions of diagnostic d of document
// uri, as a client does with the cursor on it; it returns them and their
// titles.
func codeActionsFor(c *testClient, uri protocol.DocumentURI, d protocol.Diagnostic) ([]protocol.CodeAction, []string) {
	return codeActionsAt(c, uri, d.Range, d)
}

// codeActionsAt asks for the code actions of range rng with diagnostics ds
// in the context; it returns them and their titles.
func codeActionsAt(c *testClient, uri protocol.DocumentURI, rng protocol.Range, ds ...protocol.Diagnostic) ([]protocol.CodeAction, []string) {
	var actions []protocol.CodeAction
	c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": uri},
		"range":        rng,
		"context":      map[string]any{"diagnostics": ds},
	}, &actions)
	var titles []string
	for _, a := range actions {
		titles = append(titles, a.Title)
	}
	return actions, titles
}

// TestCodeActionWithoutClientDiagnostics: a request whose context carries
// none of our diagnostics (a client that does not send them back, or code
// actions asked for a selection) gets the fixes of the findings its range
// touches, each naming the finding's diagnostic; a range that touches none
// gets none. A request for other kinds only (context.only, e.g. VS Code's
// source actions on save) gets none, as every action is a quick fix.
func TestCodeActionWithoutClientDiagnostics(t *testing.T) {
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, clientOptions{env: env})
	const text = "# Plan\n\n- Sign-in → the JWT is stored in localStorage.\n\nNothing here.\n"
	c.open(apURI, text)
	ds := apFindings(t, c, apURI, 1)
	if len(ds) != 1 {
		t.Fatalf("diagnostics %v", ds)
	}
	_, want := codeActionsFor(c, apURI, ds[0])
	ask := func(rng map[string]any, ctx map[string]any) []protocol.CodeAction {
		var actions []protocol.CodeAction
		c.call("textDocument/codeAction", map[string]any{"textDocument": map[string]any{"uri": apURI}, "range": rng, "context": ctx}, &actions)
		return actions
	}
	at := func(line, from, to int) map[string]any {
		return map[string]any{"start": map[string]int{"line": line, "character": from}, "end": map[string]int{"line": line, "character": to}}
	}
	for _, tc := range []struct {
		name string
		rng  map[string]any
		ctx  map[string]any
		want []string
	}{
		{"cursor on the finding, no diagnostics sent", at(2, 40, 40), map[string]any{"diagnostics": []any{}}, want},
		{"the whole line selected", at(2, 0, 48), map[string]any{"diagnostics": []any{}}, want},
		{"a line without findings", at(4, 0, 5), map[string]any{"diagnostics": []any{}}, nil},
		{"another server's diagnostic only", at(2, 40, 40), map[string]any{"diagnostics": []any{map[string]any{"range": at(2, 0, 3), "message": "spelling", "source": "cspell"}}}, want},
		{"only source actions", at(2, 40, 40), map[string]any{"diagnostics": []any{}, "only": []string{"source.organizeImports"}}, nil},
		{"only quick fixes", at(2, 40, 40), map[string]any{"diagnostics": []any{}, "only": []string{"quickfix"}}, want},
	} {
		actions := ask(tc.rng, tc.ctx)
		var got []string
		for _, a := range actions {
			got = append(got, a.Title)
			if len(a.Diagnostics) != 1 || a.Diagnostics[0].Range != ds[0].Range || a.Diagnostics[0].Message != ds[0].Message {
				t.Errorf("%s: %q names diagnostics %+v, want the finding's", tc.name, a.Title, a.Diagnostics)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%s: actions %q, want %q", tc.name, got, tc.want)
		}
	}
}

// Two integration points of one line (implied points span the whole line)
// have the same code and range; each diagnostic gets its own pair's
// quick fixes. findingAt took the first finding of the code at the range,
// so the second pair's diagnostic offered the first pair's patterns and
// its own were never offered.
func TestCodeActionTwoPointsOnOneLine(t *testing.T) {
	const spec = "# Notes\n\n## Success Criteria\n\n- **SC-003**: 100% of API requests from authenticated users return only their authorized data\n"
	c, u := openWorkspaceSpec(t, spec)
	ds := c.waitDiagnostics(u, 1)
	if len(ds) != 2 || ds[0].Range != ds[1].Range {
		t.Fatalf("want two points on one range, got %v", diagStrings(ds))
	}
	want := map[string]string{
		"Integration point: Better Auth → FastAPI": "Insert pattern: JWT bearer verified with JWKS",
		"Integration point: Next.js → FastAPI":     "Insert pattern: REST calls with a bearer token and explicit CORS origins",
	}
	for _, d := range ds {
		_, titles := codeActionsFor(c, u, d)
		pair := d.Message[:strings.Index(d.Message, " (")]
		if len(titles) == 0 || titles[0] != want[pair] {
			t.Errorf("%s: actions %q, want first %q", pair, titles, want[pair])
		}
	}
	// Both at once (the cursor on the line, as VS Code and Neovim ask):
	// each title names its pair.
	_, titles := codeActionsAt(c, u, ds[0].Range, ds...)
	wantAll := []string{
		"Insert pattern: JWT bearer verified with JWKS (Better Auth → FastAPI)",
		"Insert pattern: Session forwarding to get-session (Better Auth → FastAPI)",
		"Insert pattern: Bearer plugin session token (not a JWT) (Better Auth → FastAPI)",
		"Insert pattern: REST calls with a bearer token and explicit CORS origins (Next.js → FastAPI)",
		"Insert pattern: Same-origin API path with next.config rewrites (Next.js → FastAPI)",
	}
	if !slices.Equal(titles, wantAll) {
		t.Errorf("actions for both points:\n%q\nwant\n%q", titles, wantAll)
	}
}

// The hover of a line with two integration points shows the first one's
// pattern and names the other: it showed the Better Auth → FastAPI pattern
// alone, with nothing saying the line's second diagnostic, Next.js →
// FastAPI, has a pattern of its own (corpus: syeda-codetech12 spec.md
// lines 6, 42 and 106).
func TestHoverNamesTheLinesOtherPoints(t *testing.T) {
	const spec = "# Notes\n\n## Success Criteria\n\n- **SC-003**: 100% of API requests from authenticated users return only their authorized data\n"
	c, u := openWorkspaceSpec(t, spec)
	if ds := c.waitDiagnostics(u, 1); len(ds) != 2 {
		t.Fatalf("want two points, got %v", diagStrings(ds))
	}
	var h protocol.Hover
	c.call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": u}, "position": map[string]any{"line": 4, "character": 20}}, &h)
	v := h.Contents.Value
	if !strings.HasPrefix(v, "**Better Auth → FastAPI** · pattern: **JWT bearer verified with JWKS**\n") {
		t.Fatalf("hover starts %q", v[:min(len(v), 80)])
	}
	want := "\nAlso on this line: **Next.js → FastAPI** (pattern: REST calls with a bearer token and explicit CORS origins)\n"
	if !strings.HasSuffix(v, want) {
		t.Errorf("hover ends %q, want %q", v[max(0, len(v)-200):], want)
	}
}
