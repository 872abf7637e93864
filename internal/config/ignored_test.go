package config

import (
	"strings"
	"testing"
)

// TestIgnored: ignore globs are relative to the workspace root; one without
// a slash matches a file's name anywhere, and one starting with "/" is
// anchored at the root, as in .gitignore.
func TestIgnored(t *testing.T) {
	const root = "/w"
	tests := []struct {
		glob, file string
		want       bool
	}{
		{"drafts/**", "/w/drafts/a.md", true},
		{"drafts/**", "/w/drafts/x/b.md", true},
		{"drafts/**", "/w/specs/drafts/a.md", false},
		{"./drafts/*.md", "/w/drafts/a.md", true},
		{"*.tmp.md", "/w/specs/001/plan.tmp.md", true},
		{"*.tmp.md", "/w/specs/001/plan.md", false},
		// Anchored at the root: only the root's drafts folder or file.
		{"/drafts/**", "/w/drafts/a.md", true},
		{"/drafts/**", "/w/specs/drafts/a.md", false},
		{"/notes.md", "/w/notes.md", true},
		{"/notes.md", "/w/specs/notes.md", false},
		// A name starting with ".." is inside the workspace.
		{"..notes.md", "/w/..notes.md", true},
		{"**", "/other/a.md", false},
	}
	for _, tt := range tests {
		c := Config{Ignore: []string{tt.glob}}
		if got := c.Ignored(root, tt.file); got != tt.want {
			t.Errorf("Ignored(%q) with %q = %v, want %v", tt.file, tt.glob, got, tt.want)
		}
	}
}

// TestIgnoredManyStars: a glob of many `**` segments is matched in time
// proportional to its length times the path's. The matcher tried every
// split of the path for each `**`: ignore = ["**/**/**/**/**/**/**/**/**/
// **/**/**/x"] took over 20 s for one file 26 folders deep, and check and
// the server's analysis of that file hung on it.
func TestIgnoredManyStars(t *testing.T) {
	deep := "/w"
	for i := 0; i < 26; i++ {
		deep += "/d"
	}
	stars := strings.Repeat("**/", 12)
	tests := []struct {
		glob, file string
		want       bool
	}{
		{stars + "x", deep + "/spec.md", false},
		{stars + "spec.md", deep + "/spec.md", true},
		{strings.Repeat("**/d/", 12) + "x", deep + "/spec.md", false},
		{strings.Repeat("**/d/", 12) + "**", deep + "/spec.md", true},
	}
	// No wall-clock bound: the exponential matcher does not finish on
	// these within go test's timeout, the linear one in microseconds.
	for _, tt := range tests {
		if got := (Config{Ignore: []string{tt.glob}}).Ignored("/w", tt.file); got != tt.want {
			t.Errorf("Ignored with %q = %v, want %v", tt.glob, got, tt.want)
		}
	}
}
