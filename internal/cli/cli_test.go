package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

func run(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := Run(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestCheckExample(t *testing.T) {
	root := testenv.RepoRoot(t)
	code, out, _ := run(t, "check", filepath.Join(root, "examples/taskflow/specs/001-task-sharing/spec.md"))
	if code != ExitOK {
		t.Fatalf("exit %d, want 0 (only Information findings)", code)
	}
	path := filepath.Join(root, "examples/taskflow/specs/001-task-sharing/spec.md")
	want := path + `:25:15: information: Integration point: Better Auth → FastAPI — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one) [integration-point]`
	if !strings.Contains(out, want+"\n") {
		t.Fatalf("output lacks\n%s\ngot:\n%s", want, out)
	}
	// --fail-on information makes the same findings fail the run.
	if code, _, _ := run(t, "check", "--fail-on", "information", path); code != ExitFindings {
		t.Fatalf("--fail-on information: exit %d, want 1", code)
	}
}

func TestCheckJSONContract(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.md")
	if err := os.WriteFile(p, []byte("- 😀 Better Auth issues a JWT that FastAPI verifies.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	// No constitution here: the notice is turned off so that the contract
	// shows one finding.
	if err := os.WriteFile(filepath.Join(dir, ".ipf.toml"), []byte("no_constitution_notice = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(t, "check", "--format", "json", dir)
	if code != ExitOK {
		t.Fatalf("exit %d", code)
	}
	want := `{
  "version": 1,
  "files": [
    {
      "path": "` + p + `",
      "diagnostics": [
        {
          "range": {
            "start": {
              "line": 0,
              "character": 5
            },
            "end": {
              "line": 0,
              "character": 42
            }
          },
          "severity": "information",
          "code": "integration-point",
          "source": "ipf",
          "message": "Integration point: Better Auth → FastAPI — 3 patterns available, best match: \"JWT bearer verified with JWKS\" (quick fix inserts one)",
          "integration": {
            "from": "better-auth",
            "to": "fastapi",
            "patterns": [
              "better-auth-fastapi/jwt-bearer-verified-with-jwks",
              "better-auth-fastapi/session-forwarding-to-get-session",
              "better-auth-fastapi/bearer-plugin-session-token-not-a-jwt"
            ],
            "documented": false
          }
        }
      ]
    }
  ]
}
`
	if out != want {
		t.Fatalf("json:\n%s", out)
	}
}

func TestCheckUsageErrors(t *testing.T) {
	tests := []struct {
		args []string
		msg  string
	}{
		{[]string{"check"}, "no PATH given"},
		{[]string{"check", "/nonexistent/spec.md"}, "/nonexistent/spec.md"},
		{[]string{"check", "--format", "xml", "."}, "--format must be text, json or github"},
		{[]string{"check", "--fail-on", "fatal", "."}, "--fail-on must be"},
		{[]string{"frobnicate"}, `unknown command "frobnicate"`},
		{[]string{"check", ".", "--nope"}, "flag provided but not defined: -nope"},
		{[]string{"check", ".", "--fail-on"}, "flag needs an argument: -fail-on"},
		{[]string{"patterns", "bogus"}, `unexpected argument "bogus"`},
	}
	for _, tt := range tests {
		code, _, errOut := run(t, tt.args...)
		if code != ExitUsage || !strings.Contains(errOut, tt.msg) {
			t.Errorf("%v: exit %d, stderr %q; want 2 and %q", tt.args, code, errOut, tt.msg)
		}
	}
	// Help is output asked for: stdout, as `ipf-lsp help` writes it. Its
	// flags are written with two dashes, as the usage line and the README
	// write them (flag.PrintDefaults wrote "-config string").
	for _, tc := range []struct{ cmd, flags string }{
		{"check", "\nFlags:\n" +
			"  --config FILE       configuration FILE to use instead of the nearest .ipf.toml above each file\n" +
			"  --fail-on SEVERITY  exit 1 when a finding is at or above this SEVERITY: error, warning, information, hint or none (default warning)\n" +
			"  --format FORMAT     output FORMAT: text, json, or github (GitHub Actions annotations) (default text)\n"},
		{"find", "\nFlags:\n  --constitution FILE  constitution FILE whose tech stack applies to every document (default: each document's nearest constitution)\n"},
		{"patterns", "\nFlags:\n  --format FORMAT  output FORMAT: text or json (default text)\n"},
	} {
		code, out, errOut := run(t, tc.cmd, "--help")
		if code != ExitOK || !strings.HasPrefix(out, "Usage: ipf-lsp "+tc.cmd) || !strings.HasSuffix(out, tc.flags) || errOut != "" {
			t.Errorf("%s --help: exit %d, stdout %q, stderr %q; want it to end with %q", tc.cmd, code, out, errOut, tc.flags)
		}
	}
	for _, h := range []string{"--help", "-h", "help"} {
		if code, out, _ := run(t, h); code != ExitOK || !strings.HasPrefix(out, "ipf-lsp — integration points") || !strings.Contains(out, "ipf-lsp check [flags] PATH...") {
			t.Errorf("%s: exit %d, output %q", h, code, out)
		}
	}
	if code, out, _ := run(t, "version"); code != ExitOK || out != "ipf-lsp "+Version+"\n" {
		t.Errorf("version: %d %q", code, out)
	}
}

// TestCheckCorpus runs check over every real document: no usage/I-O exit,
// no panic, and the core-stack documents yield the three core points.
func TestCheckCorpus(t *testing.T) {
	corpus := testenv.CorpusDir(t)
	code, out, errOut := run(t, "check", "--format", "json", "--fail-on", "none", corpus)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var rep Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if len(rep.Files) < 48 {
		t.Fatalf("%d files analysed, want ≥ 48", len(rep.Files))
	}
	found := map[string]bool{}
	for _, f := range rep.Files {
		for _, d := range f.Diagnostics {
			if d.Integration != nil {
				found[d.Integration.From+"→"+d.Integration.To] = true
			}
		}
	}
	for _, pair := range []string{"better-auth→fastapi", "nextjs→better-auth", "fastapi→sqlmodel"} {
		if !found[pair] {
			t.Errorf("no %s point anywhere in the corpus", pair)
		}
	}
}

// TestCheckSkipsUnreadable: a FIFO and an unreadable file are reported,
// the readable files are still analysed, and the exit code is 2.
func TestCheckSkipsUnreadable(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.md")
	if err := os.WriteFile(good, []byte("Better Auth issues a JWT that FastAPI verifies.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(dir, "pipe.md"), 0o644); err != nil {
		t.Skipf("mkfifo: %v", err)
	}
	code, out, errOut := run(t, "check", "--fail-on", "none", dir)
	if code != ExitUsage {
		t.Fatalf("exit %d, want 2", code)
	}
	if !strings.Contains(errOut, "pipe.md: not a regular file") {
		t.Errorf("stderr %q lacks the FIFO", errOut)
	}
	if !strings.Contains(out, good+":1:1: information: Integration point: Better Auth → FastAPI") {
		t.Errorf("readable file not analysed: %q", out)
	}
}

// A symbolic link named *.md that cannot be followed is reported with why
// (it used to read "not a regular file", as for a FIFO), and the run ends
// with exit 2 after the readable files.
func TestCheckSkipsBrokenLinks(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.md")
	if err := os.WriteFile(good, []byte("Better Auth issues a JWT that FastAPI verifies.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for name, target := range map[string]string{"dangling.md": "missing.md", "loop.md": "loop.md"} {
		if err := os.Symlink(target, filepath.Join(dir, name)); err != nil {
			t.Skipf("symlink: %v", err)
		}
	}
	code, out, errOut := run(t, "check", "--fail-on", "none", dir)
	want := "ipf-lsp check: " + filepath.Join(dir, "dangling.md") + ": no such file or directory\n" +
		"ipf-lsp check: " + filepath.Join(dir, "loop.md") + ": too many levels of symbolic links\n"
	if code != ExitUsage || errOut != want {
		t.Fatalf("exit %d, stderr:\n%s\nwant exit 2 and:\n%s", code, errOut, want)
	}
	if !strings.Contains(out, good+":1:1: information: Integration point: Better Auth → FastAPI") {
		t.Errorf("readable file not analysed: %q", out)
	}
}

// TestCheckFolderFindsProjectConstitution: checking a sub-folder of a
// project uses the project's constitution, as checking a file does.
func TestCheckFolderFindsProjectConstitution(t *testing.T) {
	proj := t.TempDir()
	for p, text := range map[string]string{
		".specify/memory/constitution.md": "# C\n\n## Stack\n\n- **Authentication**: Better Auth\n- **Backend**: FastAPI\n",
		"specs/001-x/spec.md":             "# S\n\n- **FR-001**: The system MUST reject requests without a valid token.\n",
	} {
		full := filepath.Join(proj, p)
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	_, byFolder, _ := run(t, "check", "--fail-on", "none", filepath.Join(proj, "specs"))
	_, byFile, _ := run(t, "check", "--fail-on", "none", filepath.Join(proj, "specs/001-x/spec.md"))
	if byFolder != byFile || !strings.Contains(byFolder, "(implied by FR-001 with the constitution's stack: Better Auth, FastAPI)") {
		t.Fatalf("by folder:\n%s\nby file:\n%s", byFolder, byFile)
	}
}

// TestServeMaxMessageSize: --max-message-size bounds what the server reads;
// a request above it is answered with its id and not read.
func TestServeMaxMessageSize(t *testing.T) {
	frame := func(body string) string { return "Content-Length: " + strconv.Itoa(len(body)) + "\r\n\r\n" + body }
	big := `{"jsonrpc":"2.0","id":5,"method":"initialize","params":{"pad":"` + strings.Repeat("x", 2000) + `"}}`
	in := frame(big) + frame(`{"jsonrpc":"2.0","method":"exit"}`)
	var out, errb bytes.Buffer
	code := Run(context.Background(), []string{"serve", "--max-message-size", "1K"}, strings.NewReader(in), &out, &errb)
	want := frame(`{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"initialize: message of 2066 bytes exceeds the limit of 1024 bytes (ipf-lsp serve --max-message-size): not read"}}`)
	if code != 1 || out.String() != want {
		t.Fatalf("exit %d, output %q\nwant exit 1, %q", code, out.String(), want)
	}
	for _, bad := range [][]string{{"serve", "--max-message-size"}, {"serve", "--max-message-size=0"}, {"serve", "--max-message-size", "lots"}} {
		if code, _, errOut := run(t, bad...); code != ExitUsage || !strings.Contains(errOut, "--max-message-size") {
			t.Errorf("%v: exit %d, stderr %q", bad, code, errOut)
		}
	}
	if code, out, _ := run(t, "serve", "--help"); code != ExitOK || !strings.Contains(out, "--max-message-size BYTES") {
		t.Errorf("serve --help: %d %q", code, out)
	}
}

// TestCheckAllParallelMatchesSequential: checking the corpus on several
// goroutines with a frozen workspace gives, file for file, the reports of
// checking it on one goroutine with a workspace that looks at the disk
// every time.
func TestCheckAllParallelMatchesSequential(t *testing.T) {
	corpus := testenv.CorpusDir(t)
	files, skipped, _ := collect([]string{corpus})
	if len(skipped) > 0 {
		t.Fatalf("collect: %v", skipped)
	}
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	var emitted []string
	reports := func(n int, freeze bool) []FileReport {
		cfgs, err := newCheckConfigs(env, "")
		if err != nil {
			t.Fatal(err)
		}
		ws, err := checkWorkspace([]string{corpus}, files, cfgs)
		if err != nil {
			t.Fatal(err)
		}
		if freeze {
			ws.ws.Freeze()
		}
		var jobs []checkJob
		for _, p := range files {
			src, err := os.ReadFile(p)
			if err != nil {
				t.Fatal(err)
			}
			jobs = append(jobs, checkJob{path: p, env: cfgs.forFile(p, ws.root(p)).env, src: src})
		}
		emitted = emitted[:0]
		emit := func(j *checkJob) {
			if len(j.out.Diagnostics) == 0 && j.out.Path == "" {
				t.Errorf("%s emitted before it was checked", j.path)
			}
			emitted = append(emitted, j.path)
		}
		if !checkAll(context.Background(), ws, jobs, n, emit) {
			t.Fatal("checkAll stopped")
		}
		out := make([]FileReport, len(jobs))
		for i := range jobs {
			out[i] = jobs[i].out
		}
		return out
	}
	want := reports(1, false)
	got := reports(4, true)
	if !reflect.DeepEqual(emitted, files) {
		t.Fatalf("emitted in the order %v, want the files' order %v", emitted, files)
	}
	if len(got) != len(want) || len(want) < 48 {
		t.Fatalf("%d reports, want %d (≥ 48)", len(got), len(want))
	}
	n := 0
	for i := range want {
		if got[i].Path != want[i].Path {
			t.Fatalf("report %d is %s, want %s", i, got[i].Path, want[i].Path)
		}
		if !reflect.DeepEqual(got[i], want[i]) {
			t.Errorf("%s: parallel check differs from sequential:\n got %d diagnostics\nwant %d", want[i].Path, len(got[i].Diagnostics), len(want[i].Diagnostics))
		}
		n += len(want[i].Diagnostics)
	}
	if n == 0 {
		t.Fatal("no diagnostics at all: nothing was compared")
	}
}

// TestCheckFlagsAnywhere: flags after or between the paths mean what they
// mean before them, and "--" ends the flags for a path that starts with
// "-".
func TestCheckFlagsAnywhere(t *testing.T) {
	ex := filepath.Join(testenv.RepoRoot(t), "examples", "taskflow")
	_, want, _ := run(t, "check", "--format", "json", "--fail-on", "none", ex)
	if !strings.Contains(want, `"integration-point"`) {
		t.Fatalf("no findings to compare: %s", want)
	}
	for _, args := range [][]string{
		{"check", ex, "--format", "json", "--fail-on", "none"},
		{"check", "--format", "json", ex, "--fail-on=none"},
	} {
		code, out, errOut := run(t, args...)
		if code != ExitOK || out != want {
			t.Errorf("%v: exit %d, stderr %q, output differs from flags first", args[1:], code, errOut)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "-dash.md"), []byte("Better Auth issues a JWT that FastAPI verifies.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	code, out, errOut := run(t, "check", "--fail-on", "none", "--", "-dash.md")
	want1 := "-dash.md:1:1: information: Integration point: Better Auth → FastAPI"
	if code != ExitOK || !strings.HasPrefix(out, want1) {
		t.Errorf("check -- -dash.md: exit %d, stdout %q, stderr %q; want a line starting %q", code, out, errOut, want1)
	}
}

// TestCheckEmptyFolder: a folder without Markdown files is no error, but
// check says so on stderr and prints nothing else.
func TestCheckEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("FastAPI"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "check", dir)
	if want := "ipf-lsp check: no Markdown (*.md) files in " + dir + "\n"; code != ExitOK || out != "" || errOut != want {
		t.Errorf("exit %d, stdout %q, stderr %q; want 0, nothing, %q", code, out, errOut, want)
	}
}

// TestCheckSkipsBinary: a file named .md that holds a NUL byte is not
// analysed; check says so, analyses the rest, and exits 2 as for an
// unreadable file.
func TestCheckSkipsBinary(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"good.md": "Better Auth issues a JWT that FastAPI verifies.\n",
		"blob.md": "\x7fELF\x02\x01\x01\x00\x00FastAPI and Better Auth",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := run(t, "check", "--fail-on", "none", dir)
	if want := "ipf-lsp check: " + filepath.Join(dir, "blob.md") + ": not a text file (it holds a NUL byte): skipped\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	if code != ExitUsage || strings.Contains(out, "blob.md") || !strings.Contains(out, "good.md:1:1: information: Integration point: Better Auth → FastAPI") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
}

// A UTF-8 byte order mark is not a column in an editor (VS Code and Neovim
// drop it from the text they show and send), so check counts line 1's
// columns after it, in text and in JSON ranges.
func TestCheckBOMColumns(t *testing.T) {
	const msg = `information: Integration point: Better Auth → FastAPI — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one) [integration-point]`
	tests := []struct {
		name, src string
		text      string // the line after "path:"
		start     Position
		end       Position
	}{
		{"no bom", "Our API: Better Auth issues a JWT that FastAPI verifies.\n", "1:10: " + msg, Position{0, 9}, Position{0, 46}},
		{"bom", "\uFEFFOur API: Better Auth issues a JWT that FastAPI verifies.\n", "1:10: " + msg, Position{0, 9}, Position{0, 46}},
		{"bom crlf", "\uFEFFOur API: Better Auth issues a JWT that FastAPI verifies.\r\n", "1:10: " + msg, Position{0, 9}, Position{0, 46}},
		{"bom, second line", "\uFEFF# T\r\n\r\nOur API: Better Auth issues a JWT that FastAPI verifies.\r\n", "3:10: " + msg, Position{2, 9}, Position{2, 46}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dir := t.TempDir()
			p := filepath.Join(dir, "a.md")
			if err := os.WriteFile(p, []byte(tt.src), 0o644); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(filepath.Join(dir, ".ipf.toml"), []byte("no_constitution_notice = false\n"), 0o644); err != nil {
				t.Fatal(err)
			}
			_, out, errOut := run(t, "check", p)
			if want := p + ":" + tt.text + "\n"; out != want {
				t.Errorf("text:\n%s\nwant:\n%s%s", out, want, errOut)
			}
			_, out, _ = run(t, "check", "--format", "json", p)
			var rep Report
			if err := json.Unmarshal([]byte(out), &rep); err != nil {
				t.Fatal(err)
			}
			if len(rep.Files) != 1 || len(rep.Files[0].Diagnostics) != 1 {
				t.Fatalf("json: %s", out)
			}
			if r := rep.Files[0].Diagnostics[0].Range; r.Start != tt.start || r.End != tt.end {
				t.Errorf("json range %v-%v, want %v-%v", r.Start, r.End, tt.start, tt.end)
			}
		})
	}
}

// A file saved with a byte order mark whose first line opens a code fence:
// the code is code, as without the mark (it was read as prose, and the
// pair it names reported).
func TestCheckBOMFirstLineFence(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"a.md":      "\uFEFF```ts\nconst note = \"Next.js calls FastAPI\";\n```\n",
		".ipf.toml": "no_constitution_notice = false\n",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := run(t, "check", filepath.Join(dir, "a.md"))
	if code != ExitOK || out != "" {
		t.Errorf("exit %d, output %q (stderr %q), want 0 and nothing", code, out, errOut)
	}
}

// A path that cannot be looked at is named once, with the reason (it was
// "x.md: stat x.md: no such file or directory").
func TestCheckMissingPathNamedOnce(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "a.md")
	if err := os.WriteFile(file, []byte("# A\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		path, stderr string
	}{
		{filepath.Join(dir, "nonexist.md"), "ipf-lsp check: " + filepath.Join(dir, "nonexist.md") + ": no such file or directory\n"},
		{filepath.Join(dir, "gone") + "/", "ipf-lsp check: " + filepath.Join(dir, "gone") + "/: no such file or directory\n"},
		{file + "/spec.md", "ipf-lsp check: " + file + "/spec.md: not a directory\n"},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, "check", tt.path)
		if code != ExitUsage || out != "" || errOut != tt.stderr {
			t.Errorf("%s: exit %d, stdout %q, stderr %q; want 2, nothing, %q", tt.path, code, out, errOut, tt.stderr)
		}
	}
}

// A path that does not exist does not stop check: it is named on stderr,
// every other file is checked and reported as usual (text and JSON), and
// the run ends with exit 2, above the 1 the findings would give, as for a
// file skipped because it holds a NUL byte. It used to print only the
// missing path's error and exit 2, reporting nothing.
func TestCheckReportsAroundMissingPath(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"a/spec.md":  "Better Auth issues a JWT that FastAPI verifies.\n",
		"a/plan.md":  "# Plan\n\nBetter Auth issues a JWT that FastAPI verifies.\n",
		".ipf.toml":  "no_constitution_notice = false\n",
		"b/notes.md": "Better Auth issues a JWT that FastAPI verifies.\n",
	} {
		if err := os.MkdirAll(filepath.Join(dir, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Chdir(dir)
	const msg = `information: Integration point: Better Auth → FastAPI — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one) [integration-point]`
	spec := "a/spec.md:1:1: " + msg + "\n"
	plan := "a/plan.md:3:1: " + msg + "\n"
	notes := "b/notes.md:1:1: " + msg + "\n"
	missing := func(p string) string { return "ipf-lsp check: " + p + ": no such file or directory\n" }
	tests := []struct {
		name   string
		paths  []string
		stdout string
		stderr string
	}{
		{"missing file first", []string{"nonexist.md", "a/spec.md", "a/plan.md"}, plan + spec, missing("nonexist.md")},
		{"missing file between", []string{"a/spec.md", "nonexist.md", "a/plan.md"}, plan + spec, missing("nonexist.md")},
		{"missing file last", []string{"a/spec.md", "a/plan.md", "nonexist.md"}, plan + spec, missing("nonexist.md")},
		{"missing folder", []string{"a", "gone/", "b"}, plan + spec + notes, missing("gone/")},
		{"two missing", []string{"x.md", "a", "gone", "b/notes.md"}, plan + spec + notes, missing("x.md") + missing("gone")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			// --fail-on information: the findings alone would exit 1.
			args := append([]string{"check", "--fail-on", "information", "--"}, tt.paths...)
			code, out, errOut := run(t, args...)
			if code != ExitUsage || out != tt.stdout || errOut != tt.stderr {
				t.Errorf("text: exit %d, stdout:\n%s\nstderr:\n%s\nwant exit 2, stdout:\n%s\nstderr:\n%s", code, out, errOut, tt.stdout, tt.stderr)
			}
			// JSON: the report of the paths that exist, exactly as when
			// only they are given, and the same stderr.
			var good []string
			for _, p := range tt.paths {
				if _, err := os.Stat(p); err == nil {
					good = append(good, p)
				}
			}
			_, want, _ := run(t, append([]string{"check", "--format", "json", "--fail-on", "information", "--"}, good...)...)
			code, out, errOut = run(t, append([]string{"check", "--format", "json", "--fail-on", "information", "--"}, tt.paths...)...)
			var rep Report
			if err := json.Unmarshal([]byte(out), &rep); err != nil || len(rep.Files) != strings.Count(tt.stdout, "\n") {
				t.Fatalf("json: %v, %d files in\n%s", err, len(rep.Files), out)
			}
			if code != ExitUsage || out != want || errOut != tt.stderr {
				t.Errorf("json: exit %d, stderr %q, stdout:\n%s\nwant exit 2, stderr %q, stdout:\n%s", code, errOut, out, tt.stderr, want)
			}
		})
	}
}

// --help or -h after any subcommand prints that subcommand's usage on
// stdout and exits 0, and `ipf-lsp --version` (-version, -v) prints the
// version. `patterns show --help` looked for a pattern "--help", `version
// --help` printed the version, and `--version` was taken for a flag of
// serve ("ipf-lsp serve: unknown flag").
func TestSubcommandHelpAndVersionFlag(t *testing.T) {
	const showUsage = "Usage: ipf-lsp patterns show ID\n\n" +
		"Prints one pattern of the built-in library in the integration-pattern format\n" +
		"(references/FORMAT.md); 'ipf-lsp patterns' lists the ids.\n"
	const versionUsage = "Usage: ipf-lsp version (or ipf-lsp --version)\n\nPrints the version.\n"
	version := "ipf-lsp " + Version + "\n"
	tests := []struct {
		args   []string
		stdout string // exact, or the start when prefix is set
		prefix bool
	}{
		{[]string{"patterns", "show", "--help"}, showUsage, false},
		{[]string{"patterns", "show", "-h"}, showUsage, false},
		{[]string{"patterns", "show", "nextjs-better-auth/x", "--help"}, showUsage, false},
		{[]string{"version", "--help"}, versionUsage, false},
		{[]string{"version", "-h"}, versionUsage, false},
		{[]string{"--version"}, version, false},
		{[]string{"-version"}, version, false},
		{[]string{"-v"}, version, false},
		{[]string{"version"}, version, false},
		{[]string{"serve", "--help"}, "Usage: ipf-lsp [serve]", true},
		{[]string{"check", "-h"}, "Usage: ipf-lsp check", true},
		{[]string{"find", "-h"}, "Usage: ipf-lsp find", true},
		{[]string{"patterns", "-h"}, "Usage: ipf-lsp patterns", true},
		{[]string{"help", "--help"}, "ipf-lsp — integration points", true},
	}
	for _, tt := range tests {
		code, out, errOut := run(t, tt.args...)
		ok := out == tt.stdout || tt.prefix && strings.HasPrefix(out, tt.stdout)
		if code != ExitOK || !ok || errOut != "" {
			t.Errorf("%v: exit %d, stdout %q, stderr %q; want 0 and stdout %q", tt.args, code, out, errOut, tt.stdout)
		}
	}
}

// check --help says what exit 2 covers: a missing path or a skipped file
// too, not only a usage or I/O error, and that the other files are still
// reported.
func TestCheckHelpExitStatus(t *testing.T) {
	const want = "Exit status: 0 nothing at or above --fail-on, 1 something is, 2 usage or I/O error,\n" +
		"also when a path is missing or a file is skipped (unreadable, or not text: a NUL\n" +
		"byte); the other files are still checked and reported.\n\nFlags:\n"
	code, out, errOut := run(t, "check", "--help")
	if code != ExitOK || errOut != "" || !strings.Contains(out, "as annotations on the pull request. Flags may also follow the paths.\n"+want) {
		t.Errorf("exit %d, stderr %q, stdout:\n%s\nwant exit 0 and, after the text lines' description:\n%s", code, errOut, out, want)
	}
}

// A file that cannot be read is named once, with the reason, by check and
// by find. Running as root, a permission error cannot be had; reading
// /proc/self/mem from its start fails with an I/O error for anyone.
func TestUnreadableFileNamedOnce(t *testing.T) {
	if _, err := os.Stat("/proc/self/mem"); err != nil {
		t.Skip("no /proc/self/mem on this system")
	}
	dir := t.TempDir()
	link := filepath.Join(dir, "x.md")
	if err := os.Symlink("/proc/self/mem", link); err != nil {
		t.Fatal(err)
	}
	for _, cmd := range []string{"check", "find"} {
		code, _, errOut := run(t, cmd, dir)
		if want := "ipf-lsp " + cmd + ": " + link + ": input/output error\n"; code != ExitUsage || errOut != want {
			t.Errorf("%s: exit %d, stderr %q, want %q", cmd, code, errOut, want)
		}
	}
}

// TestCheckGitHubFormat: --format github writes one workflow command per
// finding, as the GitHub Actions runner reads them: the level by severity,
// 1-based lines and columns, the code as title, and the toolkit's escapes
// (% CR LF in the message; also : and , in properties).
func TestCheckGitHubFormat(t *testing.T) {
	var b strings.Builder
	printGitHub(&b, FileReport{Path: "specs/a,b:c.md", Diagnostics: []Diagnostic{
		{Range: Range{Position{0, 9}, Position{0, 46}}, Severity: "information", Code: "integration-point", Message: "Integration point: A → B"},
		{Range: Range{Position{2, 0}, Position{3, 4}}, Severity: "warning", Code: "hardcoded-secret", Message: "100% a secret\r\nsecond line"},
		{Range: Range{Position{4, 0}, Position{4, 1}}, Severity: "error", Code: "config", Message: "bad"},
		{Range: Range{Position{5, 0}, Position{5, 1}}, Severity: "hint", Code: "off-stack", Message: "x"},
	}})
	want := "::notice file=specs/a%2Cb%3Ac.md,line=1,endLine=1,col=10,endColumn=47,title=ipf integration-point::Integration point: A → B\n" +
		"::warning file=specs/a%2Cb%3Ac.md,line=3,endLine=4,col=1,endColumn=5,title=ipf hardcoded-secret::100%25 a secret%0D%0Asecond line\n" +
		"::error file=specs/a%2Cb%3Ac.md,line=5,endLine=5,col=1,endColumn=2,title=ipf config::bad\n" +
		"::notice file=specs/a%2Cb%3Ac.md,line=6,endLine=6,col=1,endColumn=2,title=ipf off-stack::x\n"
	if b.String() != want {
		t.Errorf("got\n%s\nwant\n%s", b.String(), want)
	}

	// The command: the same findings as the text format, the same exit.
	dir := t.TempDir()
	p := filepath.Join(dir, "a.md")
	if err := os.WriteFile(p, []byte("Our API: Better Auth issues a JWT that FastAPI verifies.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".ipf.toml"), []byte("no_constitution_notice = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := run(t, "check", "--format", "github", "--fail-on", "information", p)
	wantOut := "::notice file=" + filepath.ToSlash(p) + ",line=1,endLine=1,col=10,endColumn=47,title=ipf integration-point::" +
		`Integration point: Better Auth → FastAPI — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one)` + "\n"
	if code != ExitFindings || out != wantOut {
		t.Errorf("exit %d, output\n%s\nwant exit %d and\n%s(stderr %q)", code, out, ExitFindings, wantOut, errOut)
	}
}

// A folder given as a symbolic link to a folder (specs -> ../shared/specs)
// is checked as the folder it points to, as a shell's ls lists it, with the
// files named under the link; check used to say "no Markdown (*.md) files"
// and exit 0, and find to write "No integration points found.", because
// filepath.WalkDir does not follow a link at its root.
func TestCheckSymlinkedFolder(t *testing.T) {
	dir := t.TempDir()
	real := filepath.Join(dir, "real")
	if err := os.Mkdir(real, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(real, "spec.md"), []byte("Better Auth issues a JWT that FastAPI verifies.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink("real", link); err != nil {
		t.Skipf("symlink: %v", err)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"check", "--fail-on", "none", link}, filepath.Join(link, "spec.md") + ":1:1: information: Integration point: Better Auth → FastAPI"},
		{[]string{"find", link}, "## Integration: Better Auth → FastAPI"},
	} {
		code, out, errOut := run(t, tc.args...)
		if code != ExitOK || errOut != "" || !strings.Contains(out, tc.want) {
			t.Errorf("%v: exit %d, stderr %q, stdout:\n%s\nwant exit 0, no stderr, and %q", tc.args, code, errOut, out, tc.want)
		}
	}
}

// A file named twice on the command line, or inside a folder also named,
// is checked and reported once.
func TestCheckFileNamedTwice(t *testing.T) {
	dir := t.TempDir()
	spec := filepath.Join(dir, "specs", "a.md")
	if err := os.MkdirAll(filepath.Dir(spec), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(spec, []byte("Better Auth issues a JWT that FastAPI verifies.\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, args := range [][]string{
		{"specs/a.md", "specs/a.md"},
		{"specs/a.md", "./specs/a.md"},
		{"specs", "specs/a.md"},
	} {
		code, out, _ := run(t, append([]string{"check", "--fail-on", "none", "--format", "json"}, args...)...)
		var rep Report
		if err := json.Unmarshal([]byte(out), &rep); err != nil || code != ExitOK {
			t.Fatalf("%q: exit %d, %v\n%s", args, code, err, out)
		}
		if len(rep.Files) != 1 {
			t.Errorf("%q: %d file reports, want 1", args, len(rep.Files))
		}
	}
}

// A file name with a line break is written quoted in the text format, so
// that each finding stays one path:line:col line; it split the line in two.
func TestCheckTextQuotesControlCharacters(t *testing.T) {
	dir := t.TempDir()
	name := filepath.Join(dir, "a\nb.md")
	if err := os.WriteFile(name, []byte("Better Auth issues a JWT that FastAPI verifies.\n"), 0o644); err != nil {
		t.Skipf("file name with a line break: %v", err)
	}
	if err := os.WriteFile(filepath.Join(dir, ".ipf.toml"), []byte("no_constitution_notice = false\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, _ := run(t, "check", "--fail-on", "none", name)
	want := strconv.Quote(name) + `:1:1: information: Integration point: Better Auth → FastAPI — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one) [integration-point]` + "\n"
	if code != ExitOK || out != want {
		t.Errorf("exit %d, output:\n%s\nwant:\n%s", code, out, want)
	}
}
