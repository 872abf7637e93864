package analysis

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/yuin/goldmark/text"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// benchInputs are the two reference files of issue 6 and synthetic 1 MB and
// 5 MB documents made of corpus text.
func benchInputs(b *testing.B) []struct {
	name string
	src  []byte
} {
	dir := filepath.Join(testenv.CorpusDir(b), "0riva__oriva-platform", "specs", "010-orivaflow-semantic-commerce")
	var out []struct {
		name string
		src  []byte
	}
	for _, f := range []string{"plan.md", "data-model.md"} {
		src, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			b.Fatal(err)
		}
		out = append(out, struct {
			name string
			src  []byte
		}{f, src})
	}
	all := bytes.Join(testenv.CorpusSeeds(b, 0), []byte("\n\n"))
	for _, n := range []int{1 << 20, 5 << 20} {
		var buf bytes.Buffer
		for buf.Len() < n {
			buf.Write(all)
			buf.WriteString("\n\n")
		}
		out = append(out, struct {
			name string
			src  []byte
		}{map[int]string{1 << 20: "synthetic-1MB", 5 << 20: "synthetic-5MB"}[n], buf.Bytes()[:n]})
	}
	return out
}

// BenchmarkAnalyze measures the whole analysis (what `check` runs per
// file); BenchmarkGoldmark the bare GFM parse of the same bytes, the floor.
// Compare MB/s of the two in one run.
func BenchmarkAnalyze(b *testing.B) {
	env := testEnv(b)
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.src)))
			for b.Loop() {
				env.Analyze(&Input{Src: in.src})
			}
		})
	}
}

func BenchmarkGoldmark(b *testing.B) {
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			b.SetBytes(int64(len(in.src)))
			for b.Loop() {
				mdParser.Parse(text.NewReader(in.src))
			}
		})
	}
}

// BenchmarkAnalyzeEdit measures re-analysis after a one-character edit in
// the middle of a paragraph, with the document's memo warm from the
// previous version: what the language server does per keystroke.
func BenchmarkAnalyzeEdit(b *testing.B) {
	env := testEnv(b)
	for _, in := range benchInputs(b) {
		b.Run(in.name, func(b *testing.B) {
			memo := NewMemo()
			src := append([]byte(nil), in.src...)
			env.Analyze(&Input{Src: src, Memo: memo})
			at := bytes.Index(src, []byte("\n\n")) + 2
			for i := 0; i < len(src)/2; i++ {
				if j := bytes.Index(src[at:], []byte("\n\n")); j > 0 && src[at] >= 'A' && src[at] <= 'Z' {
					break
				}
				at += bytes.Index(src[at:], []byte("\n\n")) + 2
			}
			at += 3
			b.SetBytes(int64(len(src)))
			for b.Loop() {
				src = append(src[:at:at], append([]byte{'x'}, src[at:]...)...)
				env.Analyze(&Input{Src: src, Memo: memo})
			}
		})
	}
}

// BenchmarkAnalyzeEditStack is BenchmarkAnalyzeEdit of the reference plan
// with a constitution's stack (a 23 KB one from the corpus), as the server
// analyses it in a spec-kit workspace: the requirements then imply points,
// whose reasons and pattern rankings are built on every keystroke.
func BenchmarkAnalyzeEditStack(b *testing.B) {
	env := testEnv(b)
	cons, err := os.ReadFile(filepath.Join(testenv.CorpusDir(b), "AsmaIqbal01__Hackathon-2-Phase-II", ".specify", "memory", "constitution.md"))
	if err != nil {
		b.Fatal(err)
	}
	st := env.ExtractStack("/ws/.specify/memory/constitution.md", cons)
	src := append([]byte(nil), benchInputs(b)[0].src...)
	const path = "/ws/specs/010-orivaflow-semantic-commerce/plan.md"
	memo := NewMemo()
	env.Analyze(&Input{Src: src, Memo: memo, Stack: st, Path: path})
	at := bytes.Index(src, []byte("\n\n")) + 2
	b.SetBytes(int64(len(src)))
	for b.Loop() {
		src = append(src[:at:at], append([]byte{'x'}, src[at:]...)...)
		env.Analyze(&Input{Src: src, Memo: memo, Stack: st, Path: path})
	}
}

// BenchmarkAnalyzeCorpus analyses each of the corpus's documents afresh,
// without their workspaces and, as check, without repeats: the analysis
// part of BenchmarkCheckCorpus
// (internal/cli), on one core. BenchmarkGoldmarkCorpus parses the same
// documents; compare their MB/s.
func BenchmarkAnalyzeCorpus(b *testing.B) {
	env := testEnv(b)
	Warm()
	docs, n := corpusBytes(b)
	b.SetBytes(n)
	for b.Loop() {
		analyzeAll(env, docs)
	}
}

// analyzeAll is BenchmarkAnalyzeCorpus's loop body, a function of its own
// so that a profile shows one pass apart from the set-up.
//
//go:noinline
func analyzeAll(env *Env, docs [][]byte) {
	for _, src := range docs {
		env.Analyze(&Input{Src: src, NoRepeats: true})
	}
}

func BenchmarkGoldmarkCorpus(b *testing.B) {
	docs, n := corpusBytes(b)
	b.SetBytes(n)
	for b.Loop() {
		for _, src := range docs {
			mdParser.Parse(text.NewReader(src))
		}
	}
}

// corpusBytes returns the corpus documents and their total size.
func corpusBytes(b *testing.B) ([][]byte, int64) {
	docs := testenv.CorpusDocs(b, 0)
	var n int64
	for _, d := range docs {
		n += int64(len(d))
	}
	return docs, n
}
