package lsp

import (
	"errors"
	"strings"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// insertPattern runs ipf.insertPattern for the Better Auth → FastAPI
// default pattern at version.
func insertPattern(c *testClient, version int32) error {
	return c.tryCall("workspace/executeCommand", map[string]any{
		"command":   cmdInsertPattern,
		"arguments": []any{map[string]any{"uri": specURI, "version": version, "pattern": "better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
	}, nil)
}

func TestCommandRefusesStaleVersion(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	c.open(specURI, specText)
	c.waitDiagnostics(specURI, 1)
	v := c.change(specURI, map[string]any{"range": protocol.Range{Start: pos(0, 0), End: pos(0, 0)}, "text": "x"})
	c.waitDiagnostics(specURI, v)
	err := insertPattern(c, 1)
	var je *jsonrpc2.Error
	if !errors.As(err, &je) || je.Code != protocol.CodeContentModified {
		t.Fatalf("command for version 1 at version %d: %v, want ContentModified (-32801)", v, err)
	}
	c.mu.Lock()
	n := len(c.applied)
	c.mu.Unlock()
	if n != 0 {
		t.Fatalf("a stale command sent %d workspace/applyEdit", n)
	}
}

func TestQuickFixCarriesItsVersion(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	c.open(specURI, specText)
	diags := c.waitDiagnostics(specURI, 1)
	// Type at the top: the diagnostic moves down a line at version 2.
	v := c.change(specURI, map[string]any{"range": protocol.Range{Start: pos(0, 0), End: pos(0, 0)}, "text": "Intro\n"})
	diags2 := c.waitDiagnostics(specURI, v)
	// The version-1 diagnostic no longer matches the text: no fix for it.
	var stale []protocol.CodeAction
	c.call("textDocument/codeAction", map[string]any{"textDocument": map[string]any{"uri": specURI}, "range": diags[0].Range, "context": map[string]any{"diagnostics": diags}}, &stale)
	if len(stale) != 0 {
		t.Fatalf("fix offered for a diagnostic of an older version: %+v", stale[0].Title)
	}
	var actions []protocol.CodeAction
	c.call("textDocument/codeAction", map[string]any{"textDocument": map[string]any{"uri": specURI}, "range": diags2[0].Range, "context": map[string]any{"diagnostics": diags2}}, &actions)
	if len(actions) == 0 {
		t.Fatal("no fix at the current version")
	}
	dc := actions[0].Edit.DocumentChanges
	if len(dc) != 1 || dc[0].TextDocument.Version == nil || *dc[0].TextDocument.Version != v {
		t.Fatalf("edit must carry version %d: %+v", v, dc)
	}
}

func TestInsertPatternTwiceIsANoOp(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	c.open(specURI, specText)
	c.waitDiagnostics(specURI, 1)
	if err := insertPattern(c, 1); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	first := c.applied[0].Edit
	c.mu.Unlock()
	v := c.applyEdit(&first)[specURI]
	c.waitDiagnostics(specURI, v)
	if err := insertPattern(c, v); err != nil {
		t.Fatal(err)
	}
	c.mu.Lock()
	n := len(c.applied)
	c.mu.Unlock()
	if n != 1 {
		t.Fatalf("second insert of the same pattern sent an edit (%d applyEdit)", n)
	}
	if k := strings.Count(c.text(specURI), "## Integration: Better Auth → FastAPI"); k != 1 {
		t.Fatalf("pattern heading present %d times", k)
	}
}

func TestQuickFixKeepsBOMAndLineEndings(t *testing.T) {
	for name, eol := range map[string]string{"lf": "\n", "crlf": "\r\n", "cr": "\r"} {
		t.Run(name, func(t *testing.T) {
			c := newTestClient(t, clientOptions{})
			text := "\uFEFF" + strings.ReplaceAll(specText, "\n", eol)
			c.open(specURI, text)
			diags := c.waitDiagnostics(specURI, 1)
			if len(diags) == 0 {
				t.Fatal("no diagnostics")
			}
			var actions []protocol.CodeAction
			c.call("textDocument/codeAction", map[string]any{"textDocument": map[string]any{"uri": specURI}, "range": diags[0].Range, "context": map[string]any{"diagnostics": diags}}, &actions)
			if len(actions) == 0 {
				t.Fatal("no quick fix")
			}
			c.applyEdit(actions[0].Edit)
			got := c.text(specURI)
			if !strings.HasPrefix(got, text) {
				t.Fatalf("the edit changed the existing text (BOM or line endings): %q", got[:min(len(got), len(text)+10)])
			}
			rest := got[len(text):]
			other := strings.NewReplacer(eol, "").Replace(rest)
			if strings.ContainsAny(other, "\r\n") {
				t.Fatalf("inserted text mixes line endings with %q: %q", eol, rest[:min(len(rest), 120)])
			}
			if strings.Count(got, "\uFEFF") != 1 {
				t.Fatal("BOM duplicated or lost")
			}
		})
	}
}

func TestAlreadyInserted(t *testing.T) {
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	res := func(src string) *analysis.Result { return env.Analyze(&analysis.Input{Src: []byte(src)}) }
	sec := "## Integration: A → B\n\n### Pattern: x\n"
	if !alreadyInserted(res("# T\r\n## Integration: A → B\r\n"), sec) {
		t.Error("CRLF heading not found")
	}
	if alreadyInserted(res("# T\n## Integration: A → C\n"), sec) {
		t.Error("other pair matched")
	}
	if alreadyInserted(res("anything"), "") {
		t.Error("empty section matched")
	}
	if alreadyInserted(res("# T\n\n```md\n## Integration: A → B\n```\n"), sec) {
		t.Error("heading in a code block matched")
	}
	if !alreadyInserted(res("# T\n\nIntegration: A → B\n---\n"), sec) {
		t.Error("setext heading not found")
	}
}
