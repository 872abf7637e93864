package analysis

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// pathological are inputs that have hurt Markdown tools: deep nesting,
// unterminated constructs, invalid UTF-8 and control bytes.
func pathological() map[string][]byte {
	deepQuote := strings.Repeat(">", 10000) + " Next.js with Better Auth\n"
	var deepList strings.Builder
	for i := range 10000 {
		deepList.WriteString(strings.Repeat(" ", 2*(i%200)) + "- FastAPI with SQLModel\n")
	}
	return map[string][]byte{
		"deep blockquote":        []byte(deepQuote),
		"deep list":              []byte(deepList.String()),
		"deep brackets":          []byte(strings.Repeat("[", 10000) + "Next.js" + strings.Repeat("]", 10000)),
		"deep emphasis":          []byte(strings.Repeat("*_", 10000) + "FastAPI"),
		"unterminated fence":     []byte("# Plan\n\n```python\nNext.js with Better Auth\n\n## Integration: A → B\n"),
		"unterminated tilde":     []byte("~~~~\n" + strings.Repeat("FastAPI with SQLModel\n", 50)),
		"half-typed table":       []byte("| Next.js | Better Auth |\n|---|\n| FastAPI with SQLModel\n|"),
		"table header only":      []byte("| a | b |\n|---|---|"),
		"front matter no end":    []byte("---\ntitle: x\nNext.js with Better Auth\n"),
		"bom front matter":       []byte("\uFEFF---\r\na: b\r\n---\r\nFastAPI with SQLModel\r\n"),
		"invalid utf-8":          []byte("Next.js \xff\xfe with \xc3 Better Auth \xe4\xbd\n"),
		"nul bytes":              []byte("FastAPI\x00with\x00SQLModel\n\x00\x00"),
		"lone cr":                []byte("# A\rFastAPI with SQLModel\r\r- x\r"),
		"empty":                  nil,
		"pattern section broken": []byte("## Integration Patterns\n\n## Integration: Next.js →\n\n### Pattern:\n```\n"),
		"html comment open":      []byte("<!-- Next.js with Better Auth\n\nFastAPI with SQLModel\n"),
	}
}

// checkResult asserts the invariants every analysis keeps: spans inside
// the document, findings sorted by start.
func checkResult(t *testing.T, src []byte, r *Result) {
	t.Helper()
	in := func(s Span) bool { return s.Start >= 0 && s.Start <= s.End && s.End <= len(src) }
	for _, b := range r.Doc.Blocks {
		if !in(b.Span) {
			t.Fatalf("block span %v outside [0,%d]", b.Span, len(src))
		}
		for _, s := range b.Text {
			if !in(s) {
				t.Fatalf("text run %v outside [0,%d]", s, len(src))
			}
		}
	}
	for _, m := range r.Mentions {
		if !in(m.Span) {
			t.Fatalf("mention span %v outside [0,%d]", m.Span, len(src))
		}
	}
	for i, f := range r.Findings {
		if !in(f.Span) {
			t.Fatalf("finding %q span %v outside [0,%d]", f.Message, f.Span, len(src))
		}
		if i > 0 && r.Findings[i-1].Span.Start > f.Span.Start {
			t.Fatalf("findings not sorted at %d", i)
		}
	}
}

func TestAnalyzePathological(t *testing.T) {
	env := testEnv(t)
	for name, src := range pathological() {
		t.Run(name, func(t *testing.T) {
			checkResult(t, src, env.Analyze(&Input{Src: src}))
		})
	}
}

// TestAnalyzeHugeLines analyses 1 MB lines of the characters that make
// naive Markdown parsers quadratic. There is no time assertion: a quadratic
// path would take hours on these sizes and trip `go test -timeout`.
func TestAnalyzeHugeLines(t *testing.T) {
	env := testEnv(t)
	for _, c := range []string{"`", "[", "*", "<", "|", "\\", "!["} {
		src := bytes.Repeat([]byte(c), 1<<20/len(c))
		checkResult(t, src, env.Analyze(&Input{Src: src}))
	}
	// A 256 KB paragraph of code-span openers, links and a mention every
	// 20 bytes: every mention runs the context rules, so this is the input
	// that shows whether their cost is bounded per mention.
	src := bytes.Repeat([]byte("`a ``b [c]( FastAPI "), 1<<18/20)
	checkResult(t, src, env.Analyze(&Input{Src: src}))
}

func testEnv(t testing.TB) *Env {
	t.Helper()
	env, err := DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// FuzzAnalyze runs the analysis on arbitrary bytes: no panic, no span
// outside the document.
func FuzzAnalyze(f *testing.F) {
	for _, src := range pathological() {
		if len(src) < 4096 {
			f.Add(src)
		}
	}
	for _, src := range testenv.CorpusSeeds(f, 48) {
		f.Add(src)
	}
	env := testEnv(f)
	f.Fuzz(func(t *testing.T, src []byte) {
		checkResult(t, src, env.Analyze(&Input{Src: src}))
	})
}
