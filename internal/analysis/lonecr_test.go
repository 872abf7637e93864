package analysis

import (
	"bytes"
	"fmt"
	"reflect"
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
