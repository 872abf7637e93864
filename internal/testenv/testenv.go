// Package testenv locates the files that tests share with the rest of the
// project: the repository root and the real spec documents in ../shared/corpus.
package testenv

import (
	"os"
	"path/filepath"
	"testing"
)

// RepoRoot returns the directory holding go.mod, found upwards from the
// working directory of the test.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatalf("getwd: %v", err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatalf("go.mod not found above the test's working directory")
		}
		dir = parent
	}
}

// InCI reports whether the tests run in CI, where nothing may be skipped for
// lack of an input.
func InCI() bool { return os.Getenv("CI") == "true" }

// CorpusDir returns ../shared/corpus next to the repository. Outside CI a
// missing corpus skips the test with a message; in CI it fails it, so a broken
// checkout can never pass by skipping.
func CorpusDir(t testing.TB) string {
	t.Helper()
	dir := filepath.Join(filepath.Dir(RepoRoot(t)), "shared", "corpus")
	if _, err := os.Stat(filepath.Join(dir, "INDEX.md")); err != nil {
		if InCI() {
			t.Fatalf("corpus missing at %s (required in CI): %v", dir, err)
		}
		t.Skipf("corpus not found at %s: skipping (it is required in CI)", dir)
	}
	return dir
}

// Require skips the test for a missing tool outside CI and fails it in CI.
func Require(t testing.TB, ok bool, what string) {
	t.Helper()
	if ok {
		return
	}
	if InCI() {
		t.Fatalf("%s is required in CI but missing", what)
	}
	t.Skipf("%s missing: skipping (it is required in CI)", what)
}
