package lsp

import (
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// A constitution and a spec that names no technology, in our own words.
const (
	wsConstitution = "# Constitution\n\n## Stack\n\n- Frontend: Next.js\n- Auth: Better Auth\n- Backend: FastAPI\n"
	wsSpec         = "# Notes\n\n## Requirements\n\n- **FR-001**: The system MUST reject requests without a valid token.\n"
)

// writeTree writes files (slash paths) under a new temporary folder and
// returns it.
// openWorkspaceSpec opens spec as specs/001-notes/spec.md of a workspace
// whose constitution is wsConstitution, and returns the client and the
// spec's URI.
func openWorkspaceSpec(t *testing.T, spec string) (*testClient, protocol.DocumentURI) {
	t.Helper()
	dir := writeTree(t, map[string]string{
		".specify/memory/constitution.md": wsConstitution,
		"specs/001-notes/spec.md":         spec,
	})
	c := newTestClient(t, clientOptions{rootURI: fileURI(dir)})
	return c, c.open(fileURI(filepath.Join(dir, "specs/001-notes/spec.md")), spec)
}

func writeTree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	for p, text := range files {
		full := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func fileURI(p string) protocol.DocumentURI { return protocol.DocumentURI(uri.File(p)) }

func diagStrings(ds []protocol.Diagnostic) string {
	var out []string
	for _, d := range ds {
		out = append(out, diagString(d))
	}
	return strings.Join(out, "\n")
}

// publishCount returns how many publishes the client has seen for u.
func publishCount(c *testClient, u protocol.DocumentURI) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.diags[u])
}

// waitNewPublish waits for a publish for u, after the first mark ones, whose
// diagnostics render as want.
func waitNewPublish(t *testing.T, c *testClient, u protocol.DocumentURI, mark int, want string) published {
	t.Helper()
	deadline := time.After(waitTimeout)
	for {
		c.mu.Lock()
		ps := c.diags[u]
		for i := mark; i < len(ps); i++ {
			if diagStrings(ps[i].Diagnostics) == want {
				c.mu.Unlock()
				return ps[i]
			}
		}
		var last string
		if len(ps) > 0 {
			last = diagStrings(ps[len(ps)-1].Diagnostics)
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline:
			t.Fatalf("no publish for %s after #%d with\n%s\nlast one:\n%s", u, mark, want, last)
		}
	}
}

// Editing the open constitution changes the open spec's diagnostics without
// reopening the spec; closing the constitution brings back the disk state.
func TestConstitutionEditRepublishesSpec(t *testing.T) {
	dir := writeTree(t, map[string]string{
		".specify/memory/constitution.md": wsConstitution,
		"specs/001-notes/spec.md":         wsSpec,
	})
	c := newTestClient(t, clientOptions{rootURI: fileURI(dir)})
	spec := c.open(fileURI(filepath.Join(dir, "specs/001-notes/spec.md")), wsSpec)
	got := c.waitDiagnostics(spec, 1)
	want := []string{
		`4:0-4:68 Information integration-point Integration point: Better Auth → FastAPI (implied by FR-001 with the constitution's stack: Better Auth, FastAPI) — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one)`,
	}
	assertDiags(t, got, want)
	// Related information points at the constitution line of each technology,
	// with a real range.
	rel := got[0].RelatedInformation
	if len(rel) != 2 || rel[0].Location.URI != fileURI(filepath.Join(dir, ".specify/memory/constitution.md")) ||
		rel[0].Location.Range != (protocol.Range{Start: protocol.Position{Line: 5, Character: 8}, End: protocol.Position{Line: 5, Character: 19}}) {
		t.Fatalf("related information: %+v", rel)
	}

	// The constitution switches the backend to Express, in the editor only.
	cons := c.open(fileURI(filepath.Join(dir, ".specify/memory/constitution.md")), wsConstitution)
	c.waitDiagnostics(cons, 1)
	mark := publishCount(c, spec)
	c.replaceAll(cons, strings.Replace(wsConstitution, "FastAPI", "Express", 1))
	wantExpress := strings.Join([]string{
		`4:0-4:68 Information integration-point Integration point: Express → Better Auth (implied by FR-001 with the constitution's stack: Better Auth, Express) — pattern available: "toNodeHandler mounted before express.json() with fromNodeHeaders session checks" (quick fix inserts it)`,
	}, "\n")
	p := waitNewPublish(t, c, spec, mark, wantExpress)
	if p.Version == nil || *p.Version != 1 {
		t.Fatalf("republished for version %v, want the spec's version 1", p.Version)
	}

	// Closing the constitution without saving: the disk says FastAPI again.
	mark = publishCount(c, spec)
	c.notifyServer("textDocument/didClose", map[string]any{"textDocument": map[string]any{"uri": cons}})
	waitNewPublish(t, c, spec, mark, strings.Join(want, "\n"))

	// The constitution changes on disk and the client reports it.
	if err := os.WriteFile(filepath.Join(dir, ".specify/memory/constitution.md"), []byte(strings.Replace(wsConstitution, "FastAPI", "Express", 1)), 0o644); err != nil {
		t.Fatal(err)
	}
	mark = publishCount(c, spec)
	c.notifyServer("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": cons, "type": 2}}})
	waitNewPublish(t, c, spec, mark, wantExpress)
}

// Related information follows the constitution's text as the analysis read
// it: a line inserted above the stack in the editor moves each location
// down a line, with a wider first character for emoji (UTF-16).
func TestRelatedLocationsFollowConstitutionEdits(t *testing.T) {
	dir := writeTree(t, map[string]string{
		".specify/memory/constitution.md": wsConstitution,
		"specs/001-notes/spec.md":         wsSpec,
	})
	c := newTestClient(t, clientOptions{rootURI: fileURI(dir)})
	consPath := filepath.Join(dir, ".specify/memory/constitution.md")
	spec := c.open(fileURI(filepath.Join(dir, "specs/001-notes/spec.md")), wsSpec)
	related := func(ds []protocol.Diagnostic) string {
		var out []string
		for _, r := range ds[0].RelatedInformation {
			if r.Location.URI != fileURI(consPath) {
				t.Fatalf("related location in %s, want the constitution", r.Location.URI)
			}
			rg := r.Location.Range
			out = append(out, fmt.Sprintf("%d:%d-%d:%d %s", rg.Start.Line, rg.Start.Character, rg.End.Line, rg.End.Character, r.Message))
		}
		return strings.Join(out, "; ")
	}
	want := "5:8-5:19 Better Auth chosen here (auth); 6:11-6:18 FastAPI chosen here (backend)"
	if got := related(c.waitDiagnostics(spec, 1)); got != want {
		t.Fatalf("related information:\n got %s\nwant %s", got, want)
	}
	cons := c.open(fileURI(consPath), wsConstitution)
	c.waitDiagnostics(cons, 1)
	for _, tc := range []struct{ text, want string }{
		{strings.Replace(wsConstitution, "## Stack\n", "## Stack\n\nChosen in 2026.\n", 1),
			"7:8-7:19 Better Auth chosen here (auth); 8:11-8:18 FastAPI chosen here (backend)"},
		{strings.Replace(wsConstitution, "- Auth: ", "- 🔐 Auth: ", 1),
			"5:11-5:22 Better Auth chosen here (auth); 6:11-6:18 FastAPI chosen here (backend)"},
	} {
		mark := publishCount(c, spec)
		c.replaceAll(cons, tc.text)
		deadline := time.After(waitTimeout)
		for {
			c.mu.Lock()
			ps := c.diags[spec]
			var got string
			if len(ps) > mark && len(ps[len(ps)-1].Diagnostics) > 0 {
				got = related(ps[len(ps)-1].Diagnostics)
			}
			c.mu.Unlock()
			if got == tc.want {
				break
			}
			select {
			case <-c.notify:
			case <-deadline:
				t.Fatalf("related information after the edit:\n got %s\nwant %s", got, tc.want)
			}
		}
	}
}

// A document in a workspace without a constitution gets one notice at the
// top; .ipf.toml can turn it off.
func TestNoConstitutionNotice(t *testing.T) {
	dir := writeTree(t, map[string]string{"specs/001-notes/spec.md": wsSpec})
	c := newTestClient(t, clientOptions{rootURI: fileURI(dir)})
	spec := c.open(fileURI(filepath.Join(dir, "specs/001-notes/spec.md")), wsSpec)
	got := c.waitDiagnostics(spec, 1)
	if len(got) != 1 || got[0].Code != "no-constitution" || got[0].Range.Start.Line != 0 || got[0].Severity != protocol.DiagnosticSeverityInformation {
		t.Fatalf("diagnostics: %q", diagStrings(got))
	}

	quiet := writeTree(t, map[string]string{"specs/001-notes/spec.md": wsSpec, ".ipf.toml": "no_constitution_notice = false\n"})
	c2 := newTestClient(t, clientOptions{rootURI: fileURI(quiet)})
	spec2 := c2.open(fileURI(filepath.Join(quiet, "specs/001-notes/spec.md")), wsSpec)
	if got := c2.waitDiagnostics(spec2, 1); len(got) != 0 {
		t.Fatalf("diagnostics with the notice off: %q", diagStrings(got))
	}
}

// On a corpus spec that names no backend, the server reports the points that
// its repository's constitution implies.
func TestCorpusSpecUsesConstitution(t *testing.T) {
	corpus := testenv.CorpusDir(t)
	repo := filepath.Join(corpus, "syeda-codetech12__Todo-fullstack-app")
	path := filepath.Join(repo, "specs", "001-auth-security-jwt", "spec.md")
	text, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	c := newTestClient(t, clientOptions{rootURI: fileURI(repo)})
	spec := c.open(fileURI(path), string(text))
	got := c.waitDiagnostics(spec, 1)
	pairs := map[string]bool{}
	for _, d := range got {
		if d.Code == "integration-point" && strings.Contains(d.Message, "the constitution's stack") {
			pairs[strings.SplitN(strings.TrimPrefix(d.Message, "Integration point: "), " (", 2)[0]] = true
		}
	}
	for _, want := range []string{"Better Auth → FastAPI", "Next.js → FastAPI"} {
		if !pairs[want] {
			t.Errorf("missing implied point %s; got:\n%s", want, diagStrings(got))
		}
	}
}

// TestConstitutionOwnStackFollowsEachEdit: a constitution analyses its own
// requirements with the stack of the very text being analysed. The server
// updates the workspace's copy of the text, which the stack is read from,
// before it wakes the document's analysis; had it done so after, an
// analysis could start in between and publish a version's diagnostics
// with the previous version's stack. Forty edits switch the backend back
// and forth, and each version's diagnostics name its own.
func TestConstitutionOwnStackFollowsEachEdit(t *testing.T) {
	text := wsConstitution + "\n## Requirements\n\n- **FR-001**: The system MUST reject requests without a valid token.\n"
	dir := writeTree(t, map[string]string{".specify/memory/constitution.md": text})
	c := newTestClient(t, clientOptions{rootURI: fileURI(dir)})
	cons := c.open(fileURI(filepath.Join(dir, ".specify/memory/constitution.md")), text)
	want := map[string]string{
		"FastAPI": `10:0-10:68 Information integration-point Integration point: Better Auth → FastAPI (implied by FR-001 with the constitution's stack: Better Auth, FastAPI) — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one)`,
		"Express": `10:0-10:68 Information integration-point Integration point: Express → Better Auth (implied by FR-001 with the constitution's stack: Better Auth, Express) — pattern available: "toNodeHandler mounted before express.json() with fromNodeHeaders session checks" (quick fix inserts it)`,
	}
	assertDiags(t, c.waitDiagnostics(cons, 1), []string{want["FastAPI"]})
	for i := range 40 {
		backend := []string{"Express", "FastAPI"}[i%2]
		v := c.replaceAll(cons, strings.Replace(text, "FastAPI", backend, 1))
		assertDiags(t, c.waitDiagnostics(cons, v), []string{want[backend]})
	}
}

// TestWorkspaceFoldersChangeReadsTheirConfig: a folder added with
// workspace/didChangeWorkspaceFolders has its `.ipf.toml` read (a malformed
// one is reported in that file), and a removed folder's no longer applies.
// Before, the session's roots were those of initialize for good: the added
// folder's broken file got no diagnostic, and the removed folder's
// configuration (here: incomplete-pattern disabled) still governed the
// documents of the folder left.
func TestWorkspaceFoldersChangeReadsTheirConfig(t *testing.T) {
	w := newWorkspace(t, map[string]string{".ipf.toml": "disabled = [\"incomplete-pattern\"]\n"}, clientOptions{})
	b := t.TempDir()
	writeFile(t, filepath.Join(b, ".ipf.toml"), "# b\ninlay_hints = maybe\n")
	writeFile(t, filepath.Join(b, ".specify", "memory", "constitution.md"), "")
	folder := func(dir string) []map[string]any {
		return []map[string]any{{"uri": protocol.DocumentURI(uri.File(dir)), "name": filepath.Base(dir)}}
	}
	w.notifyServer("workspace/didChangeWorkspaceFolders", map[string]any{"event": map[string]any{"added": folder(b), "removed": []any{}}})
	cu := protocol.DocumentURI(uri.File(filepath.Join(b, ".ipf.toml")))
	p := w.waitPublish(cu, func(published) bool { return true })
	if len(p.Diagnostics) != 1 || diagString(p.Diagnostics[0]) != `1:0-1:19 Error config invalid .ipf.toml, using the defaults: expected value but found "maybe" instead` {
		t.Fatalf("added folder's config: %+v", p.Diagnostics)
	}
	u := w.open(protocol.DocumentURI(uri.File(filepath.Join(b, "plan.md"))), planDoc)
	assertCodes(t, w.waitDiagnostics(u, 1), "integration-point", "incomplete-pattern") // its own file, malformed: the defaults
	first := w.open(w.uri("plan.md"), planDoc)
	assertCodes(t, w.waitDiagnostics(first, 1), "integration-point") // the first folder's file
	n := w.publishCount(first)
	w.notifyServer("workspace/didChangeWorkspaceFolders", map[string]any{"event": map[string]any{"added": []any{}, "removed": folder(w.root)}})
	// Outside every folder now: the `.ipf.toml` of the root inferred for it
	// (the nearest folder with .specify), as check reads it.
	assertCodes(t, w.waitPublishAfter(first, n).Diagnostics, "integration-point")
}

// A constitution read from disk that starts with a byte order mark: editors
// drop the mark when they open the file, so related locations on its first
// line count columns after it. Once the client has the file open, its text
// (without the mark) is the one mapped.
func TestRelatedLocationsAfterDiskBOM(t *testing.T) {
	const cons = "\uFEFF- Auth: Better Auth\n- Backend: FastAPI\n"
	dir := writeTree(t, map[string]string{
		".specify/memory/constitution.md": cons,
		"specs/001-notes/spec.md":         wsSpec,
	})
	c := newTestClient(t, clientOptions{rootURI: fileURI(dir)})
	consPath := filepath.Join(dir, ".specify/memory/constitution.md")
	spec := c.open(fileURI(filepath.Join(dir, "specs/001-notes/spec.md")), wsSpec)
	ds := c.waitDiagnostics(spec, 1)
	if len(ds) == 0 {
		t.Fatal("no diagnostics")
	}
	var got []string
	for _, r := range ds[0].RelatedInformation {
		if r.Location.URI != fileURI(consPath) {
			t.Fatalf("related location in %s, want the constitution", r.Location.URI)
		}
		rg := r.Location.Range
		got = append(got, fmt.Sprintf("%d:%d-%d:%d %s", rg.Start.Line, rg.Start.Character, rg.End.Line, rg.End.Character, r.Message))
	}
	if want := "0:8-0:19 Better Auth chosen here (auth); 1:11-1:18 FastAPI chosen here (backend)"; strings.Join(got, "; ") != want {
		t.Fatalf("related information:\n got %s\nwant %s", strings.Join(got, "; "), want)
	}
}

// TestPathOfURIs: a file URI names an absolute local path, or nothing. On
// Linux and macOS `file:///C:/specs/spec.md` was read as the relative path
// "C:/specs/spec.md", so against the server's working directory: the
// no-constitution notice named "<cwd>/C:/specs" and its root; and
// `file://host/...` (a UNC path on Windows) was read as the local /...
func TestPathOfURIs(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("Windows drive letters are paths there")
	}
	for _, tc := range []struct{ uri, want string }{
		{"file:///tmp/ws/spec.md", "/tmp/ws/spec.md"},
		{"file://localhost/tmp/ws/spec.md", "/tmp/ws/spec.md"},
		{"file:///tmp/ws/a%20b.md", "/tmp/ws/a b.md"},
		{"file:///C:/specs/spec.md", "/C:/specs/spec.md"},
		{"file:///c%3A/specs/spec.md", "/c:/specs/spec.md"},
		{"file://fileserver/share/spec.md", ""},
		{"file:spec.md", ""},
		{"file:///tmp/a%zz.md", ""},
		{"untitled:Untitled-1", ""},
	} {
		if got := pathOf(protocol.DocumentURI(tc.uri)); got != tc.want {
			t.Errorf("pathOf(%s) = %q, want %q", tc.uri, got, tc.want)
		}
		got, ok := filePath(protocol.DocumentURI(tc.uri))
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("filePath(%s) = %q %v, want %q", tc.uri, got, ok, tc.want)
		}
	}
}
