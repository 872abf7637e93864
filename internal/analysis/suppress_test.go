package analysis

import (
	"fmt"
	"strings"
	"testing"

	"github.com/yuin/goldmark/ast"
	east "github.com/yuin/goldmark/extension/ast"
	"github.com/yuin/goldmark/text"
)

func codesByLine(t *testing.T, src string) map[int][]string {
	t.Helper()
	res := defaultEnv(t).Analyze(&Input{Src: []byte(src)})
	out := map[int][]string{}
	for _, f := range res.Findings {
		if f.Code == CodeIntegrationPoint {
			continue
		}
		l := res.Lines.Line(f.Span.Start) + 1
		out[l] = append(out[l], f.Code)
	}
	return out
}

func TestSuppressions(t *testing.T) {
	const bad = "- The JWT is stored in localStorage.\n"
	tests := []struct {
		name string
		src  string
		want []int // 1-based lines with a token-in-browser-storage finding
	}{
		{"none", bad + bad, []int{1, 2}},
		{"next line", "<!-- ipf-disable-next-line token-in-browser-storage -->\n" + bad + bad, []int{3}},
		{"next line, several codes", "<!-- ipf-disable-next-line hardcoded-secret,token-in-browser-storage -->\n" + bad + bad, []int{3}},
		{"next line, other code", "<!-- ipf-disable-next-line hardcoded-secret -->\n" + bad, []int{2}},
		{"next line all", "<!-- ipf-disable-next-line all -->\n" + bad + bad, []int{3}},
		{"range", bad + "\n<!-- ipf-disable token-in-browser-storage -->\n\n" + bad + bad + "\n<!-- ipf-enable token-in-browser-storage -->\n\n" + bad, []int{1, 10}},
		{"open range to the end", "<!-- ipf-disable all -->\n\n" + bad + bad, nil},
		{"file", bad + "\n<!-- ipf-disable-file token-in-browser-storage -->\n", nil},
		{"comment in code is text", "```html\n<!-- ipf-disable-file all -->\n```\n\n" + bad, []int{5}},
		{"whole code block", "<!-- ipf-disable-next-line token-in-browser-storage -->\n```ts\nconst a = 1;\nlocalStorage.setItem(\"token\", t);\n```\n", nil},
		{"same line", bad[:len(bad)-1] + " <!-- ipf-disable-line token-in-browser-storage -->\n" + bad, []int{2}},
		{"same line, other code", bad[:len(bad)-1] + " <!-- ipf-disable-line hardcoded-secret -->\n" + bad, []int{1, 2}},
		{"same line covers that line only", "The client keeps state <!-- ipf-disable-line all -->\nand the JWT is stored in localStorage.\n", []int{2}},
		// A comment shown as code is text: the line that documents the
		// syntax suppresses nothing.
		{"comment in a code span is text", "- Write `<!-- ipf-disable-line all -->` at the end. The JWT is stored in localStorage.\n", []int{1}},
		{"file comment in a code span", "Use ``<!-- ipf-disable-file all -->`` to turn every code off.\n\n" + bad, []int{3}},
		{"next-line comment in a table cell's code span", "| syntax | what |\n|---|---|\n| `<!-- ipf-disable-next-line all -->` | next block |\n\n" + bad, []int{5}},
		{"comment after a code span", "- The JWT `t` is stored in localStorage. <!-- ipf-disable-line all -->\n", nil},
		{"unmatched backtick opens no span", "- The JWT ` is stored in localStorage. <!-- ipf-disable-line all -->\n", nil},
		{"paragraph's later line", "<!-- ipf-disable-next-line token-in-browser-storage -->\nThe client keeps state.\nThe JWT is stored in localStorage.\n", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := codesByLine(t, tt.src)
			var lines []int
			for l, cs := range got {
				for _, c := range cs {
					if c == CodeTokenInBrowserStorage {
						lines = append(lines, l)
					}
				}
			}
			if !sameInts(lines, tt.want) {
				t.Errorf("lines %v, want %v\n%s", lines, tt.want, tt.src)
			}
		})
	}
}

func sameInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	m := map[int]int{}
	for _, x := range a {
		m[x]++
	}
	for _, x := range b {
		m[x]--
	}
	for _, v := range m {
		if v != 0 {
			return false
		}
	}
	return true
}

func TestIgnoreEdit(t *testing.T) {
	const c = " <!-- ipf-disable-line token-in-browser-storage -->"
	tests := []struct{ name, src, find, want string }{
		{"list item", "# T\n\n- a\n  - The JWT is stored in localStorage.\n- b\n", "localStorage",
			"# T\n\n- a\n  - The JWT is stored in localStorage." + c + "\n- b\n"},
		{"crlf", "# T\r\n\r\nThe JWT is stored in localStorage.\r\n", "localStorage",
			"# T\r\n\r\nThe JWT is stored in localStorage." + c + "\r\n"},
		{"paragraph's second line", "# T\n\nThe client keeps state\nand the JWT in localStorage.\n", "localStorage",
			"# T\n\nThe client keeps state\nand the JWT in localStorage." + c + "\n"},
		{"table row", "# T\n\n| Where | What |\n|---|---|\n| a | b |\n| JWT | localStorage |\n", "localStorage",
			"# T\n\n| Where | What |\n|---|---|\n| a | b |\n| JWT | localStorage |" + c + "\n"},
		{"hard break of two spaces stays last", "# T\n\nThe JWT is stored in localStorage.  \nNext line.\n", "localStorage",
			"# T\n\nThe JWT is stored in localStorage." + c + "  \nNext line.\n"},
		{"backslash hard break stays last", "# T\n\nThe JWT is stored in localStorage.\\\nNext line.\n", "localStorage",
			"# T\n\nThe JWT is stored in localStorage." + c + "\\\nNext line.\n"},
		{"block quote", "# T\n\n> The JWT is stored in localStorage.\n", "localStorage",
			"# T\n\n> The JWT is stored in localStorage." + c + "\n"},
		{"code span going on to the next line: comment above", "# T\n\nThe JWT is stored in localStorage, see `a\nb`.\n", "localStorage",
			"# T\n\n<!-- ipf-disable-next-line token-in-browser-storage -->\nThe JWT is stored in localStorage, see `a\nb`.\n"},
		// Only a span that goes on past the line's end sends the comment
		// above: an escaped backtick, or a run no other closes, opens none
		// (before, any odd number of backticks on the line did, and in a
		// table the comment went above the table, covering every row).
		{"escaped backtick in a table row", "# T\n\n| Where | What |\n|---|---|\n| a | b |\n| JWT \\` | localStorage |\n", "localStorage",
			"# T\n\n| Where | What |\n|---|---|\n| a | b |\n| JWT \\` | localStorage |" + c + "\n"},
		{"unclosed backtick in a table row", "# T\n\n| Where | What |\n|---|---|\n| ` | localStorage |\n| a | b |\n", "localStorage",
			"# T\n\n| Where | What |\n|---|---|\n| ` | localStorage |" + c + "\n| a | b |\n"},
		{"escaped backtick in a paragraph", "# T\n\nThe JWT \\` is stored in localStorage.\n", "localStorage",
			"# T\n\nThe JWT \\` is stored in localStorage." + c + "\n"},
		{"a span closed on the line and one going on", "# T\n\nThe `JWT` is stored in localStorage, see ``a\nb``.\n", "localStorage",
			"# T\n\n<!-- ipf-disable-next-line token-in-browser-storage -->\nThe `JWT` is stored in localStorage, see ``a\nb``.\n"},
		{"code block: comment above the fence", "# T\n\n```ts\nconst x = 1;\nlocalStorage.setItem(\"token\", t);\n```\n", "localStorage",
			"# T\n\n<!-- ipf-disable-next-line token-in-browser-storage -->\n```ts\nconst x = 1;\nlocalStorage.setItem(\"token\", t);\n```\n"},
		{"code block in a list item", "- a\n\n  ```ts\n  localStorage.setItem(\"token\", t);\n  ```\n", "localStorage",
			"- a\n\n  <!-- ipf-disable-next-line token-in-browser-storage -->\n  ```ts\n  localStorage.setItem(\"token\", t);\n  ```\n"},
		// A comment line above a list item that is not its list's first
		// goes at the end of the item before it, at that item's indentation:
		// unindented, it ended the list there.
		{"heading in a list item", "# T\n\n- a\n- ## The JWT is stored in localStorage\n- b\n", "localStorage",
			"# T\n\n- a\n  <!-- ipf-disable-next-line token-in-browser-storage -->\n- ## The JWT is stored in localStorage\n- b\n"},
		{"code span going on to the next line in a list item", "# T\n\n- a\n- The JWT is stored in localStorage, see `a\n  b`.\n- b\n", "localStorage",
			"# T\n\n- a\n  <!-- ipf-disable-next-line token-in-browser-storage -->\n- The JWT is stored in localStorage, see `a\n  b`.\n- b\n"},
		{"ordered item after a wider one", "10. a\n9. The JWT in localStorage `x\n   y`\n8. c\n", "localStorage",
			"10. a\n    <!-- ipf-disable-next-line token-in-browser-storage -->\n9. The JWT in localStorage `x\n   y`\n8. c\n"},
		{"nested list item in a block quote", "> - a\n>   - b\n>   - ## The JWT is stored in localStorage\n", "localStorage",
			"> - a\n>   - b\n>     <!-- ipf-disable-next-line token-in-browser-storage -->\n>   - ## The JWT is stored in localStorage\n"},
		// An indented code block: the comment line goes above it at the
		// indentation of the block's container, not the code's, where it
		// was a line of the code and suppressed nothing.
		{"indented code block", "# T\n\n    const x = 1;\n    localStorage.setItem(\"token\", t);\n", "localStorage",
			"# T\n\n<!-- ipf-disable-next-line token-in-browser-storage -->\n    const x = 1;\n    localStorage.setItem(\"token\", t);\n"},
		{"indented code block in a list item", "- a\n\n      localStorage.setItem(\"token\", t);\n", "localStorage",
			"- a\n\n  <!-- ipf-disable-next-line token-in-browser-storage -->\n      localStorage.setItem(\"token\", t);\n"},
		{"indented code block in a block quote", "> a\n>\n>     localStorage.setItem(\"token\", t);\n", "localStorage",
			"> a\n>\n> <!-- ipf-disable-next-line token-in-browser-storage -->\n>     localStorage.setItem(\"token\", t);\n"},
		{"first item: above the list", "# T\n\n- ## The JWT is stored in localStorage\n- b\n", "localStorage",
			"# T\n\n<!-- ipf-disable-next-line token-in-browser-storage -->\n- ## The JWT is stored in localStorage\n- b\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			env := defaultEnv(t)
			res := env.Analyze(&Input{Src: []byte(tt.src)})
			e := res.IgnoreEdit(CodeTokenInBrowserStorage, strings.Index(tt.src, tt.find))
			got := tt.src[:e.Span.Start] + e.Text + tt.src[e.Span.End:]
			if got != tt.want {
				t.Errorf("got\n%q\nwant\n%q", got, tt.want)
			}
			after := env.Analyze(&Input{Src: []byte(got)})
			for _, f := range after.Findings {
				if f.Code == CodeTokenInBrowserStorage {
					t.Errorf("still reported after the ignore edit: line %d", after.Lines.Line(f.Span.Start)+1)
				}
			}
			// The edit cuts no list or table in two.
			if a, b := containers(tt.src), containers(got); a != b {
				t.Errorf("lists and tables changed: %s → %s", a, b)
			}
		})
	}
}

func TestIgnoreEditKeepsBOMFirst(t *testing.T) {
	src := "\uFEFF```ts\r\nlocalStorage.setItem(\"token\", t);\r\n```\r\n"
	r := testEnv(t).Analyze(&Input{Src: []byte(src)})
	e := r.IgnoreEdit("token-in-browser-storage", strings.Index(src, "localStorage"))
	got := src[:e.Span.Start] + e.Text + src[e.Span.End:]
	want := "\uFEFF<!-- ipf-disable-next-line token-in-browser-storage -->\r\n```ts\r\nlocalStorage.setItem(\"token\", t);\r\n```\r\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}

// containers names src's lists and tables, in order, with their number of
// items or rows: what a comment line in the wrong place changes.
func containers(src string) string {
	var b strings.Builder
	doc := mdParser.Parse(text.NewReader([]byte(src)))
	_ = ast.Walk(doc, func(n ast.Node, entering bool) (ast.WalkStatus, error) {
		if entering && (n.Kind() == ast.KindList || n.Kind() == east.KindTable) {
			fmt.Fprintf(&b, "%s(%d) ", n.Kind(), n.ChildCount())
		}
		return ast.WalkContinue, nil
	})
	return b.String()
}

// TestSuppressedPointLeavesThePairToItsNextLine: a pair is reported once
// per section, on its first line; when that line's point is suppressed,
// the pair's next line in the section reports it. The suppressed line
// took the report with it, so `ipf-disable-line` hid the pair in the whole
// section.
func TestSuppressedPointLeavesThePairToItsNextLine(t *testing.T) {
	const point = "Better Auth issues a JWT that FastAPI verifies."
	env := stackEnv(t)
	st := env.ExtractStack("/p/.specify/memory/constitution.md", []byte(implicitConstitution)).WithOrigin(OriginConstitution)
	for _, tc := range []struct {
		name, src string
		want      []int // 1-based lines with an integration-point finding
	}{
		{"not suppressed", "# A\n\n" + point + "\n\n" + point + "\n", []int{3}},
		{"first line suppressed", "# A\n\n" + point + " <!-- ipf-disable-line integration-point -->\n\n" + point + "\n", []int{5}},
		{"both suppressed", "# A\n\n" + point + " <!-- ipf-disable-line all -->\n\n" + point + " <!-- ipf-disable-line all -->\n", nil},
		{"next section reports its own", "# A\n\n" + point + " <!-- ipf-disable-line all -->\n\n# B\n\n" + point + "\n", []int{7}},
		// An implied point after a suppressed explicit one.
		{"implied after a suppressed explicit point", "# A\n\n" + point + " <!-- ipf-disable-line all -->\n\n- **FR-001**: The system MUST reject requests without a valid token.\n", []int{5}},
	} {
		res := env.Analyze(&Input{Src: []byte(tc.src), Path: "/p/specs/001-x/spec.md", Stack: st})
		var lines []int
		for _, f := range res.Findings {
			if f.Code == CodeIntegrationPoint && f.Point != nil && f.Point.From == "better-auth" && f.Point.To == "fastapi" {
				lines = append(lines, res.Lines.Line(f.Span.Start)+1)
			}
		}
		if !sameInts(lines, tc.want) {
			t.Errorf("%s: lines %v, want %v", tc.name, lines, tc.want)
		}
	}
}
