package cli

import (
	"context"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/yuin/goldmark"
	"github.com/yuin/goldmark/extension"
	"github.com/yuin/goldmark/text"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// corpusFiles returns the corpus's Markdown documents (INDEX.md aside) and
// their total size.
func corpusFiles(b *testing.B) ([]string, int64) {
	var paths []string
	var n int64
	err := filepath.WalkDir(testenv.CorpusDir(b), func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(p, ".md") || d.Name() == "INDEX.md" {
			return err
		}
		st, err := os.Stat(p)
		if err != nil {
			return err
		}
		paths, n = append(paths, p), n+st.Size()
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return paths, n
}

// BenchmarkCheckCorpus runs `check` over the 48 corpus documents, as CI
// would: with each one's workspace (constitution, feature plan), reading
// the files and writing the report. Its MB/s compare with
// BenchmarkGoldmarkCorpus, a bare GFM parse of the same files read the
// same way, the floor of issue 6.
func BenchmarkCheckCorpus(b *testing.B) {
	// The documents themselves, as GoldmarkCorpus parses them: the corpus
	// folder also holds INDEX.md (100 KB), which check would analyse and
	// the MB/s would not count.
	paths, n := corpusFiles(b)
	b.SetBytes(n)
	args := append([]string{"--fail-on", "none"}, paths...)
	for b.Loop() {
		if code := runCheck(context.Background(), args, io.Discard, io.Discard); code != ExitOK {
			b.Fatalf("check exited %d", code)
		}
	}
}

func BenchmarkGoldmarkCorpus(b *testing.B) {
	paths, n := corpusFiles(b)
	md := goldmark.New(goldmark.WithExtensions(extension.Table, extension.Strikethrough, extension.TaskList)).Parser()
	b.SetBytes(n)
	for b.Loop() {
		for _, p := range paths {
			src, err := os.ReadFile(p)
			if err != nil {
				b.Fatal(err)
			}
			md.Parse(text.NewReader(src))
		}
	}
}
