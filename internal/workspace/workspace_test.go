package workspace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

func write(t *testing.T, root string, files map[string]string) {
	t.Helper()
	for p, text := range files {
		full := filepath.Join(root, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func TestConstitutionDiscovery(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		".specify/memory/constitution.md":       "- Backend: FastAPI\n",
		"app/memory/constitution.md":            "- Backend: Express\n",
		"app/specs/001-a/spec.md":               "x\n",
		"specs/002-b/spec.md":                   "x\n",
		"specs/002-b/plan.md":                   "- Auth: Better Auth\n",
		"docs/specs/003-c/plan/data-model.md":   "x\n",
		"other/.specify/constitution.md":        "- Frontend: Vue\n",
		"other/.specify/memory/constitution.md": "- Frontend: React\n",
		"other/specs/004-d/spec.md":             "x\n",
		"other/.specify/templates/plan.md":      "x\n",
	})
	w := New(root)
	for _, tc := range []struct {
		doc, want string
		others    []string
	}{
		{"specs/002-b/spec.md", ".specify/memory/constitution.md", nil},
		{"app/specs/001-a/spec.md", "app/memory/constitution.md", []string{".specify/memory/constitution.md"}},
		{"other/specs/004-d/spec.md", "other/.specify/memory/constitution.md", []string{"other/.specify/constitution.md", ".specify/memory/constitution.md"}},
		// Inside .specify the walk meets other/.specify/constitution.md
		// twice, as constitution.md of other/.specify and as
		// .specify/constitution.md of other; it is named once.
		{"other/.specify/templates/plan.md", "other/.specify/memory/constitution.md", []string{"other/.specify/constitution.md", ".specify/memory/constitution.md"}},
		{"other/.specify/memory/constitution.md", "other/.specify/memory/constitution.md", []string{"other/.specify/constitution.md", ".specify/memory/constitution.md"}},
	} {
		c := w.Constitution(filepath.Join(root, tc.doc))
		if c.Path != filepath.Join(root, tc.want) {
			t.Errorf("%s: constitution %q, want %q", tc.doc, c.Path, tc.want)
		}
		if len(c.Others) != len(tc.others) {
			t.Errorf("%s: others %q, want %q", tc.doc, c.Others, tc.others)
			continue
		}
		for i, o := range tc.others {
			if c.Others[i] != filepath.Join(root, o) {
				t.Errorf("%s: other %d = %q, want %q", tc.doc, i, c.Others[i], o)
			}
		}
	}
	// A configured constitution wins.
	w.SetConstitution(root, "app/memory/constitution.md")
	if c := w.Constitution(filepath.Join(root, "specs/002-b/spec.md")); c.Path != filepath.Join(root, "app/memory/constitution.md") {
		t.Errorf("configured constitution not used: %q", c.Path)
	}
	w.SetConstitution(root, "")
	// Feature folders, including a plan/ sub-folder.
	f, ok := w.FeatureOf(filepath.Join(root, "docs/specs/003-c/plan/data-model.md"))
	if !ok || f.Dir != filepath.Join(root, "docs/specs/003-c") || f.Docs[KindDataModel] == "" {
		t.Errorf("feature of data-model: %+v %v", f, ok)
	}
	// The plan's stack applies to its spec, after the constitution's.
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	st := w.StackFor(env, filepath.Join(root, "specs/002-b/spec.md"))
	if got := st.Techs(); len(got) != 2 || got[0] != "better-auth" || got[1] != "fastapi" || st.Plan == "" {
		t.Errorf("stack of spec: %v (plan %q)", got, st.Plan)
	}
}

// TestMissingConstitution: the notice names folders relative to the
// workspace root, and the root by its name, so that it reads the same on
// every machine (absolute paths of a CI runner made it long and
// machine-specific).
func TestMissingConstitution(t *testing.T) {
	root := filepath.Join(t.TempDir(), "notes-app")
	write(t, root, map[string]string{"specs/001-a/spec.md": "x\n"})
	env, _ := analysis.DefaultEnv()
	looked := strings.Join(ConstitutionPaths, ", ")
	for _, tt := range []struct{ file, want string }{
		{"specs/001-a/spec.md", "none found between specs/001-a/ and the workspace root notes-app/ (looked for " + looked + ")"},
		{"spec.md", "none found in the workspace root notes-app/ (looked for " + looked + ")"},
	} {
		write(t, root, map[string]string{tt.file: "x\n"})
		st := New(root).StackFor(env, filepath.Join(root, tt.file))
		if st.Source != "" || st.Missing != tt.want {
			t.Errorf("%s: Missing %q, want %q", tt.file, st.Missing, tt.want)
		}
	}
}

// Paths that leave the root, by ".." or through a symbolic link, are refused
// with ErrOutside; the editor overlay is read instead of the disk.
func TestReadFileStaysInside(t *testing.T) {
	base := t.TempDir()
	root := filepath.Join(base, "root")
	write(t, base, map[string]string{"root/a.md": "inside\n", "secret.md": "outside\n"})
	if err := os.Symlink(filepath.Join(base, "secret.md"), filepath.Join(root, "link.md")); err != nil {
		t.Skipf("symlinks unavailable: %v", err)
	}
	if err := os.Symlink(base, filepath.Join(root, "up")); err != nil {
		t.Fatal(err)
	}
	w := New(root)
	for _, tc := range []struct {
		path    string
		outside bool
	}{
		{"a.md", false},
		{"../secret.md", true},
		{"sub/../../secret.md", true},
		{"link.md", true},
		{"up/secret.md", true},
	} {
		_, err := w.ReadFile(filepath.Join(root, tc.path))
		if got := errors.Is(err, ErrOutside); got != tc.outside {
			t.Errorf("%s: err %v, outside=%v want %v", tc.path, err, got, tc.outside)
		}
	}
	w.Open(filepath.Join(root, "a.md"), []byte("edited\n"))
	if b, _ := w.ReadFile(filepath.Join(root, "a.md")); string(b) != "edited\n" {
		t.Errorf("overlay not read: %q", b)
	}
	w.Close(filepath.Join(root, "a.md"))
	if b, _ := w.ReadFile(filepath.Join(root, "a.md")); string(b) != "inside\n" {
		t.Errorf("disk not read after close: %q", b)
	}
	// A constitution that is a link out of the root is unreadable: the
	// stack says why.
	if err := os.MkdirAll(filepath.Join(root, ".specify", "memory"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(base, "secret.md"), filepath.Join(root, ".specify", "memory", "constitution.md")); err != nil {
		t.Fatal(err)
	}
	env, _ := analysis.DefaultEnv()
	st := w.StackFor(env, filepath.Join(root, "a.md"))
	if st.Source != "" || st.Missing == "" {
		t.Errorf("linked-out constitution was read: %+v", st)
	}
}

func TestFindRoot(t *testing.T) {
	base := t.TempDir()
	write(t, base, map[string]string{
		"repo/.specify/memory/constitution.md": "", "repo/specs/001-a/spec.md": "",
		"loose/specs/002-b/spec.md": "",
		// A project that is no repository: its .ipf.toml marks the root.
		"plain/.ipf.toml": "", "plain/constitution.md": "", "plain/specs/003-c/spec.md": "",
		// .git above wins over a nearer .ipf.toml.
		"mono/.git/HEAD": "", "mono/web/.ipf.toml": "", "mono/web/specs/004-d/spec.md": "",
	})
	for _, tc := range []struct{ file, limit, want string }{
		{"repo/specs/001-a/spec.md", base, "repo"},
		{"loose/specs/002-b/spec.md", base, "."},                                         // no marker: the limit
		{"loose/specs/002-b/spec.md", "", "loose/specs/002-b"},                           // no marker, no limit: its folder
		{"plain/specs/003-c/spec.md", base, "plain"},                                     // .ipf.toml
		{"plain/specs/003-c/spec.md", filepath.Join(base, "plain/specs"), "plain/specs"}, // not above the limit
		{"mono/web/specs/004-d/spec.md", base, "mono"},
	} {
		if got, want := FindRoot(filepath.Join(base, tc.file), tc.limit), filepath.Join(base, tc.want); got != want {
			t.Errorf("FindRoot(%s, %q) = %q, want %q", tc.file, tc.limit, got, want)
		}
	}
	for dir, want := range map[string]bool{"repo": true, "plain": true, "mono/web": true, "loose": false, "plain/specs": false} {
		if got := HasRootMarker(filepath.Join(base, dir)); got != want {
			t.Errorf("HasRootMarker(%s) = %v, want %v", dir, got, want)
		}
	}
}

// TestStackForFollowsEdits: the stacks of a constitution and a plan are
// extracted once and reused while their texts stay the same, and are
// extracted again when the disk or the editor's text changes them. The
// stack carries the texts its lines were read from.
func TestStackForFollowsEdits(t *testing.T) {
	root := t.TempDir()
	write(t, root, map[string]string{
		".specify/memory/constitution.md": "- Backend: FastAPI\n",
		"specs/001-a/plan.md":             "- Auth: Better Auth\n",
		"specs/001-a/spec.md":             "x\n",
	})
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	w := New(root)
	spec := filepath.Join(root, "specs/001-a/spec.md")
	cons := filepath.Join(root, ".specify/memory/constitution.md")
	plan := filepath.Join(root, "specs/001-a/plan.md")
	techs := func() string {
		st := w.StackFor(env, spec)
		if string(st.Texts[cons]) == "" || string(st.Texts[plan]) == "" {
			t.Fatalf("stack texts %q, want the constitution's and the plan's", st.Texts)
		}
		return fmt.Sprint(st.Techs())
	}
	first := w.StackFor(env, spec)
	if got := techs(); got != "[better-auth fastapi]" {
		t.Fatalf("stack %s", got)
	}
	if again := w.StackFor(env, spec); &again.Texts[cons][0] != &first.Texts[cons][0] {
		t.Errorf("the unchanged constitution was extracted again")
	}
	write(t, root, map[string]string{".specify/memory/constitution.md": "- Backend: Django\n"})
	if got := techs(); got != "[better-auth django]" {
		t.Errorf("after the constitution changed on disk: %s", got)
	}
	w.Open(plan, []byte("- Auth: Clerk\n"))
	if got := techs(); got != "[clerk django]" {
		t.Errorf("after the plan changed in the editor: %s", got)
	}
	if st := w.StackFor(env, spec); string(st.Texts[plan]) != "- Auth: Clerk\n" || string(st.Texts[cons]) != "- Backend: Django\n" {
		t.Errorf("texts %q, want the ones the stack was read from", st.Texts)
	}
	other, _ := analysis.DefaultEnv()
	if st := w.StackFor(other, spec); fmt.Sprint(st.Techs()) != "[clerk django]" {
		t.Errorf("with another Env: %v", st.Techs())
	}
}

// An absolute constitution path (.ipf.toml's constitution, the editor's
// ipf.constitution.path) names that file: it was joined under the root,
// so a path inside the workspace was not found, and one outside was
// reported as a missing file below the root instead of refused.
func TestAbsoluteConstitutionPath(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	write(t, root, map[string]string{
		"docs/c.md":           "# Constitution\n\n- Backend: FastAPI\n",
		"specs/001-a/spec.md": "x\n",
	})
	write(t, outside, map[string]string{"c.md": "# Constitution\n\n- Backend: FastAPI\n"})
	env, _ := analysis.DefaultEnv()
	doc := filepath.Join(root, "specs/001-a/spec.md")
	for _, tt := range []struct{ conf, source, missing string }{
		{filepath.Join(root, "docs/c.md"), filepath.Join(root, "docs/c.md"), ""},
		{filepath.Join(outside, "c.md"), "", "the constitution cannot be read (reading " + filepath.Join(outside, "c.md") + ": outside the workspace folder " + root + ")"},
	} {
		w := New(root)
		w.SetConstitution(root, tt.conf)
		st := w.StackFor(env, doc)
		if st.Source != tt.source || st.Missing != tt.missing {
			t.Errorf("constitution %s: Source %q Missing %q, want %q %q", tt.conf, st.Source, st.Missing, tt.source, tt.missing)
		}
	}
}

// A configured constitution is read only inside its own root. Once a
// document outside the workspace folder was opened, the server added that
// document's folder as a root (the parent of the workspace folder, or /
// for a file at the top): the workspace folder's `constitution =
// "../secret/c.md"`, refused until then, was read, as any path below the
// added root would be.
func TestConfiguredConstitutionStaysInItsRoot(t *testing.T) {
	parent := t.TempDir()
	root := filepath.Join(parent, "ws")
	write(t, parent, map[string]string{
		"secret/c.md":            "# Constitution\n\n- Backend: FastAPI\n",
		"other.md":               "# Note\n",
		"ws/specs/001-a/spec.md": "x\n",
	})
	env, _ := analysis.DefaultEnv()
	doc := filepath.Join(root, "specs/001-a/spec.md")
	secret := filepath.Join(parent, "secret/c.md")
	for _, tc := range []struct{ conf, missing string }{
		{"../secret/c.md", "the constitution cannot be read (reading " + secret + ": outside the workspace folder " + root + ")"},
		{secret, "the constitution cannot be read (reading " + secret + ": outside the workspace folder " + root + ")"},
	} {
		w := New(root, parent) // parent: the folder of other.md, inferred
		w.SetConstitution(root, tc.conf)
		st := w.StackFor(env, doc)
		if st.Source != "" || st.Missing != tc.missing {
			t.Errorf("constitution %s: Source %q Missing %q, want Missing %q", tc.conf, st.Source, st.Missing, tc.missing)
		}
	}
}

// A file read from disk must be a regular file. A configured constitution
// that was a FIFO (constitution = "c.md" with c.md made by mkfifo) blocked
// the read for ever: check hung, and the server's analysis of every
// document under it never ended.
func TestReadFileRefusesFIFO(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs")
	}
	root := t.TempDir()
	write(t, root, map[string]string{"specs/001-a/spec.md": "x\n"})
	fifo := filepath.Join(root, "c.md")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	env, _ := analysis.DefaultEnv()
	w := New(root)
	w.SetConstitution(root, "c.md")
	done := make(chan string, 1)
	go func() { done <- w.StackFor(env, filepath.Join(root, "specs/001-a/spec.md")).Missing }()
	select {
	case got := <-done:
		if want := "the constitution cannot be read (reading " + fifo + ": not a regular file)"; got != want {
			t.Errorf("Missing %q, want %q", got, want)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("reading the FIFO did not return in 5 s")
	}
}
