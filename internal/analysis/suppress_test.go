package analysis

import (
	"strings"
	"testing"
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
	tests := []struct{ name, src, find, want string }{
		{"list item", "# T\n\n- a\n  - The JWT is stored in localStorage.\n", "localStorage",
			"# T\n\n- a\n  <!-- ipf-disable-next-line token-in-browser-storage -->\n  - The JWT is stored in localStorage.\n"},
		{"crlf", "# T\r\n\r\nThe JWT is stored in localStorage.\r\n", "localStorage",
			"# T\r\n\r\n<!-- ipf-disable-next-line token-in-browser-storage -->\r\nThe JWT is stored in localStorage.\r\n"},
		{"code block", "# T\n\n```ts\nconst x = 1;\nlocalStorage.setItem(\"token\", t);\n```\n", "localStorage",
			"# T\n\n<!-- ipf-disable-next-line token-in-browser-storage -->\n```ts\nconst x = 1;\nlocalStorage.setItem(\"token\", t);\n```\n"},
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
		})
	}
}

func TestIgnoreEditKeepsBOMFirst(t *testing.T) {
	src := "\uFEFFThe frontend stores the JWT in localStorage.\r\n"
	r := testEnv(t).Analyze(&Input{Src: []byte(src)})
	e := r.IgnoreEdit("token-in-browser-storage", 10)
	got := src[:e.Span.Start] + e.Text + src[e.Span.End:]
	want := "\uFEFF<!-- ipf-disable-next-line token-in-browser-storage -->\r\nThe frontend stores the JWT in localStorage.\r\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
}
