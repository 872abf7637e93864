package analysis

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// incrementalSnippets are what the random edits insert: the constructs that
// make block boundaries subtle (fences, lists, tables, setext underlines,
// HTML blocks, block quotes, link reference definitions, front matter, line
// endings) and plain text.
var incrementalSnippets = []string{
	"x", "word ", " ", "\n", "\n\n", "\r\n", "\r", "\t",
	"- ", "* ", "1. ", "2) ", "  - nested\n", "> ", "\n> quote\n",
	"```\n", "```go\n", "~~~\n", "    indented\n",
	"| a | b |\n", "|---|---|\n", "| c | d |\n",
	"\n===\n", "\n---\n", "---\n", "# ", "## Heading\n",
	"<!-- ", " -->", "<div>\n", "</div>\n", "<script>\n",
	"[ref]: https://example.com\n", "[ref]", "[text][ref]", "]:",
	"Better Auth", " → FastAPI", "not ", "FR-001: users MUST sign in. ", "😀", "中文", "\uFEFF",
}

// TestIncrementalParseMatchesFull applies random edits to real documents and
// checks that the incremental parse gives exactly the blocks a full parse
// gives, and that most edits are parsed incrementally.
func TestIncrementalParseMatchesFull(t *testing.T) {
	docs := testenv.CorpusDocs(t, 0)
	rng := rand.New(rand.NewPCG(3, 4))
	edits, incremental := 0, 0
	for i, src := range docs {
		memo := NewMemo()
		text := append([]byte(nil), src...)
		memo.parse(text)
		for step := 0; step < 60; step++ {
			text = randomEdit(rng, text)
			before := memo.Reparsed
			got := memo.parse(text)
			want := Parse(text)
			edits++
			incremental += memo.Reparsed - before
			if err := sameParse(got, want); err != nil {
				t.Fatalf("document %d, edit %d (%s): %v", i, step, map[bool]string{true: "incremental", false: "full"}[memo.Reparsed > before], err)
			}
		}
	}
	t.Logf("%d edits, %d parsed incrementally", edits, incremental)
}

// TestTypingParsesIncrementally types at the end of a line of each kind in
// the two reference files of issue 6: every keystroke after the first
// parse must be parsed incrementally, and equal a full parse.
func TestTypingParsesIncrementally(t *testing.T) {
	dir := filepath.Join(testenv.CorpusDir(t), "0riva__oriva-platform", "specs", "010-orivaflow-semantic-commerce")
	places := []struct {
		name string
		ok   func(line string, inFence bool) bool
	}{
		{"paragraph", func(l string, f bool) bool {
			return !f && len(l) > 25 && (l[0] >= 'A' && l[0] <= 'Z' || strings.HasPrefix(l, "**"))
		}},
		{"list", func(l string, f bool) bool { return !f && strings.HasPrefix(l, "- ") && len(l) > 10 }},
		{"table", func(l string, f bool) bool { return !f && strings.HasPrefix(l, "|") && !strings.Contains(l, "---") }},
		{"fence", func(l string, f bool) bool { return f && len(strings.TrimSpace(l)) > 5 }},
	}
	for _, file := range []string{"plan.md", "data-model.md"} {
		src, err := os.ReadFile(filepath.Join(dir, file))
		if err != nil {
			t.Fatal(err)
		}
		for _, pl := range places {
			t.Run(file+"/"+pl.name, func(t *testing.T) {
				at := lineEndWhere(src, pl.ok)
				if at < 0 {
					t.Skipf("%s has no %s line", file, pl.name) // plan.md has no table
				}
				memo := NewMemo()
				text := append([]byte(nil), src...)
				memo.parse(text)
				const typed = "so the user sees it"
				for i := range len(typed) {
					text = append(text[:at+i:at+i], append([]byte{typed[i]}, text[at+i:]...)...)
					if err := sameParse(memo.parse(text), Parse(text)); err != nil {
						t.Fatalf("after %q: %v", typed[:i+1], err)
					}
				}
				if memo.Reparsed != len(typed) {
					t.Errorf("%d of %d keystrokes parsed incrementally", memo.Reparsed, len(typed))
				}
			})
		}
	}
}

// lineEndWhere returns the offset of the end of the first line for which ok
// holds (tracking ``` fences), or -1.
func lineEndWhere(src []byte, ok func(string, bool) bool) int {
	fence, off := false, 0
	for _, l := range strings.SplitAfter(string(src), "\n") {
		body := strings.TrimRight(l, "\r\n")
		if strings.HasPrefix(strings.TrimSpace(body), "```") {
			fence = !fence
		} else if ok(body, fence) {
			return off + len(body)
		}
		off += len(l)
	}
	return -1
}

func randomEdit(rng *rand.Rand, text []byte) []byte {
	at := rng.IntN(len(text) + 1)
	end := at
	if rng.IntN(3) == 0 {
		end = min(len(text), at+rng.IntN(12))
	}
	ins := incrementalSnippets[rng.IntN(len(incrementalSnippets))]
	if rng.IntN(4) == 0 {
		ins = ""
		end = min(len(text), at+1+rng.IntN(4))
	}
	return append(text[:at:at], append([]byte(ins), text[end:]...)...)
}

func sameParse(got, want *Doc) error {
	if got.FrontMatter != want.FrontMatter {
		return fmt.Errorf("front matter %v, want %v", got.FrontMatter, want.FrontMatter)
	}
	if !reflect.DeepEqual(got.labels, want.labels) {
		return fmt.Errorf("labels differ")
	}
	if !bytes.Equal(got.Lower, want.Lower) {
		return fmt.Errorf("lowered text differs")
	}
	if len(got.Blocks) != len(want.Blocks) {
		return fmt.Errorf("%d blocks, want %d", len(got.Blocks), len(want.Blocks))
	}
	for i := range got.Blocks {
		g, w := got.Blocks[i], want.Blocks[i]
		if len(g.Text) == 0 && len(w.Text) == 0 {
			g.Text, w.Text = nil, nil
		}
		if !reflect.DeepEqual(g, w) {
			return fmt.Errorf("block %d:\n got %+v\nwant %+v\ntext %q", i, g, w, want.Src[w.Span.Start:w.Span.End])
		}
	}
	return nil
}

// FuzzIncrementalParse parses a document, applies two edits (each a
// position, a number of bytes to delete and bytes to insert) and checks the
// incremental parse after each equals a full parse.
func FuzzIncrementalParse(f *testing.F) {
	for i, src := range testenv.CorpusSeeds(f, 48) {
		if len(src) > 16<<10 {
			continue
		}
		s := incrementalSnippets[i%len(incrementalSnippets)]
		f.Add(src, uint(len(src)/3), uint(i%5), []byte(s), uint(len(src)/2), []byte("x"))
	}
	f.Add([]byte("# T\n\npara\n\n- a\n- b\n\n```\ncode\n```\n\nend\n"), uint(11), uint(0), []byte("```\n"), uint(30), []byte("\n"))
	f.Fuzz(func(t *testing.T, src []byte, at1, del1 uint, ins1 []byte, at2 uint, ins2 []byte) {
		if len(src) > 64<<10 || len(ins1) > 256 || len(ins2) > 256 {
			return
		}
		edit := func(text []byte, at, del uint, ins []byte) []byte {
			a := int(at % uint(len(text)+1))
			e := min(len(text), a+int(del%16))
			return append(text[:a:a], append(append([]byte(nil), ins...), text[e:]...)...)
		}
		memo := NewMemo()
		text := append([]byte(nil), src...)
		memo.parse(text)
		text = edit(text, at1, del1, ins1)
		if err := sameParse(memo.parse(text), Parse(text)); err != nil {
			t.Fatalf("after the first edit: %v", err)
		}
		text = edit(text, at2, 0, ins2)
		if err := sameParse(memo.parse(text), Parse(text)); err != nil {
			t.Fatalf("after the second edit: %v", err)
		}
	})
}
