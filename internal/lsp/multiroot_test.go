package lsp

import (
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"go.lsp.dev/protocol"
)

// The findings of the plan the multi-root tests open in each folder, with
// the severity left as %s.
const (
	mrPoint      = "4:6-4:31 %s integration-point Integration point: Next.js → FastAPI — 2 patterns available, best match: \"REST calls with a bearer token and explicit CORS origins\" (quick fix inserts one)"
	mrIncomplete = "11:0-11:78 %s incomplete-pattern pattern \"Tests with dependency_overrides and in-memory SQLite (StaticPool)\" is missing Flow, Code Example, Gotchas, Official Source (the checklist asks for Use Case, Flow, Code Example, Gotchas and Official Source)"
)

// TestEachFolderItsOwnConfig: in a multi-root workspace each document is
// analysed with the `.ipf.toml` of the workspace folder that holds it (the
// deepest one when folders nest), and each folder's pattern packs are
// loaded. Before, the first folder's file applied to every document: the
// second folder's plan lost its integration points to the first folder's
// `disabled`, its severity and ignore glob did nothing, and its broken pack
// file was never reported.
func TestEachFolderItsOwnConfig(t *testing.T) {
	parent := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(parent, ".cache"))
	a, b := filepath.Join(parent, "a"), filepath.Join(parent, "b")
	nested := filepath.Join(a, "sub")
	for name, text := range map[string]string{
		"a/.ipf.toml":                       "disabled = [\"integration-point\"]\n",
		"a/.specify/memory/constitution.md": "",
		"a/sub/.ipf.toml":                   "no_constitution_notice = false\n[severity]\nintegration-point = \"error\"\n",
		"b/.ipf.toml":                       "ignore = [\"drafts/**\"]\n[severity]\nincomplete-pattern = \"hint\"\n",
		"b/.specify/memory/constitution.md": "",
		"b/.ipf/patterns/broken.md":         "---\nfrom: better-auth\nto fastapi\n---\n",
	} {
		writeFile(t, filepath.Join(parent, filepath.FromSlash(name)), text)
	}
	c := newTestClient(t, clientOptions{folders: []protocol.DocumentURI{fileURI(a), fileURI(b), fileURI(nested)}, capabilities: fullCaps(false)})

	broken := fileURI(filepath.Join(b, ".ipf", "patterns", "broken.md"))
	p := c.waitPublish(broken, func(p published) bool { return len(p.Diagnostics) > 0 })
	assertDiags(t, p.Diagnostics, []string{"2:0-3:0 Warning incomplete-pattern pattern file skipped: front matter line 3: want `key: value`, got \"to fastapi\""})

	for _, tc := range []struct {
		path string
		want []string
	}{
		// a: integration-point disabled.
		{filepath.Join(a, "plan.md"), []string{fmt.Sprintf(mrIncomplete, "Warning")}},
		// a/sub, a folder inside a: its own file only (a's disabled does
		// not apply), and its notice turned off.
		{filepath.Join(nested, "plan.md"), []string{fmt.Sprintf(mrPoint, "Error"), fmt.Sprintf(mrIncomplete, "Warning")}},
		// b: its severity.
		{filepath.Join(b, "plan.md"), []string{fmt.Sprintf(mrPoint, "Information"), fmt.Sprintf(mrIncomplete, "Hint")}},
		// b: its ignore glob.
		{filepath.Join(b, "drafts", "plan.md"), nil},
		// Outside every folder: the defaults.
		{filepath.Join(parent, "loose", "plan.md"), []string{fmt.Sprintf(mrPoint, "Information"), fmt.Sprintf(mrIncomplete, "Warning")}},
	} {
		u := c.open(fileURI(tc.path), planDoc)
		got := c.waitDiagnostics(u, 1)
		if diagStrings(got) != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n got %s\nwant %s", tc.path, diagStrings(got), strings.Join(tc.want, "\n"))
		}
	}
}

// TestEditorSettingsPerFolder: workspace/configuration asks the `ipf`
// section once without a scope and once per workspace folder with its
// scopeUri, in one request, and each folder's answer applies to its
// documents; documents outside every folder get the unscoped answer.
// Before, one item was asked, with the first folder's scopeUri, and its
// answer applied everywhere.
func TestEditorSettingsPerFolder(t *testing.T) {
	parent := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(parent, ".cache"))
	a, b := filepath.Join(parent, "a"), filepath.Join(parent, "b")
	for _, dir := range []string{a, b} {
		writeFile(t, filepath.Join(dir, ".specify", "memory", "constitution.md"), "")
	}
	c := newTestClient(t, clientOptions{
		folders:      []protocol.DocumentURI{fileURI(a), fileURI(b)},
		capabilities: fullCaps(false),
		settings:     map[string]any{"diagnostics": map[string]any{"severity": map[string]string{"integration-point": "warning"}}},
		scopedSettings: map[protocol.DocumentURI]any{
			fileURI(a): map[string]any{"diagnostics": map[string]any{"disabled": []string{"integration-point"}}},
			fileURI(b): map[string]any{"diagnostics": map[string]any{"severity": map[string]string{"incomplete-pattern": "hint"}}},
		},
	})
	for _, tc := range []struct {
		path string
		want []string
	}{
		{filepath.Join(a, "plan.md"), []string{fmt.Sprintf(mrIncomplete, "Warning")}},
		{filepath.Join(b, "plan.md"), []string{fmt.Sprintf(mrPoint, "Information"), fmt.Sprintf(mrIncomplete, "Hint")}},
		{filepath.Join(parent, "loose", "plan.md"), []string{fmt.Sprintf(mrPoint, "Warning"), fmt.Sprintf(mrIncomplete, "Warning")}},
	} {
		u := c.open(fileURI(tc.path), planDoc)
		got := c.waitDiagnostics(u, 1)
		if diagStrings(got) != strings.Join(tc.want, "\n") {
			t.Errorf("%s:\n got %s\nwant %s", tc.path, diagStrings(got), strings.Join(tc.want, "\n"))
		}
	}
	c.mu.Lock()
	items, _ := json.Marshal(c.configItems)
	c.mu.Unlock()
	want := fmt.Sprintf(`[[{"section":"ipf"},{"scopeUri":%q,"section":"ipf"},{"scopeUri":%q,"section":"ipf"}]]`, fileURI(a), fileURI(b))
	if string(items) != want {
		t.Errorf("workspace/configuration items\n got %s\nwant %s", items, want)
	}
}

// TestNoFolderReadsTheInferredRootsConfig: a client that sends no
// workspace folder (Neovim 0.7 configured with the shortest form, rootUri
// null) gets for a document the `.ipf.toml` of the root the server infers
// for it (the nearest folder with .git or .specify), as check does and as
// the constitution is already looked up there. Its severity did not apply.
func TestNoFolderReadsTheInferredRootsConfig(t *testing.T) {
	parent := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", filepath.Join(parent, ".cache"))
	for name, text := range map[string]string{
		"p/.ipf.toml":                       "[severity]\nintegration-point = \"warning\"\n",
		"p/.specify/memory/constitution.md": "",
	} {
		writeFile(t, filepath.Join(parent, name), text)
	}
	c := newTestClient(t, clientOptions{capabilities: fullCaps(false)})
	u := fileURI(filepath.Join(parent, "p", "specs", "001-x", "plan.md"))
	writeFile(t, filepath.Join(parent, "p", "specs", "001-x", "plan.md"), "")
	c.open(u, "# Plan\n\n- The Next.js app calls FastAPI over REST.\n")
	assertDiags(t, c.waitDiagnostics(u, 1), []string{strings.Replace(fmt.Sprintf(mrPoint, "Warning"), "4:6-4:31", "2:6-2:31", 1)})
}

// TestMalformedFileURI: a document whose file: URI has a bad percent
// escape ("%zz", which no path decodes to) is analysed as one outside every
// folder, as an untitled: document is. go.lsp.dev/uri's Filename panics on
// it, and the panic in didOpen's scope lookup left the document without
// diagnostics.
func TestMalformedFileURI(t *testing.T) {
	c := newTestClient(t, clientOptions{})
	u := protocol.DocumentURI("file:///ws/specs/a%zz.md")
	c.open(u, specText)
	got := c.waitDiagnostics(u, 1)
	if len(got) != 1 || got[0].Code != "integration-point" {
		t.Fatalf("diagnostics %v, want the integration point", got)
	}
}
