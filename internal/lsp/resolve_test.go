package lsp

import (
	"encoding/json"
	"strings"
	"testing"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// resolveCaps are the capabilities of a client that resolves a code
// action's edit lazily (VS Code declares resolveSupport {properties:
// ["edit"]}); documentChanges as the client has it.
func resolveCaps(documentChanges bool) map[string]any {
	return map[string]any{
		"textDocument": map[string]any{
			"hover": map[string]any{"contentFormat": []string{"markdown", "plaintext"}},
			"codeAction": map[string]any{
				"codeActionLiteralSupport": map[string]any{"codeActionKind": map[string]any{"valueSet": []string{"quickfix"}}},
				"dataSupport":              true,
				"resolveSupport":           map[string]any{"properties": []string{"edit"}},
			},
		},
		"workspace": map[string]any{"workspaceEdit": map[string]any{"documentChanges": documentChanges}},
	}
}

// TestCodeActionResolve: a client that declares resolveSupport for "edit"
// gets the insert-pattern quick fixes without their edit (the placement
// parses the whole document) and with data naming the document version;
// codeAction/resolve computes the edit for that version. A client without
// resolveSupport keeps getting the edit inline. Both end with the same
// text.
func TestCodeActionResolve(t *testing.T) {
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := env.Library.Get("better-auth-fastapi/jwt-bearer-verified-with-jwks")
	want := specText + "\n## Integration Patterns\n\n## Integration: Better Auth → FastAPI\n\n" + p.Markdown
	for _, tc := range []struct {
		name    string
		caps    map[string]any
		resolve bool
	}{
		{"resolve", resolveCaps(true), true},
		{"resolve-changes", resolveCaps(false), true},
		{"inline", nil, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newTestClient(t, clientOptions{env: env, skipInit: true})
			var init struct {
				Capabilities struct {
					CodeActionProvider struct {
						ResolveProvider bool `json:"resolveProvider"`
					} `json:"codeActionProvider"`
				} `json:"capabilities"`
			}
			if err := json.Unmarshal(c.initialize(clientOptions{capabilities: tc.caps}), &init); err != nil {
				t.Fatal(err)
			}
			if !init.Capabilities.CodeActionProvider.ResolveProvider {
				t.Errorf("codeActionProvider.resolveProvider = false, want true")
			}
			c.open(specURI, specText)
			diags := c.waitDiagnostics(specURI, 1)
			var actions []protocol.CodeAction
			c.call("textDocument/codeAction", map[string]any{
				"textDocument": map[string]any{"uri": specURI}, "range": diags[0].Range,
				"context": map[string]any{"diagnostics": diags},
			}, &actions)
			if len(actions) != 3 || actions[0].Title != "Insert pattern: JWT bearer verified with JWKS" {
				t.Fatalf("actions = %+v", actions)
			}
			act := actions[0]
			if !tc.resolve {
				if act.Edit == nil {
					t.Fatalf("inline client: action without edit: %+v", act)
				}
				c.applyEdit(act.Edit)
				if got := c.text(specURI); got != want {
					t.Fatalf("text after fix:\n%q\nwant\n%q", got, want)
				}
				return
			}
			for _, a := range actions {
				if a.Edit != nil || a.Data == nil {
					t.Fatalf("resolve client: %q has edit %v, data %v; want data and no edit", a.Title, a.Edit != nil, a.Data)
				}
			}
			var data struct {
				URI     protocol.DocumentURI `json:"uri"`
				Version *int32               `json:"version"`
				Pattern string               `json:"pattern"`
			}
			b, _ := json.Marshal(act.Data)
			_ = json.Unmarshal(b, &data)
			if data.URI != specURI || data.Version == nil || *data.Version != 1 || data.Pattern != p.ID {
				t.Fatalf("data = %s", b)
			}
			var resolved protocol.CodeAction
			c.call("codeAction/resolve", act, &resolved)
			if resolved.Title != act.Title || resolved.Edit == nil {
				t.Fatalf("resolved = %+v", resolved)
			}
			if dc := resolved.Edit.DocumentChanges; tc.name == "resolve" && (len(dc) != 1 || dc[0].TextDocument.Version == nil || *dc[0].TextDocument.Version != 1) {
				t.Fatalf("the edit must carry version 1: %+v", dc)
			}
			// The document moves on (one character typed): the action of
			// version 1 is not resolved against version 2.
			c.change(specURI, map[string]any{"range": protocol.Range{Start: protocol.Position{Line: 0, Character: 0}, End: protocol.Position{Line: 0, Character: 0}}, "text": "x"})
			var stale protocol.CodeAction
			err := c.tryCall("codeAction/resolve", act, &stale)
			if rpcCode(err) != protocol.CodeContentModified {
				t.Fatalf("stale resolve: err = %v, action %+v; want ContentModified", err, stale)
			}
			// Back to version 1's text at version 3: still refused (the
			// version, not the text, is what the edit was computed for).
			c.replaceAll(specURI, specText)
			if err := c.tryCall("codeAction/resolve", act, &stale); rpcCode(err) != protocol.CodeContentModified {
				t.Fatalf("resolve for version 1 at version 3: err = %v; want ContentModified", err)
			}
			// Resolved again at the current version and applied.
			diags = c.waitDiagnostics(specURI, 3)
			c.call("textDocument/codeAction", map[string]any{
				"textDocument": map[string]any{"uri": specURI}, "range": diags[0].Range,
				"context": map[string]any{"diagnostics": diags},
			}, &actions)
			c.call("codeAction/resolve", actions[0], &resolved)
			if resolved.Edit == nil {
				t.Fatalf("resolved at version 3: %+v", resolved)
			}
			v := c.applyEdit(resolved.Edit)[specURI]
			if got := c.text(specURI); got != want {
				t.Fatalf("text after fix:\n%q\nwant\n%q", got, want)
			}
			for _, d := range c.waitDiagnostics(specURI, v) {
				if d.Code == "integration-point" {
					t.Fatalf("still reported after the fix: %s", diagString(d))
				}
			}
		})
	}
}

// TestCodeActionResolveChecksTheFinding: codeAction/resolve computes an edit
// only for the finding the action was made for, the one of its code at its
// range whose quick fixes include the pattern (or whose pair is the blank
// template's). A document closed and opened again at the same version
// number, with another pair at that range, gets ContentModified, as does
// data naming a pattern of another pair; data of ours that does not decode
// is InvalidParams. The code actions themselves come from the finding, not
// from the data the client sends back with its diagnostic.
func TestCodeActionResolveChecksTheFinding(t *testing.T) {
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	const other = "alembic-sqlmodel/autogenerate-migrations-from-sqlmodel-metadata"
	c := newTestClient(t, clientOptions{env: env, capabilities: resolveCaps(true)})
	c.open(specURI, specText)
	diags := c.waitDiagnostics(specURI, 1)
	var actions []protocol.CodeAction
	c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": specURI}, "range": diags[0].Range,
		"context": map[string]any{"diagnostics": diags},
	}, &actions)
	act := actions[0]
	withData := func(change func(map[string]any)) map[string]any {
		var m map[string]any
		b, _ := json.Marshal(act)
		_ = json.Unmarshal(b, &m)
		change(m["data"].(map[string]any))
		return m
	}

	// A stale or forged diagnostic naming another pair's pattern at the
	// finding's range: the actions are the finding's own.
	forged := diags[0]
	forged.Data = map[string]any{"version": 1, "from": "alembic", "to": "sqlmodel", "patterns": []string{other}}
	var got []protocol.CodeAction
	c.call("textDocument/codeAction", map[string]any{
		"textDocument": map[string]any{"uri": specURI}, "range": diags[0].Range,
		"context": map[string]any{"diagnostics": []protocol.Diagnostic{forged}},
	}, &got)
	if len(got) == 0 || got[0].Title != "Insert pattern: JWT bearer verified with JWKS" {
		t.Errorf("actions for a diagnostic whose data names %s: %v, want the finding's own patterns first", other, titles(got))
	}

	var res protocol.CodeAction
	err = c.tryCall("codeAction/resolve", withData(func(d map[string]any) { d["pattern"] = other }), &res)
	if rpcCode(err) != protocol.CodeContentModified {
		t.Errorf("resolve with another pair's pattern at the finding's range: err = %v, edit %v; want ContentModified", err, res.Edit != nil)
	}
	err = c.tryCall("codeAction/resolve", withData(func(d map[string]any) { d["version"] = "1" }), &res)
	if rpcCode(err) != jsonrpc2.InvalidParams {
		t.Errorf("resolve with a version that is a string: err = %v, action %+v; want InvalidParams", err, res)
	}

	// Closed, and opened again at version 1 with Alembic → SQLModel at
	// the range Better Auth → FastAPI had.
	c.notifyServer("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": specURI}})
	n := c.publishCount(specURI)
	reopened := strings.Replace(specText, "Better Auth issues a JWT that FastAPI verifies", "Alembic migrates schema from SQLModel", 1)
	c.open(specURI, reopened)
	var now []protocol.Diagnostic
	for i := n; len(now) == 0; i++ {
		now = c.waitPublishAfter(specURI, i).Diagnostics
	}
	if now[0].Range != diags[0].Range || !strings.Contains(now[0].Message, "Alembic → SQLModel") {
		t.Fatalf("reopened: %s, want Alembic → SQLModel at %v", diagString(now[0]), diags[0].Range)
	}
	res = protocol.CodeAction{}
	err = c.tryCall("codeAction/resolve", act, &res)
	if rpcCode(err) != protocol.CodeContentModified {
		t.Errorf("resolve of the first opening's action after a reopen at the same version: err = %v, edit %+v; want ContentModified", err, res.Edit)
	}
}

func titles(as []protocol.CodeAction) []string {
	var out []string
	for _, a := range as {
		out = append(out, a.Title)
	}
	return out
}
