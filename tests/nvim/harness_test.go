package nvimtest

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf16"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// The harness: build the server once, lay out a workspace from corpus files,
// run `nvim --headless` with init.lua (the documented editors/nvim snippet)
// and session.lua, and read back what Neovim saw.

var (
	buildOnce sync.Once
	binDir    string
	buildErr  error
	buildOut  []byte
)

func TestMain(m *testing.M) {
	code := m.Run()
	if binDir != "" {
		os.RemoveAll(binDir)
	}
	os.Exit(code)
}

// server builds cmd/ipf-lsp once per test binary and returns the folder
// holding `ipf-lsp`, to be put first on PATH.
func server(t *testing.T) string {
	t.Helper()
	root := testenv.RepoRoot(t)
	buildOnce.Do(func() {
		binDir, buildErr = os.MkdirTemp("", "ipf-nvim-bin-")
		if buildErr != nil {
			return
		}
		exe := "ipf-lsp"
		if runtime.GOOS == "windows" {
			exe += ".exe"
		}
		cmd := exec.Command("go", "build", "-o", filepath.Join(binDir, exe), "./cmd/ipf-lsp")
		cmd.Dir = root
		buildOut, buildErr = cmd.CombinedOutput()
	})
	if buildErr != nil {
		t.Fatalf("go build ./cmd/ipf-lsp: %v\n%s", buildErr, buildOut)
	}
	return binDir
}

// nvim returns the nvim executable: a missing one fails the test in CI and
// skips it elsewhere.
func nvim(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("nvim")
	testenv.Require(t, err == nil, "nvim (Debian package neovim)")
	return path
}

// workspace copies corpus files (paths relative to the corpus) to the given
// paths inside a fresh temporary folder, writable, and returns that folder.
// It also creates `.specify/`, the root marker the snippet looks for.
func workspace(t *testing.T, files map[string]string) string {
	t.Helper()
	return layOut(t, testenv.CorpusDir(t), files)
}

// testdataWorkspace is workspace for files of tests/nvim/testdata (paths
// relative to it): documents written for a test rather than corpus text.
func testdataWorkspace(t *testing.T, files map[string]string) string {
	t.Helper()
	return layOut(t, "testdata", files)
}

func layOut(t *testing.T, from string, files map[string]string) string {
	t.Helper()
	ws := t.TempDir()
	if err := os.MkdirAll(filepath.Join(ws, ".specify"), 0o755); err != nil {
		t.Fatal(err)
	}
	for dst, src := range files {
		b, err := os.ReadFile(filepath.Join(from, src))
		if err != nil {
			t.Fatalf("source file: %v", err)
		}
		p := filepath.Join(ws, dst)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return ws
}

// corpusText reads one corpus file.
func corpusText(t *testing.T, src string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(testenv.CorpusDir(t), src))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// step is one entry of the plan session.lua runs.
type step map[string]any

type diag struct {
	Lnum     int    `json:"lnum"`
	Col      int    `json:"col"`
	EndLnum  int    `json:"end_lnum"`
	EndCol   int    `json:"end_col"`
	Severity int    `json:"severity"`
	Message  string `json:"message"`
	Source   string `json:"source"`
	Code     string `json:"code"`
}

type stepResult struct {
	Op          string          `json:"op"`
	Version     int             `json:"version"`
	Diagnostics []diag          `json:"diagnostics"`
	Kind        string          `json:"kind"`
	Value       any             `json:"value"`
	Offered     []string        `json:"offered"`
	Text        string          `json:"text"`
	Result      json.RawMessage `json:"result"`
	// state
	Buf         int  `json:"buf"`
	Changedtick int  `json:"changedtick"`
	Modified    bool `json:"modified"`
}

// notification is one LSP notification Neovim sent after session.lua
// started (the first document's didOpen is earlier).
type notification struct {
	Method  string `json:"method"`
	URI     string `json:"uri"`
	Version *int   `json:"version"`
}

type session struct {
	Nvim   string `json:"nvim"`
	Client struct {
		Name           string `json:"name"`
		RootDir        string `json:"root_dir"`
		OffsetEncoding string `json:"offset_encoding"`
	} `json:"client"`
	Filetype      string         `json:"filetype"`
	Steps         []stepResult   `json:"steps"`
	Notifications []notification `json:"notifications"`
	Error         string         `json:"error"`
}

// run opens doc (relative to ws) in headless Neovim, runs the steps and
// returns what Neovim saw. The whole session is bounded by one deadline.
func run(t *testing.T, ws, doc string, steps ...step) *session {
	t.Helper()
	return runWith(t, ws, sessionConfig{doc: doc}, steps...)
}

// sessionConfig is what a session opens and how Neovim logs LSP traffic.
type sessionConfig struct {
	doc    string   // on the command line: the window's buffer, steps' default
	others []string // opened with :edit once the server is up; a step's "doc" picks one
	// lspLog is the level of Neovim's lsp.log (default WARN); "DEBUG" logs
	// every message, shown when the session fails.
	lspLog string
}

func runWith(t *testing.T, ws string, cfg sessionConfig, steps ...step) *session {
	t.Helper()
	doc := cfg.doc
	nv := nvim(t)
	bin := server(t)
	root := testenv.RepoRoot(t)
	tmp := t.TempDir()
	plan, _ := json.Marshal(map[string]any{"steps": steps, "docs": cfg.others})
	planPath := filepath.Join(tmp, "plan.json")
	resultPath := filepath.Join(tmp, "result.json")
	if err := os.WriteFile(planPath, plan, 0o644); err != nil {
		t.Fatal(err)
	}
	xdg := filepath.Join(tmp, "xdg")
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, nv, "--headless", "-n", "-i", "NONE",
		"-u", filepath.Join(root, "tests", "nvim", "init.lua"),
		doc,
		"-c", "luafile "+filepath.Join(root, "tests", "nvim", "session.lua"))
	cmd.Dir = ws
	cmd.Env = append(os.Environ(),
		"PATH="+bin+string(os.PathListSeparator)+os.Getenv("PATH"),
		"IPF_REPO="+root,
		"IPF_PLAN="+planPath,
		"IPF_RESULT="+resultPath,
		"IPF_NVIM_LSP_LOG="+cfg.lspLog,
		"XDG_CONFIG_HOME="+filepath.Join(xdg, "config"),
		"XDG_DATA_HOME="+filepath.Join(xdg, "data"),
		"XDG_STATE_HOME="+filepath.Join(xdg, "state"),
		"XDG_CACHE_HOME="+filepath.Join(xdg, "cache"),
	)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.Stdin = nil
	start := time.Now()
	err := cmd.Run()
	t.Logf("nvim session (%d steps) took %v", len(steps), time.Since(start).Round(time.Millisecond))
	b, rerr := os.ReadFile(resultPath)
	if err != nil || rerr != nil {
		t.Fatalf("nvim: %v (result: %v)\noutput:\n%s\nlsp log:\n%s", err, rerr, out.String(), lspLog(xdg))
	}
	var s session
	if err := json.Unmarshal(b, &s); err != nil {
		t.Fatalf("result JSON: %v\n%s", err, b)
	}
	if s.Error != "" {
		t.Fatalf("session.lua: %s\nlsp log:\n%s", s.Error, lspLog(xdg))
	}
	if s.Client.Name != "ipf" || s.Filetype != "markdown" {
		t.Fatalf("client %q on filetype %q, want ipf on markdown", s.Client.Name, s.Filetype)
	}
	if len(s.Steps) != len(steps) {
		t.Fatalf("%d step results for %d steps", len(s.Steps), len(steps))
	}
	return &s
}

func lspLog(xdg string) string {
	var b strings.Builder
	for _, p := range []string{"state/nvim/lsp.log", "cache/nvim/lsp.log"} {
		if s, err := os.ReadFile(filepath.Join(xdg, p)); err == nil {
			b.Write(s)
		}
	}
	return b.String()
}

// show returns `ipf-lsp patterns show ID`: the pattern in the seed's Output
// Format, which is what the quick fix inserts.
func show(t *testing.T, id string) string {
	t.Helper()
	out, err := exec.Command(filepath.Join(server(t), "ipf-lsp"), "patterns", "show", id).Output()
	if err != nil {
		t.Fatalf("ipf-lsp patterns show %s: %v", id, err)
	}
	return string(out)
}

// checkDiags returns what `ipf-lsp check --format json` reports for text at
// doc (relative to ws, written there first), as Neovim would hold it:
// 0-based line, byte column, numeric severity, sorted as session.lua sorts.
func checkDiags(t *testing.T, ws, doc, text string) []diag {
	t.Helper()
	path := filepath.Join(ws, doc)
	if err := os.WriteFile(path, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(filepath.Join(server(t), "ipf-lsp"), "check", "--format", "json", "--fail-on", "none", doc)
	cmd.Dir = ws
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("ipf-lsp check: %v", err)
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
		t.Fatalf("check JSON: %v\n%s", err, out)
	}
	lines := strings.Split(text, "\n")
	byteCol := func(line, u16 int) int {
		if line >= len(lines) {
			return 0
		}
		l := strings.TrimSuffix(lines[line], "\r")
		n := 0
		for i, r := range l {
			if n >= u16 {
				return i
			}
			n += len(utf16.Encode([]rune{r}))
		}
		return len(l)
	}
	sev := map[string]int{"error": 1, "warning": 2, "information": 3, "hint": 4}
	var ds []diag
	for _, f := range rep.Files {
		for _, d := range f.Diagnostics {
			ds = append(ds, diag{
				Lnum: d.Range.Start.Line, Col: byteCol(d.Range.Start.Line, d.Range.Start.Character),
				EndLnum: d.Range.End.Line, EndCol: byteCol(d.Range.End.Line, d.Range.End.Character),
				Severity: sev[d.Severity], Message: d.Message, Source: d.Source, Code: d.Code,
			})
		}
	}
	sort.SliceStable(ds, func(i, j int) bool {
		a, b := ds[i], ds[j]
		if a.Lnum != b.Lnum {
			return a.Lnum < b.Lnum
		}
		if a.Col != b.Col {
			return a.Col < b.Col
		}
		return a.Message < b.Message
	})
	return ds
}
