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

// TestPatternsCommandPerFolder: the ipf.patterns command lists the library
// of the folder that holds its argument's document (or the folder itself),
// pattern packs included; without an argument, the first folder's.
func TestPatternsCommandPerFolder(t *testing.T) {
	parent := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(parent, ".cache"))
	a, b := filepath.Join(parent, "a"), filepath.Join(parent, "b")
	writeFile(t, filepath.Join(a, ".specify", "memory", "constitution.md"), "")
	writeFile(t, filepath.Join(b, ".ipf", "patterns", "fastapi-resend.md"), "---\nfrom: fastapi\nto: resend\n---\n"+
		"## Integration: FastAPI → Resend\n\n### Pattern: Email from a background task\n\n**Use Case**: Our variant.\n\n"+
		"**Flow**:\n1. Step.\n\n**Code Example**:\n```python\nprint('ours')\n```\n\n**Gotchas**:\n- Ours.\n\n"+
		"**Official Source**: https://resend.com/docs/send-with-fastapi\n")
	c := newTestClient(t, clientOptions{folders: []protocol.DocumentURI{fileURI(a), fileURI(b)}, capabilities: fullCaps(false)})
	const row = "| FastAPI → Resend | Email from a background task | `fastapi-resend/email-from-a-background-task` | https://resend.com/docs/send-with-fastapi |\n"
	for _, tc := range []struct {
		name string
		args []any
		want bool
	}{
		{"no argument: the first folder", nil, false},
		{"a document in a", []any{map[string]any{"uri": fileURI(filepath.Join(a, "spec.md"))}}, false},
		{"a document in b", []any{map[string]any{"uri": fileURI(filepath.Join(b, "specs", "spec.md"))}}, true},
		{"the folder b", []any{map[string]any{"uri": fileURI(b)}}, true},
	} {
		var md string
		c.call("workspace/executeCommand", map[string]any{"command": "ipf.patterns", "arguments": tc.args}, &md)
		if !strings.HasPrefix(md, "# ipf-lsp pattern library\n\n| Pair | Pattern | Id | Source |\n") {
			t.Fatalf("%s: not the library table:\n%s", tc.name, md)
		}
		if got := strings.Contains(md, row); got != tc.want {
			t.Errorf("%s: the pack's row listed = %v, want %v", tc.name, got, tc.want)
		}
	}
	err := c.tryCall("workspace/executeCommand", map[string]any{"command": "ipf.patterns", "arguments": []any{42}}, nil)
	if err == nil || !strings.Contains(err.Error(), "the argument must be {uri}") {
		t.Errorf("a number as argument: got %v, want InvalidParams", err)
	}
}

// TestRefusedPackFileStaysReported: a pack file refused without being read
// (a symbolic link out of the workspace) keeps its diagnostic when opened,
// beside its text's own, and gets it back when closed. Opened, the file's
// analysis replaced the refusal with a clean lint, so nothing said the
// file was unused; closed, its diagnostics were cleared for good.
func TestRefusedPackFileStaysReported(t *testing.T) {
	root, outside := t.TempDir(), t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(outside, ".cache"))
	writeFile(t, filepath.Join(root, ".specify", "memory", "constitution.md"), "")
	writeFile(t, filepath.Join(outside, "theirs.md"), userPattern)
	link := filepath.Join(root, "references", "theirs.md")
	if err := os.MkdirAll(filepath.Dir(link), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "theirs.md"), link); err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, clientOptions{rootURI: fileURI(root)})
	u := fileURI(link)
	const refusal = "0:0-1:0 Warning incomplete-pattern pattern file skipped: pattern file resolves outside the workspace (symbolic link): skipped"
	p := c.waitPublish(u, func(p published) bool { return len(p.Diagnostics) > 0 })
	assertDiags(t, p.Diagnostics, []string{refusal})

	c.open(u, userPattern)
	assertDiags(t, c.waitDiagnostics(u, 1), []string{refusal})

	n := c.publishCount(u)
	c.notifyServer("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": u}})
	// The close clears the document's diagnostics; the pack's come back.
	assertDiags(t, c.waitPublishAfter(u, n).Diagnostics, nil)
	assertDiags(t, c.waitPublishAfter(u, n+1).Diagnostics, []string{refusal})
}
