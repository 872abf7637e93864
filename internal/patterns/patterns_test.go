package patterns_test

import (
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
	"github.com/ipf-lsp/ipf-lsp/references"
)

// TestBuiltinLibrary: every built-in pattern file parses, passes the
// checklist and cites https sources; the library covers at least 25 pairs.
func TestBuiltinLibrary(t *testing.T) {
	files, err := patterns.LoadFS(references.FS, ".", true)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		for _, p := range f.Problems {
			t.Errorf("references/%s:%d: %s", f.Path, p.Line+1, p.Message)
		}
		for _, p := range f.Patterns {
			if len(p.Sources) == 0 {
				t.Errorf("%s: no source", p.ID)
			}
			for _, s := range p.Sources {
				if !strings.HasPrefix(s, "https://") {
					t.Errorf("%s: source %q is not https", p.ID, s)
				}
			}
			for _, c := range p.Code {
				if c.Lang == "" {
					t.Errorf("%s: code block without a language", p.ID)
				}
			}
		}
	}
	lib := patterns.NewLibrary(files...)
	if n := len(lib.Pairs()); n < 25 {
		t.Errorf("%d pairs, want at least 25", n)
	}
}

const packFile = `---
from: better-auth
to: fastapi
---
## Integration: Better Auth → FastAPI

### Pattern: JWT bearer verified with JWKS

**Use Case**: Our team's variant.

**Flow**:
1. Step.

**Code Example**:
` + "```python\nprint('ours')\n```" + `

**Gotchas**:
- Ours.

**Official Source**: https://better-auth.com/docs/plugins/jwt
`

func TestLoadDirOverridesAndBroken(t *testing.T) {
	root := t.TempDir()
	dir := filepath.Join(root, ".ipf", "patterns")
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	write := func(name, text string) {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("better-auth-fastapi.md", packFile)
	write("broken.md", "---\nfrom: better-auth\nto fastapi\n---\n# nothing\n")
	write("notes.md", "# Just notes, no front matter\n")
	pack, err := patterns.LoadDir(root, ".ipf/patterns")
	if err != nil {
		t.Fatal(err)
	}
	if len(pack.Files) != 1 || len(pack.Broken) != 1 {
		t.Fatalf("files %d broken %d, want 1 and 1", len(pack.Files), len(pack.Broken))
	}
	if b := pack.Broken[0]; !strings.HasSuffix(b.Path, "broken.md") || len(b.Problems) == 0 {
		t.Errorf("broken: %+v", b)
	}
	builtin, err := patterns.LoadFS(references.FS, ".", true)
	if err != nil {
		t.Fatal(err)
	}
	before := patterns.NewLibrary(builtin...)
	lib := patterns.NewLibrary(append(builtin, pack.Files...)...)
	p, ok := lib.Get("better-auth-fastapi/jwt-bearer-verified-with-jwks")
	if !ok || p.UseCase != "Our team's variant." || p.Builtin {
		t.Errorf("pack did not override the built-in pattern: %+v", p)
	}
	if len(lib.All()) != len(before.All()) {
		t.Errorf("override changed the number of patterns: %d, want %d", len(lib.All()), len(before.All()))
	}
}

func TestLoadDirRefusesEscapes(t *testing.T) {
	root := t.TempDir()
	outside := t.TempDir()
	if err := os.WriteFile(filepath.Join(outside, "x.md"), []byte(packFile), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := patterns.LoadDir(root, "../"+filepath.Base(outside)); err == nil {
		t.Error("a folder outside the root through .. was loaded")
	}
	if err := os.Symlink(outside, filepath.Join(root, "refs")); err != nil {
		t.Skip("symlinks unavailable:", err)
	}
	if _, err := patterns.LoadDir(root, "refs"); err == nil {
		t.Error("a symlinked folder outside the root was loaded")
	}
	if err := os.Mkdir(filepath.Join(root, "references"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(outside, "x.md"), filepath.Join(root, "references", "x.md")); err != nil {
		t.Fatal(err)
	}
	pack, err := patterns.LoadDir(root, "references")
	if err != nil {
		t.Fatal(err)
	}
	if len(pack.Files) != 0 || len(pack.Broken) != 1 {
		t.Errorf("symlinked file: files %d broken %d, want 0 and 1", len(pack.Files), len(pack.Broken))
	}
}

// TestRepoReferencesAsPack: when the workspace is this repository, its
// references/ folder loads as a pack that changes nothing.
func TestRepoReferencesAsPack(t *testing.T) {
	builtin, err := patterns.LoadFS(references.FS, ".", true)
	if err != nil {
		t.Fatal(err)
	}
	pack, err := patterns.LoadDir(filepath.Join("..", ".."), "references")
	if err != nil {
		t.Fatal(err)
	}
	if len(pack.Broken) != 0 {
		t.Errorf("broken: %v", pack.Broken[0].Problems)
	}
	a, b := patterns.NewLibrary(builtin...), patterns.NewLibrary(append(builtin, pack.Files...)...)
	if len(a.All()) != len(b.All()) || len(a.Pairs()) != len(b.Pairs()) {
		t.Errorf("patterns %d→%d, pairs %d→%d", len(a.All()), len(b.All()), len(a.Pairs()), len(b.Pairs()))
	}
}

func TestSourcesDropListPunctuation(t *testing.T) {
	src := "---\nfrom: a\nto: b\n---\n## Integration: A → B\n\n### Pattern: P\n\n**Use Case**: u\n\n**Flow**:\n1. f\n\n**Code Example**:\n```go\nx\n```\n\n**Gotchas**:\n- g\n\n**Official Source**: https://a.example/x, https://b.example/y.\n"
	f := patterns.ParseFile("p.md", src)
	got := f.Patterns[0].Sources
	if len(got) != 2 || got[0] != "https://a.example/x" || got[1] != "https://b.example/y" {
		t.Fatalf("sources = %q", got)
	}
}

func TestMayHaveSections(t *testing.T) {
	tests := []struct {
		name string
		src  string
		want bool
	}{
		{"integration heading", "intro\n## Integration: Next.js ↔ Better Auth\n", true},
		{"pattern heading", "### Pattern: JWT bearer\n", true},
		{"CR line endings", "a\r### Pattern: x\r", true},
		{"BOM", "\uFEFF# Integration: a ↔ b\n", true},
		{"tab after hashes", "##\tIntegration: a\n", true},
		{"seven hashes", "####### Integration: a\n", false},
		{"no space", "##Integration: a\n", false},
		{"in prose", "The integration: Next.js calls FastAPI. Pattern: none.\n", false},
		{"in a list", "- ## Integration: a\n", false},
		// The keywords in any case (ParseSections reads them so).
		{"lower case", "## integration: a\n", true},
		{"upper case pattern", "### PATTERN: x\n", true},
		{"lower case setext", "integration: a\n---\n", true},
		{"keyword at the very start", "Integration: a\n===\n", true},
		{"keyword cut short", "ntegration: a\n", false},
		{"empty", "", false},
		{"one byte", "I", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := patterns.MayHaveSections([]byte(tt.src)); got != tt.want {
				t.Errorf("patterns.MayHaveSections(%q) = %v, want %v", tt.src, got, tt.want)
			}
			// Never false where ParseSections finds a section.
			if found := len(patterns.ParseSections(patterns.Lines(tt.src))) > 0; found && !patterns.MayHaveSections([]byte(tt.src)) {
				t.Errorf("ParseSections finds a section in %q", tt.src)
			}
		})
	}
	// And on the corpus and the built-in library, whose pattern files have
	// sections.
	docs := testenv.CorpusDocs(t, 0)
	lib, err := fs.Glob(references.FS, "*.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range lib {
		src, err := fs.ReadFile(references.FS, name)
		if err != nil {
			t.Fatal(err)
		}
		docs = append(docs, src)
	}
	withSections := 0
	for _, src := range docs {
		if len(patterns.ParseSections(patterns.Lines(string(src)))) > 0 {
			withSections++
			if !patterns.MayHaveSections(src) {
				t.Errorf("ParseSections finds sections in %.60q…, MayHaveSections says none", src)
			}
		}
	}
	if withSections == 0 {
		t.Error("no document with sections: the check above proved nothing")
	}
}

// A line of backticks whose info string holds a backtick opens no fence
// (CommonMark 4.5): "```npm install``` first." is a paragraph with inline
// code. It was read as an opening fence, so every heading after it was
// code: an `## Integration:` heading documented nothing and a `### Pattern:`
// section was never checked.
func TestInlineCodeOpensNoFence(t *testing.T) {
	src := "Run ```npm install``` first.\n\n```npm install``` first.\n\n## Integration: Better Auth → FastAPI\n\n### Pattern: P\n\n````md\n```go\n## Integration: X → Y\n````\n\n~~~ a`b\n## Integration: in code\n~~~\n"
	var got []string
	for _, s := range patterns.ParseSections(patterns.Lines(src)) {
		if s.Pattern != nil {
			got = append(got, fmt.Sprintf("%d pattern %s", s.Line, s.Pattern.Name))
		} else {
			got = append(got, fmt.Sprintf("%d integration %s", s.Line, s.Integration))
		}
	}
	want := []string{"4 integration Better Auth → FastAPI", "6 pattern P"}
	if !slices.Equal(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}
