package cli

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestFindExample compares `find` on the example project with
// testdata/find-taskflow.golden (go test -update rewrites it).
func TestFindExample(t *testing.T) {
	for _, tc := range []struct {
		golden string
		args   []string
	}{
		{"find-taskflow.golden", []string{"find", "../../examples/taskflow"}},
		{"find-taskflow-constitution.golden", []string{"find", "--constitution", "../../examples/taskflow/.specify/memory/constitution.md", "../../examples/taskflow/specs"}},
	} {
		t.Run(tc.golden, func(t *testing.T) {
			var out, errb bytes.Buffer
			if code := Run(context.Background(), tc.args, nil, &out, &errb); code != ExitOK {
				t.Fatalf("exit %d: %s", code, errb.String())
			}
			golden := filepath.Join("testdata", tc.golden)
			if *update {
				if err := os.WriteFile(golden, out.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if out.String() != string(want) {
				t.Errorf("find output differs from %s (go test ./internal/cli -run TestFindExample -args -update):\n%s", golden, out.String())
			}
			// Every section is in the seed's Output Format and lints clean.
			env, err := analysis.DefaultEnv()
			if err != nil {
				t.Fatal(err)
			}
			res := env.Analyze(&analysis.Input{Src: out.Bytes()})
			for _, f := range res.Findings {
				if f.Code == analysis.CodeIncompletePattern {
					t.Errorf("report line %d: %s", res.Lines.Line(f.Span.Start)+1, f.Message)
				}
			}
			if !strings.Contains(out.String(), "## Integration: Better Auth → FastAPI") {
				t.Errorf("no Better Auth → FastAPI section")
			}
		})
	}
}

func TestFindUsage(t *testing.T) {
	var out, errb bytes.Buffer
	if code := Run(context.Background(), []string{"find"}, nil, &out, &errb); code != ExitUsage {
		t.Errorf("find without PATH: exit %d, want %d", code, ExitUsage)
	}
	if code := Run(context.Background(), []string{"find", "--constitution", "/nonexistent/c.md", "../../examples"}, nil, &out, &errb); code != ExitUsage {
		t.Errorf("missing constitution: exit %d, want %d", code, ExitUsage)
	}
	// A missing path is named once; the others are reported, as check
	// does, and exit 2 says the report leaves something out.
	out.Reset()
	errb.Reset()
	if code := Run(context.Background(), []string{"find", "../../examples/taskflow", "/nonexistent/spec.md"}, nil, &out, &errb); code != ExitUsage || !strings.Contains(out.String(), "## Integration: Better Auth → FastAPI") || errb.String() != "ipf-lsp find: /nonexistent/spec.md: no such file or directory\n" {
		t.Errorf("missing path: exit %d, stdout %q, stderr %q", code, out.String(), errb.String())
	}
}

// A file find skips (not text: a NUL byte) is named on stderr and the
// report of the others is written, but the exit status says the report is
// incomplete, as check's does.
func TestFindSkipsBinaryExitsTwo(t *testing.T) {
	dir := t.TempDir()
	for name, text := range map[string]string{
		"good.md": "Better Auth issues a JWT that FastAPI verifies.\n",
		"blob.md": "\x7fELF\x02\x01\x01\x00\x00FastAPI and Better Auth",
	} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	code, out, errOut := run(t, "find", dir)
	if want := "ipf-lsp find: " + filepath.Join(dir, "blob.md") + ": not a text file (it holds a NUL byte): skipped\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	if code != ExitUsage || !strings.Contains(out, "## Integration: Better Auth → FastAPI") || strings.Contains(out, "blob.md") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
}

// --constitution must name a regular file. A FIFO made find wait for a
// writer forever, and /dev/zero (or a link to it) was read until memory
// ran out: the process died with "fatal error: out of memory".
func TestFindConstitutionNotRegular(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("no FIFOs or /dev/zero")
	}
	fifo := filepath.Join(t.TempDir(), "constitution.md")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Skip("mkfifo:", err)
	}
	for _, c := range []string{fifo, "/dev/zero"} {
		var out, errb bytes.Buffer
		done := make(chan int, 1)
		go func() {
			done <- Run(context.Background(), []string{"find", "--constitution", c, "../../examples/taskflow/specs"}, nil, &out, &errb)
		}()
		select {
		case code := <-done:
			want := "ipf-lsp find: reading the constitution: " + c + ": not a regular file\n"
			if code != ExitUsage || errb.String() != want {
				t.Errorf("%s: exit %d, stderr %q, want %d %q", c, code, errb.String(), ExitUsage, want)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("%s: find did not return in 5 s", c)
		}
	}
}

// find on a folder without Markdown files says so on stderr, as check does;
// it wrote "No integration points found." and nothing else.
func TestFindEmptyFolder(t *testing.T) {
	dir := t.TempDir()
	code, out, errOut := run(t, "find", dir)
	if want := "ipf-lsp find: no Markdown (*.md) files in " + dir + "\n"; errOut != want {
		t.Errorf("stderr %q, want %q", errOut, want)
	}
	if code != ExitOK || !strings.Contains(out, "No integration points found.") {
		t.Errorf("exit %d, stdout %q", code, out)
	}
}
