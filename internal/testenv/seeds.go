package testenv

import (
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// CorpusDocs is CorpusSeeds for a test that needs the corpus: outside CI
// a missing corpus skips it with a message, in CI it fails it (CorpusDir).
func CorpusDocs(t testing.TB, max int) [][]byte {
	t.Helper()
	CorpusDir(t)
	return CorpusSeeds(t, max)
}

// CorpusSeeds returns up to max Markdown documents of ../shared/corpus
// (all of them when max <= 0), in a stable order, for fuzz seeds and
// benchmarks. Unlike CorpusDir it never skips: a missing corpus yields no
// documents, so fuzz targets still run on their inline seeds.
func CorpusSeeds(tb testing.TB, max int) [][]byte {
	tb.Helper()
	dir := filepath.Join(filepath.Dir(RepoRoot(tb)), "shared", "corpus")
	var paths []string
	_ = filepath.WalkDir(dir, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".md") && filepath.Base(p) != "INDEX.md" {
			paths = append(paths, p)
		}
		return nil
	})
	sort.Strings(paths)
	var out [][]byte
	for _, p := range paths {
		if max > 0 && len(out) >= max {
			break
		}
		if b, err := os.ReadFile(p); err == nil {
			out = append(out, b)
		}
	}
	return out
}
