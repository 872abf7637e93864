package analysis

import (
	"bytes"
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestLoneCRLineEndings: CommonMark, like LSP, ends a line at a carriage
// return not followed by a line feed, but goldmark does not. A document
// saved with CR line endings must parse as the same document with LF ones:
// same blocks at the same offsets (a CR and an LF are one byte each), and
// the same findings.
func TestLoneCRLineEndings(t *testing.T) {
	docs := []string{
		"# Task sharing\n\nThe app uses Next.js with Better Auth for sign-in.\n",
		"---\ntitle: x\n---\n## Plan\n\n- FastAPI verifies the JWT from Better Auth\n- tasks are stored with SQLModel\n",
		"Intro\n===\n\n```python\nimport jwt\n```\n\n| a | b |\n|---|---|\n| FastAPI | SQLModel |\n",
	}
	env := testEnv(t)
	for _, lf := range docs {
		cr := bytes.ReplaceAll([]byte(lf), []byte("\n"), []byte("\r"))
		want, got := Parse([]byte(lf)), Parse(cr)
		if !reflect.DeepEqual(blockShapes(got), blockShapes(want)) {
			t.Errorf("%q:\n got %v\nwant %v", cr, blockShapes(got), blockShapes(want))
		}
		wantRes := env.Analyze(&Input{Src: []byte(lf), Path: "spec.md"})
		gotRes := env.Analyze(&Input{Src: cr, Path: "spec.md"})
		if g, w := findingLines(gotRes), findingLines(wantRes); !reflect.DeepEqual(g, w) {
			t.Errorf("%q: findings\n got %v\nwant %v", cr, g, w)
		}
	}
}

// TestByteOrderMark: a file saved with a byte order mark is the same
// document as without it, three bytes on. Goldmark reads the mark as text,
// which made the first line a paragraph: a title, a fence or a list item,
// and an `## Integration:` heading on line 1 documented nothing.
func TestByteOrderMark(t *testing.T) {
	docs := []string{
		"# Task sharing\n\nThe app uses Next.js with Better Auth for sign-in.\n",
		"## Integration: Next.js → Better Auth\n\nThe app uses Next.js with Better Auth for sign-in.\n",
		"```ts\nlocalStorage.setItem(\"token\", jwt);\n```\n",
		"- FastAPI verifies the JWT from Better Auth\n- tasks are stored with SQLModel\n",
		"| a | b |\n|---|---|\n| FastAPI | SQLModel |\n",
		"---\ntitle: x\n---\n# Plan\n",
	}
	env := testEnv(t)
	shifted := func(d *Doc, by int) []string {
		var out []string
		for _, b := range d.Blocks {
			start := b.Span.Start + by
			if b.Span.Start == 0 {
				start = 0 // a block starts at its line's start
			}
			var runs []Span
			for _, r := range b.Text {
				runs = append(runs, r.shift(by))
			}
			out = append(out, fmt.Sprint(b.Kind, start, b.Span.End+by, b.Level, runs))
		}
		return out
	}
	for _, plain := range docs {
		marked := "\uFEFF" + plain
		if got, want := shifted(Parse([]byte(marked)), 0), shifted(Parse([]byte(plain)), 3); !reflect.DeepEqual(got, want) {
			t.Errorf("%q:\n got %v\nwant %v", marked, got, want)
		}
		var want []string
		for _, f := range env.Analyze(&Input{Src: []byte(plain), Path: "spec.md"}).Findings {
			want = append(want, fmt.Sprint(f.Code, f.Span.shift(3), f.Message))
		}
		if got := findingLines(env.Analyze(&Input{Src: []byte(marked), Path: "spec.md"})); !reflect.DeepEqual(got, want) {
			t.Errorf("%q: findings\n got %v\nwant %v", marked, got, want)
		}
		// Typing on the first line, and adding or removing the mark, parse
		// as a full parse does.
		nl := strings.IndexByte(marked, '\n')
		for _, step := range []struct{ from, to string }{
			{marked, marked[:nl] + "x" + marked[nl:]},
			{plain, marked},
			{marked, plain},
		} {
			memo := NewMemo()
			memo.parse([]byte(step.from))
			if err := sameParse(memo.parse([]byte(step.to)), Parse([]byte(step.to))); err != nil {
				t.Errorf("%q → %q: %v", step.from, step.to, err)
			}
		}
	}
}

// blockShapes lists what a parse found: kind, span, level and runs.
func blockShapes(d *Doc) []string {
	var out []string
	for _, b := range d.Blocks {
		out = append(out, fmt.Sprint(b.Kind, b.Span, b.Level, b.Text, d.FrontMatter))
	}
	return out
}

// findingLines lists findings by code, span and message.
func findingLines(r *Result) []string {
	var out []string
	for _, f := range r.Findings {
		out = append(out, fmt.Sprint(f.Code, f.Span, f.Message))
	}
	return out
}
