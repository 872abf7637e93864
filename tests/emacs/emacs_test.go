// Package emacstest drives ipf-lsp through Emacs's eglot in batch mode with
// the configuration documented in editors/README.md (editors-config.el),
// on a real corpus spec: the diagnostics flymake holds and the hover.
//
// Debian bookworm has Emacs 28 and eglot 1.9 as the package elpa-eglot
// (eglot is built into Emacs only from 29). In CI (CI=true) a missing emacs
// or eglot fails the test; elsewhere it skips with a message.
package emacstest

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

const specSrc = "Muhammad-Azan-1__Speckit-5-phase-hackhtone/Phase2/specs/features/004-better-auth-integration/spec.md"

type pos struct {
	Line int `json:"line"`
	Col  int `json:"col"`
}

type diag struct {
	Start pos    `json:"start"`
	End   pos    `json:"end"`
	Type  string `json:"type"`
	Text  string `json:"text"`
}

func TestEglot(t *testing.T) {
	emacs, err := exec.LookPath("emacs")
	testenv.Require(t, err == nil, "emacs (Debian packages emacs-nox elpa-eglot)")
	eglot, _ := filepath.Glob("/usr/share/emacs/site-lisp/elpa/eglot-*")
	testenv.Require(t, len(eglot) > 0, "eglot (Debian package elpa-eglot)")
	corpus := testenv.CorpusDir(t)
	root := testenv.RepoRoot(t)

	bin := t.TempDir()
	build := exec.Command("go", "build", "-o", filepath.Join(bin, "ipf-lsp"), "./cmd/ipf-lsp")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	ws := t.TempDir()
	doc := filepath.Join("specs", "004-better-auth-integration", "spec.md")
	src, err := os.ReadFile(filepath.Join(corpus, specSrc))
	if err != nil {
		t.Fatal(err)
	}
	// eglot's workspace is project.el's project: the Git repository.
	if out, err := exec.Command("git", "init", "-q", ws).CombinedOutput(); err != nil {
		t.Fatalf("git init: %v\n%s", err, out)
	}
	if err := os.MkdirAll(filepath.Join(ws, ".specify"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.MkdirAll(filepath.Join(ws, filepath.Dir(doc)), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(ws, doc), src, 0o644); err != nil {
		t.Fatal(err)
	}
	want := checkDiags(t, filepath.Join(bin, "ipf-lsp"), ws, doc, string(src))

	result := filepath.Join(t.TempDir(), "result.json")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	// --batch without -Q: Debian's site-start activates elpa-eglot, as for a user.
	cmd := exec.CommandContext(ctx, emacs, "--batch",
		"-l", filepath.Join(root, "tests", "emacs", "editors-config.el"),
		"-l", filepath.Join(root, "tests", "emacs", "eglot-session.el"),
		doc)
	cmd.Dir = ws
	cmd.Env = append(os.Environ(), "PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"HOME="+t.TempDir(), "IPF_RESULT="+result, "IPF_HOVER=10:2")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("emacs --batch with eglot took %v", time.Since(start).Round(time.Millisecond))
	b, rerr := os.ReadFile(result)
	if err != nil || rerr != nil {
		t.Fatalf("emacs: %v (result: %v)\n%s", err, rerr, out)
	}
	var s struct {
		Emacs       string `json:"emacs"`
		Error       string `json:"error"`
		Diagnostics []diag `json:"diagnostics"`
		Hover       string `json:"hover"`
	}
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("result: %v\n%s", err, b)
	}
	if s.Error != "" {
		t.Fatalf("eglot-session.el: %s\n%s", s.Error, out)
	}
	t.Logf("Emacs %s, eglot %s", s.Emacs, filepath.Base(eglot[0]))

	// Flymake's diagnostics: what check reports, as eglot renders them.
	if !reflect.DeepEqual(s.Diagnostics, want) {
		t.Errorf("flymake holds %d diagnostics, check reports %d:\n got %+v\nwant %+v", len(s.Diagnostics), len(want), s.Diagnostics, want)
	}
	lit := diag{Start: pos{10, 1}, End: pos{10, 23}, Type: "eglot-note",
		Text: `ipf [integration-point]: Integration point: Better Auth → FastAPI — 3 patterns available, best match: "JWT bearer verified with JWKS" (quick fix inserts one)`}
	found := false
	for _, d := range s.Diagnostics {
		found = found || d == lit
	}
	if !found {
		t.Errorf("flymake does not hold %+v", lit)
	}

	// Hover: eglot 1.9 without the markdown-mode package asks for plain text,
	// so this is the server's plain-text rendering.
	const head = "Better Auth → FastAPI · pattern: JWT bearer verified with JWKS\n\nUse Case: When Better Auth runs in the frontend app (for example Next.js) and a separate FastAPI service must know which user is calling it"
	if !strings.HasPrefix(s.Hover, head) {
		t.Errorf("hover starts %q, want %q", s.Hover[:min(len(s.Hover), len(head))], head)
	}
	if strings.Contains(s.Hover, "**") {
		t.Errorf("plain-text hover contains Markdown emphasis")
	}
}

// checkDiags: `ipf-lsp check --format json` for doc, as eglot shows it
// (0-based line, byte column, "ipf [code]: message").
func checkDiags(t *testing.T, bin, ws, doc, text string) []diag {
	t.Helper()
	cmd := exec.Command(bin, "check", "--format", "json", "--fail-on", "none", doc)
	cmd.Dir = ws
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("check: %v", err)
	}
	var rep struct {
		Files []struct {
			Diagnostics []struct {
				Range struct {
					Start, End struct{ Line, Character int }
				}
				Severity, Code, Source, Message string
			}
		}
	}
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(text, "\n")
	col := func(line, u16 int) int {
		n := 0
		for i, r := range lines[line] {
			if n >= u16 {
				return i
			}
			n += len(utf16.Encode([]rune{r}))
		}
		return len(lines[line])
	}
	typ := map[string]string{"error": "eglot-error", "warning": "eglot-warning", "information": "eglot-note", "hint": "eglot-note"}
	var ds []diag
	for _, f := range rep.Files {
		for _, d := range f.Diagnostics {
			ds = append(ds, diag{
				Start: pos{d.Range.Start.Line, col(d.Range.Start.Line, d.Range.Start.Character)},
				End:   pos{d.Range.End.Line, col(d.Range.End.Line, d.Range.End.Character)},
				Type:  typ[d.Severity],
				Text:  d.Source + " [" + d.Code + "]: " + d.Message,
			})
		}
	}
	sort.SliceStable(ds, func(i, j int) bool {
		if ds[i].Start.Line != ds[j].Start.Line {
			return ds[i].Start.Line < ds[j].Start.Line
		}
		if ds[i].Start.Col != ds[j].Start.Col {
			return ds[i].Start.Col < ds[j].Start.Col
		}
		return ds[i].Text < ds[j].Text
	})
	return ds
}
