package config

import "testing"

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
