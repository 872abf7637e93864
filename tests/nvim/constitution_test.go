package nvimtest

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The constitution-edit documents (testdata/constitution-edit): a spec that
// names no technology, whose FR-001 needs token verification, and a
// constitution whose stack is Better Auth + FastAPI.
const (
	ceSpecDoc = "specs/001-entry-access/spec.md"
	ceConsDoc = ".specify/memory/constitution.md"

	// Line 11 of the constitution, 0-based 10.
	ceBackendLine = 10
	ceBackend     = "- **Backend**: FastAPI"
	ceBackendNew  = "- **Backend**: Django"

	msgImpliedFastAPI = `Integration point: Better Auth → FastAPI (implied by FR-001 with the constitution's stack: Better Auth, FastAPI) — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one)`
	msgImpliedDjango  = `Integration point: Better Auth → Django (implied by FR-001 with the constitution's stack: Better Auth, Django) — no pattern in the library yet (quick fix inserts a blank integration template)`
)

// TestNeovimConstitutionEdit: with the spec and its constitution open in one
// Neovim, an unsaved edit of the constitution's stack changes the spec's
// diagnostics, the spec buffer untouched (issue 3).
//
// Both buffers are attached to one ipf client. The spec's FR-001 ("reject
// requests that arrive without a valid token") implies Better Auth → FastAPI
// with the constitution's stack; nvim_buf_set_lines turns the backend into
// Django in the constitution buffer, which is never written, and the spec's
// diagnostics must become Better Auth → Django with no didOpen, didChange or
// didClose of the spec.
func TestNeovimConstitutionEdit(t *testing.T) {
	ws := testdataWorkspace(t, map[string]string{
		ceSpecDoc: "constitution-edit/spec.md",
		ceConsDoc: "constitution-edit/constitution.md",
	})
	specText := readWS(t, ws, ceSpecDoc)
	consText := readWS(t, ws, ceConsDoc)
	if lines := strings.Split(consText, "\n"); len(lines) <= ceBackendLine || lines[ceBackendLine] != ceBackend {
		t.Fatalf("testdata constitution: line %d is not %q", ceBackendLine+1, ceBackend)
	}
	wantBefore := checkDiags(t, ws, ceSpecDoc, specText)

	s := runWith(t, ws, sessionConfig{doc: ceSpecDoc, others: []string{ceConsDoc}, lspLog: "DEBUG"},
		step{"op": "diagnostics"},
		step{"op": "state"},
		step{"op": "set_lines", "doc": ceConsDoc, "start": ceBackendLine, "end": ceBackendLine + 1, "lines": []string{ceBackendNew}},
		step{"op": "diagnostics_changed"},
		step{"op": "state"},
		step{"op": "state", "doc": ceConsDoc},
	)
	before, stBefore, after, stAfter, cons := s.Steps[0], s.Steps[1], s.Steps[3], s.Steps[4], s.Steps[5]

	// 1. On open: the implied point on FR-001's line (0-based 4, the whole
	// line), the same as check reports.
	equalDiags(t, "spec diagnostics on open", before.Diagnostics, []diag{info(4, 0, 80, msgImpliedFastAPI)})
	equalDiags(t, "spec diagnostics on open (vs check)", before.Diagnostics, wantBefore)

	// 2. After the unsaved edit of the other buffer: the point follows the
	// constitution's new backend.
	equalDiags(t, "spec diagnostics after the constitution edit", after.Diagnostics, []diag{info(4, 0, 80, msgImpliedDjango)})

	// 3. The constitution buffer holds the edit, unsaved; the file on disk
	// still says FastAPI.
	wantCons := strings.Replace(consText, ceBackend, ceBackendNew, 1)
	if cons.Text != wantCons || !cons.Modified {
		t.Errorf("constitution buffer: modified=%v, text:\n%s", cons.Modified, firstDiff(cons.Text, wantCons))
	}
	if got := readWS(t, ws, ceConsDoc); got != consText {
		t.Errorf("the constitution was written to disk:\n%s", firstDiff(got, consText))
	}

	// 4. The spec buffer was neither reopened nor modified: same buffer,
	// changedtick, LSP version and text, not 'modified', the file as it was;
	// the client sent nothing about it, and opened then changed only the
	// constitution.
	if stAfter.Buf != stBefore.Buf || stAfter.Changedtick != stBefore.Changedtick || stAfter.Version != stBefore.Version ||
		after.Version != before.Version || stAfter.Modified || stAfter.Text != specText {
		t.Errorf("spec buffer changed: before buf %d tick %d version %d, after buf %d tick %d version %d modified %v (diagnostics versions %d, %d)",
			stBefore.Buf, stBefore.Changedtick, stBefore.Version, stAfter.Buf, stAfter.Changedtick, stAfter.Version, stAfter.Modified,
			before.Version, after.Version)
	}
	if got := readWS(t, ws, ceSpecDoc); got != specText {
		t.Errorf("the spec file changed:\n%s", firstDiff(got, specText))
	}
	specURI, consURI := fileURI(ws, ceSpecDoc), fileURI(ws, ceConsDoc)
	var consMethods []string
	for _, n := range s.Notifications {
		switch n.URI {
		case specURI:
			t.Errorf("Neovim sent %s for the spec", n.Method)
		case consURI:
			consMethods = append(consMethods, n.Method)
		}
	}
	t.Logf("constitution notifications after startup: %q", consMethods)
	if len(consMethods) < 2 || consMethods[0] != "textDocument/didOpen" {
		t.Errorf("notifications for the constitution = %q, want didOpen then didChange", consMethods)
	}
	for _, m := range consMethods[min(1, len(consMethods)):] {
		if m != "textDocument/didChange" {
			t.Errorf("notifications for the constitution = %q, want didOpen then didChange only", consMethods)
			break
		}
	}

	// 5. What the spec shows now is what check reports once the constitution
	// says Django on disk (written only now, after the session).
	equalDiags(t, "spec diagnostics after the edit (vs check)", after.Diagnostics, func() []diag {
		if err := os.WriteFile(filepath.Join(ws, ceConsDoc), []byte(wantCons), 0o644); err != nil {
			t.Fatal(err)
		}
		return checkDiags(t, ws, ceSpecDoc, specText)
	}())
}

func readWS(t *testing.T, ws, doc string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(ws, doc))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// fileURI is the file URI Neovim gives the document (vim.uri_from_fname):
// the temp paths hold nothing that needs escaping.
func fileURI(ws, doc string) string {
	return "file://" + filepath.ToSlash(filepath.Join(ws, doc))
}
