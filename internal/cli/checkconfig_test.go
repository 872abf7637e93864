package cli

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func writeTestFile(t *testing.T, path, text string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
}

const checkSpec = "- Better Auth issues a JWT that FastAPI verifies.\n"

// The nearest .ipf.toml above a file governs it; --config replaces it for
// every file; a malformed file is one error in that file, and the defaults.
func TestCheckConfigFiles(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, ".ipf.toml"), "no_constitution_notice = false\n[severity]\nintegration-point = \"error\"\n")
	writeTestFile(t, filepath.Join(dir, "specs", "a.md"), checkSpec)
	writeTestFile(t, filepath.Join(dir, "drafts", "b.md"), checkSpec)
	writeTestFile(t, filepath.Join(dir, "drafts", ".ipf.toml"), "no_constitution_notice = false\ndisabled = [\"integration-point\"]\n")
	a := filepath.Join(dir, "specs", "a.md")
	b := filepath.Join(dir, "drafts", "b.md")

	code, out, errs := run(t, "check", dir)
	want := a + `:1:3: error: Integration point: Better Auth → FastAPI — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one) [integration-point]` + "\n"
	if code != ExitFindings || out != want {
		t.Fatalf("nearest config: exit %d, stderr %q, output:\n%s\nwant:\n%s", code, errs, out, want)
	}

	other := filepath.Join(t.TempDir(), "ci.toml")
	writeTestFile(t, other, "no_constitution_notice = false\nmax_file_size = 10\nignore = [\"specs/**\"]\n")
	code, out, _ = run(t, "check", "--config", other, b)
	want = b + ":1:1: information: not analysed: the document has 50 bytes, above the limit of 10 (max_file_size in .ipf.toml, ipf.maxFileSize in the editor) [file-too-large]\n"
	if code != ExitOK || out != want {
		t.Fatalf("--config: exit %d, output:\n%s\nwant:\n%s", code, out, want)
	}

	writeTestFile(t, filepath.Join(dir, "drafts", ".ipf.toml"), "no_constitution_notice = false\ndisabled = [\n")
	code, out, _ = run(t, "check", b)
	cfg := filepath.Join(dir, "drafts", ".ipf.toml")
	if wd, err := os.Getwd(); err == nil {
		if r, err := filepath.Rel(wd, cfg); err == nil && len(r) < len(cfg) {
			cfg = r
		}
	}
	want = b + `:1:3: information: Integration point: Better Auth → FastAPI — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one) [integration-point]` + "\n" +
		cfg + ":2:1: error: invalid .ipf.toml, using the defaults: unexpected EOF; expected value [config]\n"
	// The defaults apply, the constitution notice included (its line comes
	// first).
	if code != ExitFindings || !strings.HasSuffix(out, "[no-constitution]\n"+want) {
		t.Fatalf("malformed: exit %d, output:\n%s\nwant:\n%s", code, out, want)
	}

	if code, _, _ := run(t, "check", "--config", filepath.Join(dir, "missing.toml"), b); code != ExitUsage {
		t.Fatalf("missing --config file: exit %d, want 2", code)
	}
}

// disabled = ["all"] turns off every code, as the README says: the
// anti-pattern warnings and the constitution notice too, not only the
// integration points, and the run passes.
func TestCheckDisabledAll(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "spec.md")
	writeTestFile(t, spec, "# Spec\n\n- **FR-001**: Better Auth issues a JWT that FastAPI verifies.\n- The frontend stores the access token in localStorage.\n\n```python\nAPI_KEY = \"sk_live_abcdefghijklmnopqrstuvwx\"\n```\n")
	for _, disabled := range []string{`["all"]`, `["integration-point", "all"]`} {
		writeTestFile(t, filepath.Join(dir, ".ipf.toml"), "disabled = "+disabled+"\n")
		code, out, errs := run(t, "check", "--fail-on", "hint", spec)
		if code != ExitOK || out != "" {
			t.Errorf("disabled = %s: exit %d, stderr %q, output:\n%s\nwant exit 0 and no findings", disabled, code, errs, out)
		}
	}
}

// A malformed .ipf.toml is reported under its path relative to the working
// directory, as the checked files are: an absolute path in --format github
// is no file of the repository, so the runner showed no annotation for it.
func TestCheckConfigProblemRelativePath(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, ".ipf.toml"), "no_constitution_notice = false\ndisabled = [\n")
	writeTestFile(t, filepath.Join(dir, "specs", "a.md"), "# Spec\n")
	t.Chdir(dir)
	code, out, errs := run(t, "check", "specs")
	want := ".ipf.toml:2:1: error: invalid .ipf.toml, using the defaults: unexpected EOF; expected value [config]\n"
	// The defaults apply, the constitution notice included (its line comes
	// first).
	if code != ExitFindings || !strings.HasSuffix(out, "[no-constitution]\n"+want) {
		t.Fatalf("exit %d, stderr %q, output:\n%s\nwant it to end with:\n%s", code, errs, out, want)
	}
	_, out, _ = run(t, "check", "--format", "github", "specs")
	if want := "\n::error file=.ipf.toml,line=2,"; !strings.Contains(out, want) {
		t.Fatalf("github output:\n%s\nwant a line starting with %q", out, want[1:])
	}
}

// A pattern pack in references/ at the workspace root (the nearest folder
// with .git) is used by check and find without any .ipf.toml, as the server
// uses it (TestWorkspacePack): its pattern fills a pair the built-in library
// has none for.
func TestCheckPackWithoutConfigFile(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main\n")
	writeTestFile(t, filepath.Join(dir, "references", "fastapi-resend.md"), "---\nfrom: fastapi\nto: resend\n---\n## Integration: FastAPI → Resend\n\n"+
		"### Pattern: Send with the SDK\n\n**Use Case**: When a request sends mail.\n\n**Flow**:\n1. Step.\n\n"+
		"**Code Example**:\n```python\nimport resend\n```\n\n**Gotchas**:\n- Ours.\n\n**Official Source**: https://resend.com/docs\n")
	spec := filepath.Join(dir, "specs", "a.md")
	writeTestFile(t, spec, "- FastAPI sends the e-mail with Resend.\n")

	code, out, errs := run(t, "check", filepath.Join(dir, "specs"))
	want := spec + `:1:3: information: Integration point: FastAPI → Resend — pattern available: "Send with the SDK" (quick fix inserts it) [integration-point]` + "\n"
	if code != ExitOK || !strings.Contains(out, want) {
		t.Errorf("check: exit %d, stderr %q, output:\n%s\nwant a line:\n%s", code, errs, out, want)
	}
	code, out, errs = run(t, "find", spec)
	if code != ExitOK || !strings.Contains(out, "## Integration: FastAPI → Resend\n\nFound in: "+filepath.ToSlash(spec)+":1\n\n### Pattern: Send with the SDK\n\n**Use Case**: When a request sends mail.\n") {
		t.Errorf("find: exit %d, stderr %q, output:\n%s", code, errs, out)
	}
}

// A project that is no repository (no .git, no .specify) marks its root
// with its .ipf.toml: `check specs` run in it finds the constitution beside
// that file, as `check .` does, where it looked in specs only and reported
// none.
func TestCheckRootMarkedByConfigFile(t *testing.T) {
	dir := t.TempDir()
	writeTestFile(t, filepath.Join(dir, ".ipf.toml"), "[severity]\nintegration-point = \"warning\"\n")
	writeTestFile(t, filepath.Join(dir, "constitution.md"), "# Constitution\n\n## Stack\n\n- **Frontend**: Next.js\n- **Authentication**: Better Auth\n- **Backend**: FastAPI\n")
	spec := filepath.Join("specs", "001-a", "spec.md")
	writeTestFile(t, filepath.Join(dir, spec), "# Spec\n\n- **FR-001**: Users must sign in before the dashboard loads their projects from the API.\n")
	t.Chdir(dir)
	// The requirement implies a point with the constitution's stack.
	want := spec + `:3:1: warning: Integration point: Next.js → FastAPI (implied by FR-001 with the constitution's stack: Next.js, FastAPI) — 2 patterns available, best match: "REST calls with a bearer token and explicit CORS origins" (quick fix inserts one) [integration-point]` + "\n"
	for _, arg := range []string{"specs", spec, "."} {
		code, out, errs := run(t, "check", arg)
		if code != ExitFindings || out != want {
			t.Errorf("check %s: exit %d, stderr %q, output:\n%s\nwant:\n%s", arg, code, errs, out, want)
		}
	}
}

// A pattern folder that cannot be used is said on the pattern_folders line,
// and only it is skipped: the rest of the file applies. The message said
// "invalid .ipf.toml, using the defaults" on line 1, while the file's other
// settings (here the disabled notice) were applied.
func TestCheckPatternFolderProblem(t *testing.T) {
	for _, tc := range []struct{ folders, msg string }{
		{`["../shared"]`, "pattern folder ../shared is outside the workspace %s: skipped"},
		{`["specs/a.md"]`, "reading pattern folder %s/specs/a.md: open %[1]s/specs/a.md: not a directory"},
	} {
		dir := t.TempDir()
		writeTestFile(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main\n")
		writeTestFile(t, filepath.Join(dir, ".ipf.toml"), "# settings\ndisabled = [\"no-constitution\"]\npattern_folders = "+tc.folders+"\n")
		writeTestFile(t, filepath.Join(dir, "specs", "a.md"), "# Spec\n")
		t.Chdir(dir)
		code, out, errs := run(t, "check", "specs")
		want := ".ipf.toml:3:1: error: " + fmt.Sprintf(tc.msg, dir) + " [config]\n"
		if code != ExitFindings || out != want {
			t.Errorf("%s: exit %d, stderr %q, output:\n%s\nwant:\n%s", tc.folders, code, errs, out, want)
		}
	}
}

// The constitution notices name paths relative to the workspace root, and
// the root by its name: check's output (and a CI annotation) reads the
// same on every machine, where it named the runner's absolute folders.
func TestCheckConstitutionNoticesRelative(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "notes-app")
	writeTestFile(t, filepath.Join(dir, ".git", "HEAD"), "ref: refs/heads/main\n")
	writeTestFile(t, filepath.Join(dir, ".specify", "memory", "constitution.md"), "# Constitution\n\n- Backend: FastAPI\n")
	writeTestFile(t, filepath.Join(dir, "specs", "constitution.md"), "# Constitution\n\n- Backend: Django\n")
	writeTestFile(t, filepath.Join(dir, "specs", "001-a", "spec.md"), "# Spec\n\nNothing here yet.\n")
	writeTestFile(t, filepath.Join(dir, "other", ".git", "HEAD"), "ref: refs/heads/main\n")
	writeTestFile(t, filepath.Join(dir, "other", "docs", "spec.md"), "# Spec\n\nNothing here yet.\n")
	t.Chdir(dir)
	code, out, errs := run(t, "check", "--fail-on", "none", filepath.Join("specs", "001-a", "spec.md"), filepath.Join("other", "docs", "spec.md"))
	want := "other/docs/spec.md:1:1: information: No constitution: none found between docs/ and the workspace root other/ (looked for .specify/memory/constitution.md, memory/constitution.md, .specify/constitution.md, constitution.md); the document is analysed alone (set no_constitution_notice = false in .ipf.toml to hide this) [no-constitution]\n" +
		"specs/001-a/spec.md:1:1: information: Using the constitution specs/constitution.md; .specify/memory/constitution.md is overridden by it (the nearest constitution wins) [other-constitution]\n"
	if code != ExitOK || out != want {
		t.Errorf("exit %d, stderr %q, output:\n%s\nwant:\n%s", code, errs, out, want)
	}
}
