package lsp

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

const userPattern = "---\nfrom: better-auth\nto: fastapi\n---\n## Integration: Better Auth → FastAPI\n\n" +
	"### Pattern: JWT bearer verified with JWKS\n\n**Use Case**: Our team's variant.\n\n**Flow**:\n1. Step.\n\n" +
	"**Code Example**:\n```python\nprint('ours')\n```\n\n**Gotchas**:\n- Ours.\n\n**Official Source**: https://better-auth.com/docs/plugins/jwt\n"

// TestWorkspacePack: a pattern file in .ipf/patterns overrides the built-in
// pattern with the same id (hover shows it), and a broken one is reported
// in that file while the rest keeps working.
func TestWorkspacePack(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, ".ipf", "patterns")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "better-auth-fastapi.md"), []byte(userPattern), 0o644); err != nil {
		t.Fatal(err)
	}
	broken := filepath.Join(dir, "broken.md")
	if err := os.WriteFile(broken, []byte("---\nfrom: better-auth\nto fastapi\n---\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	rootURI := protocol.DocumentURI(uri.File(root))
	c := newTestClient(t, clientOptions{rootURI: rootURI})

	bu := protocol.DocumentURI(uri.File(broken))
	p := c.waitPublish(bu, func(p published) bool { return len(p.Diagnostics) > 0 })
	if got := diagString(p.Diagnostics[0]); got != "2:0-3:0 Warning incomplete-pattern pattern file skipped: front matter line 3: want `key: value`, got \"to fastapi\"" {
		t.Errorf("broken pack diagnostic: %s", got)
	}

	spec := protocol.DocumentURI(uri.File(filepath.Join(root, "spec.md")))
	c.open(spec, "# Spec\n\nBetter Auth issues a JWT that FastAPI verifies.\n")
	c.waitDiagnostics(spec, 1)
	var h protocol.Hover
	c.call("textDocument/hover", map[string]any{"textDocument": map[string]any{"uri": spec}, "position": map[string]any{"line": 2, "character": 3}}, &h)
	if !strings.Contains(h.Contents.Value, "**Use Case**: Our team's variant.") {
		t.Errorf("hover does not show the pack's pattern:\n%s", h.Contents.Value)
	}
}

// TestOpenPatternFileLinted: an open pattern file gets its checklist
// problems as diagnostics.
func TestOpenPatternFileLinted(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	u := protocol.DocumentURI("file:///ws/references/x.md")
	c.open(u, "---\nfrom: better-auth\nto: fastapy\n---\n## Integration: Better Auth → FastAPI\n\n### Pattern: P\n\n**Use Case**: u\n")
	var got []string
	for _, d := range c.waitDiagnostics(u, 1) {
		if d.Code == "incomplete-pattern" {
			got = append(got, diagString(d))
		}
	}
	want := []string{
		"2:0-2:11 Warning incomplete-pattern unknown technology id \"fastapy\" in the front matter: the pattern will never match (closest: \"fastapi\")",
		"6:0-6:14 Warning incomplete-pattern pattern \"P\" is missing Flow, Code Example, Gotchas, Official Source (the checklist asks for Use Case, Flow, Code Example, Gotchas and Official Source)",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestMissingRootLoggedOnce: a workspace root that does not exist is said
// once in the client's log, not once per pattern folder or per reload of
// the configuration at initialize and initialized.
func TestMissingRootLoggedOnce(t *testing.T) {
	root := filepath.Join(t.TempDir(), "gone")
	c := newTestClient(t, clientOptions{rootURI: protocol.DocumentURI(uri.File(root))})
	spec := c.open(protocol.DocumentURI(uri.File(filepath.Join(root, "spec.md"))), "# Spec\n")
	c.waitDiagnostics(spec, 1)
	c.mu.Lock()
	logs := append([]string(nil), c.logs...)
	c.mu.Unlock()
	want := []string{"ipf-lsp: pattern folders: pattern folder root " + root + ": lstat " + root + ": no such file or directory"}
	if !slices.Equal(logs, want) {
		t.Errorf("logs %q\nwant %q", logs, want)
	}
}
