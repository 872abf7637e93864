package lsp

import (
	"encoding/json"
	"flag"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

var soakEdits = flag.Int("soak.edits", 0, "edits in TestSoak (default: 5000 in CI or with -short, 100000 otherwise)")

// soakInserts are the pieces random edits insert: line endings of every
// kind, emoji (surrogate pairs in UTF-16), CJK, Markdown that opens and
// closes blocks, and technology names that make integration points.
var soakInserts = []string{
	"a", "x", " ", "é", "😀", "你好", "\n", "\r\n", "\r", "\n\n", "- ", "1. ", "# ", "## Integration: Next.js → Better Auth\n",
	"```python\n", "```\n", "~~~\n", "| a | b |\n|---|---|\n", "| FastAPI | SQLModel |\n", "> ", "---\n", "===\n",
	"Next.js with Better Auth", " FastAPI verifies the JWT ", "SQLModel on Neon.", "[e.g. Prisma or Drizzle]",
	"Alternatives considered: ", "not ", "<!-- ", " -->", "    code\n", "\uFEFF", "**", "`",
}

// TestSoak sends random incremental edits through the protocol to one
// document and checks after every didChange that the server's text is the
// client's, and every 250 edits that the published diagnostics equal a
// fresh full analysis of the client's text.
func TestSoak(t *testing.T) {
	n := *soakEdits
	if n == 0 {
		n = 100000
		if testing.Short() || testenv.InCI() {
			n = 5000
		}
	}
	text := "# Soak\r\n\r\nThe app uses Next.js with Better Auth.\n\n| a | b |\n|---|---|\n| 😀 | 你 |\n"
	soak(t, text, soakInserts, 6, n, 6000)
}

// TestSoakCorpusDocument soaks the prose-heavy reference plan of issue 6
// without lone CRs, which make every parse a full one: the incremental
// parse and the memo carry many analyses, and must still equal a full
// analysis every 250 edits.
func TestSoakCorpusDocument(t *testing.T) {
	n := *soakEdits
	if n == 0 {
		n = 20000
		if testing.Short() || testenv.InCI() {
			n = 2000
		}
	}
	src, err := os.ReadFile(filepath.Join(testenv.CorpusDir(t), "0riva__oriva-platform", "specs", "010-orivaflow-semantic-commerce", "plan.md"))
	if err != nil {
		t.Fatal(err)
	}
	var inserts []string
	for _, s := range soakInserts {
		if s != "\r" {
			inserts = append(inserts, s)
		}
	}
	analyses, reparsed := soak(t, string(src), inserts, 7, n, len(src)+2000).Stats()
	t.Logf("%d of %d analyses parsed only the changed blocks", reparsed, analyses)
	// Random inserts leave fences and HTML comments open for long runs of
	// edits, and those parse whole; typing prose does not (see
	// TestTypingParsesIncrementally). A quarter proves the path is taken.
	if reparsed*4 < analyses {
		t.Errorf("only %d of %d analyses were incremental", reparsed, analyses)
	}
}

// TestSoakLargeDocument soaks a document above spareMin, whose edits are
// built in buffers allocated ahead (spare.go): the server's text must stay
// the client's, edit after edit, as for small documents.
func TestSoakLargeDocument(t *testing.T) {
	para := "The app uses Next.js with Better Auth 😀; FastAPI verifies the JWT and stores tasks with SQLModel 你好.\r\n\n"
	text := "# Large\n\n" + strings.Repeat(para, spareMin/len(para)+100)
	soak(t, text, soakInserts, 8, 400, len(text)+2000)
}

// soak runs n random edits (pieces from inserts, the document kept near
// maxLen bytes) and returns the document's memo.
func soak(t *testing.T, text string, inserts []string, seed uint64, n, maxLen int) *analysis.Memo {
	var srv *Server
	c := newRawClientOpts(t, Options{Version: "test", onStart: func(s *Server) { srv = s }})
	c.initialize()
	const uri = "file:///ws/soak.md"
	c.open(uri, text)
	c.diagnostics(uri, 1)
	env, err := analysis.DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	r := rand.New(rand.NewPCG(seed, 2026))
	start := time.Now()
	version := 1
	for step := 1; step <= n; step++ {
		var changes []string
		for range 1 + r.IntN(3)*r.IntN(2) { // mostly one change, sometimes two or three
			m := NewMapper(text, UTF16)
			s := runeBoundary(text, r.IntN(len(text)+1))
			e := s
			switch k := r.IntN(10); {
			case k < 4: // insert
			case k < 7: // delete
				e = runeBoundary(text, s+r.IntN(min(40, len(text)-s)+1))
			default: // replace
				e = runeBoundary(text, s+r.IntN(min(12, len(text)-s)+1))
			}
			ins := inserts[r.IntN(len(inserts))]
			if k := r.IntN(4); len(text) > maxLen && k > 0 {
				ins = "" // keep the document near maxLen
			} else if e-s > 0 && k == 0 {
				ins = ""
			}
			rg := m.Range(s, e)
			// The client applies the edit as the server must: at the
			// offsets its positions name.
			so, eo := m.RangeOffsets(rg)
			text = text[:so] + ins + text[eo:]
			b, _ := json.Marshal(contentChange{Range: &rg, Text: ins})
			changes = append(changes, string(b))
		}
		version++
		c.notify("textDocument/didChange", fmt.Sprintf(`{"textDocument":{"uri":%q,"version":%d},"contentChanges":[%s]}`, uri, version, strings.Join(changes, ",")))
		// A request after the notification returns once it is applied:
		// the server handles messages in order.
		c.request(step, "$/ipf/sync", `{}`)
		c.reply(step)
		if got := srv.doc(uri).cur.Load(); got.text != text || got.version != int32(version) {
			t.Fatalf("step %d: server text (v%d) differs from the client's (v%d):\nserver %q\nclient %q", step, got.version, version, got.text, text)
		}
		if step%250 == 0 || step == n {
			checkSoakDiagnostics(t, c, env, uri, version, text)
		}
	}
	t.Logf("%d random edits through the protocol: server text equal after every one, diagnostics equal to a full analysis every 250 (%v)", n, time.Since(start).Round(time.Millisecond))
	return srv.doc(uri).memo.Load()
}

// checkSoakDiagnostics waits for the diagnostics published for version and
// compares them with those of a fresh full analysis of text.
func checkSoakDiagnostics(t *testing.T, c *rawClient, env *analysis.Env, uri string, version int, text string) {
	t.Helper()
	m := c.diagnostics(uri, version)
	var p struct {
		Diagnostics []protocol.Diagnostic `json:"diagnostics"`
	}
	if err := json.Unmarshal(m.Params, &p); err != nil {
		t.Fatal(err)
	}
	res := env.Analyze(&analysis.Input{Src: []byte(text), Path: uri})
	mp := NewMapper(text, UTF16)
	var want []string
	for _, f := range res.Findings {
		r := mp.Range(f.Span.Start, f.Span.End)
		want = append(want, diagString(protocol.Diagnostic{Range: r, Severity: protocol.DiagnosticSeverity(f.Severity), Code: f.Code, Message: f.Message}))
	}
	var got []string
	for _, d := range p.Diagnostics {
		got = append(got, diagString(d))
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("version %d: diagnostics differ from a full analysis\n got %q\nwant %q\ntext %q", version, got, want, text)
	}
}

// runeBoundary moves off back to the start of its rune.
func runeBoundary(s string, off int) int {
	off = min(off, len(s))
	for off > 0 && off < len(s) && !utf8.RuneStart(s[off]) {
		off--
	}
	return off
}
