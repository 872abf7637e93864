package analysis

import (
	"os"
	"regexp"
	"slices"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// TestCodesAreTheREADMEs: Codes lists exactly the codes of the README's
// table of diagnostic codes (the server's own "config" aside), sorted, so a
// new detector's code cannot be missing from the configuration check.
func TestCodesAreTheREADMEs(t *testing.T) {
	readme, err := os.ReadFile(testenv.RepoRoot(t) + "/README.md")
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, m := range regexp.MustCompile("(?m)^\\| `([a-z-]+)` \\| (?:Information|Warning|Error)").FindAllStringSubmatch(string(readme), -1) {
		if m[1] != "config" {
			want = append(want, m[1])
		}
	}
	slices.Sort(want)
	if got := Codes(); !slices.Equal(got, want) {
		t.Errorf("Codes() = %q\nREADME lists %q", got, want)
	}
}
