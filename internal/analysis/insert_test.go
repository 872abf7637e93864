package analysis

import (
	"strings"
	"testing"
)

func TestInsertSectionKeepsBOMAndLineEndings(t *testing.T) {
	for _, tc := range []struct{ name, src, eol string }{
		{"lf", "\uFEFF# T\n\nText.\n", "\n"},
		{"crlf", "\uFEFF# T\r\n\r\nText.\r\n", "\r\n"},
		{"cr", "\uFEFF# T\r\rText.\r", "\r"},
		{"bom only", "\uFEFF", "\n"},
		{"existing heading crlf", "\uFEFF# T\r\n\r\n## Integration Patterns\r\n\r\n", "\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := InsertSection([]byte(tc.src), "## Integration: A → B\n\nbody\n")
			if e.Span.Start < len("\uFEFF") {
				t.Fatalf("edit starts at %d, inside the BOM", e.Span.Start)
			}
			out := tc.src[:e.Span.Start] + e.Text + tc.src[e.Span.End:]
			if !strings.HasPrefix(out, "\uFEFF") || strings.Count(out, "\uFEFF") != 1 {
				t.Fatalf("BOM lost or duplicated: %q", out)
			}
			if rest := strings.ReplaceAll(e.Text, tc.eol, ""); strings.ContainsAny(rest, "\r\n") {
				t.Fatalf("inserted text mixes line endings with %q: %q", tc.eol, e.Text)
			}
			if strings.Count(out, "## Integration Patterns") != 1 {
				t.Fatalf("patterns heading count: %q", out)
			}
		})
	}
}

// InsertSection finds the "## Integration Patterns" heading as CommonMark
// does: a fence closes only with a fence of its character at least as long
// (a ```` block may show ``` inside, and a heading there is code), and a
// lone CR ends a line as "\n" does (the patterns part of a CR document was
// not found, and a second heading went in at the end).
func TestInsertSectionFindsThePatternsHeading(t *testing.T) {
	const sec = "## Integration: A → B\n\nbody\n"
	for _, tc := range []struct{ name, src, want string }{
		// The patterns heading in another case is the same heading.
		{"lower-case patterns heading", "# T\n\n## integration patterns\n\n## integration: X → Y\n\nold\n\n## Next\n",
			"# T\n\n## integration patterns\n\n## integration: X → Y\n\nold\n\n## Integration: A → B\n\nbody\n\n## Next\n"},
		// An empty document, or one holding only a byte order mark (and
		// blank lines), starts with the heading: no blank lines before it
		// (the BOM alone was taken for text).
		{"empty", "", "## Integration Patterns\n\n## Integration: A → B\n\nbody\n"},
		{"bom only", "\uFEFF", "\uFEFF## Integration Patterns\n\n## Integration: A → B\n\nbody\n"},
		{"bom and blank lines", "\uFEFF\r\n\r\n", "\uFEFF## Integration Patterns\r\n\r\n## Integration: A → B\r\n\r\nbody\r\n"},
		{
			"heading in a longer fence is code",
			"# T\n\n````md\n```\n## Integration Patterns\n```\n````\n\nText.\n",
			"# T\n\n````md\n```\n## Integration Patterns\n```\n````\n\nText.\n\n## Integration Patterns\n\n## Integration: A → B\n\nbody\n",
		},
		{
			"tilde fence does not close a backtick fence",
			"# T\n\n```md\n~~~\n## Integration Patterns\n```\n\nText.\n",
			"# T\n\n```md\n~~~\n## Integration Patterns\n```\n\nText.\n\n## Integration Patterns\n\n## Integration: A → B\n\nbody\n",
		},
		{
			"heading after a longer fence",
			"# T\n\n````md\n```\n````\n\n## Integration Patterns\n\n## Integration: X → Y\n\nold\n\n## Next\n",
			"# T\n\n````md\n```\n````\n\n## Integration Patterns\n\n## Integration: X → Y\n\nold\n\n## Integration: A → B\n\nbody\n\n## Next\n",
		},
		{
			"lone CR",
			"# T\r\r## Integration Patterns\r\r## Integration: X → Y\r\rold\r\r## Next\r\rtail\r",
			"# T\r\r## Integration Patterns\r\r## Integration: X → Y\r\rold\r\r## Integration: A → B\r\rbody\r\r## Next\r\rtail\r",
		},
	} {
		t.Run(tc.name, func(t *testing.T) { checkInsertSection(t, tc.src, sec, tc.want) })
	}
}

// A document that ends inside a fence that is never closed has everything
// after the fence as code: the inserted section is put after a closing fence
// (the opening one's indentation and run), in the document's line endings,
// or it would render as code.
func TestInsertSectionClosesAnOpenFence(t *testing.T) {
	const sec = "## Integration: A → B\n\nbody\n"
	for _, tc := range []struct {
		name, src, want string
		under           string // InsertAt the section starting here, to the end
	}{
		{
			"no heading", "# T\n\n```go\nx := 1\n",
			"# T\n\n```go\nx := 1\n```\n\n## Integration Patterns\n\n## Integration: A → B\n\nbody\n", "",
		},
		{
			"trailing blank lines, crlf, longer tilde fence, indented", "# T\r\n\r\n  ~~~~\r\nx := 1\r\n\r\n\r\n",
			"# T\r\n\r\n  ~~~~\r\nx := 1\r\n  ~~~~\r\n\r\n## Integration Patterns\r\n\r\n## Integration: A → B\r\n\r\nbody\r\n", "",
		},
		{
			"lone CR, no final line end", "# T\r\r```\rx",
			"# T\r\r```\rx\r```\r\r## Integration Patterns\r\r## Integration: A → B\r\rbody\r", "",
		},
		{
			"fence opening on a BOM line", "\uFEFF```\nx\n",
			"\uFEFF```\nx\n```\n\n## Integration Patterns\n\n## Integration: A → B\n\nbody\n", "",
		},
		{
			"only the opening line", "# T\n\n```md",
			"# T\n\n```md\n```\n\n## Integration Patterns\n\n## Integration: A → B\n\nbody\n", "",
		},
		{
			"open fence in the last integration section", "## Integration Patterns\n\n## Integration: X → Y\n\n```py\nold\n",
			"## Integration Patterns\n\n## Integration: X → Y\n\n```py\nold\n```\n\n## Integration: A → B\n\nbody\n", "",
		},
		{
			"InsertAt: open fence in the heading's section", "# T\n\n## Integration: A → B\n\n````py\nold\n",
			"# T\n\n## Integration: A → B\n\n````py\nold\n````\n\n## Integration: A → B\n\nbody\n", "## Integration: A → B",
		},
		{
			"closed fence: nothing added", "# T\n\n```go\nx := 1\n```\n",
			"# T\n\n```go\nx := 1\n```\n\n## Integration Patterns\n\n## Integration: A → B\n\nbody\n", "",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var e Edit
			if tc.under != "" {
				e = InsertAt([]byte(tc.src), strings.Index(tc.src, tc.under), len(tc.src), sec)
			} else {
				e = InsertSection([]byte(tc.src), sec)
			}
			if got := tc.src[:e.Span.Start] + e.Text + tc.src[e.Span.End:]; got != tc.want {
				t.Fatalf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}

// A setext heading ("Integration Patterns" underlined with = or -) is the
// patterns heading as much as "## Integration Patterns" is: the section goes
// under it, not under a second heading at the end; a setext heading of
// another part ends the patterns part as an ATX one does. A line that is not
// a heading of its own (the last line of a longer paragraph, a list item's
// lazy line) is not taken for one.
func TestInsertSectionFindsASetextPatternsHeading(t *testing.T) {
	const sec = "## Integration: A → B\n\nbody\n"
	for _, tc := range []struct{ name, src, want string }{
		{
			"= underline",
			"# T\n\nIntegration Patterns\n====================\n\n## Integration: X → Y\n\nold\n",
			"# T\n\nIntegration Patterns\n====================\n\n## Integration: X → Y\n\nold\n\n## Integration: A → B\n\nbody\n",
		},
		{
			"- underline, crlf, a setext heading after it",
			"Title\r\n=====\r\n\r\nIntegration Patterns\r\n---\r\n\r\n## Integration: X → Y\r\n\r\nold\r\n\r\nNext\r\n----\r\n\r\ntail\r\n",
			"Title\r\n=====\r\n\r\nIntegration Patterns\r\n---\r\n\r\n## Integration: X → Y\r\n\r\nold\r\n\r\n## Integration: A → B\r\n\r\nbody\r\n\r\nNext\r\n----\r\n\r\ntail\r\n",
		},
		{
			"lone CR, indented, trailing spaces",
			"# T\r\r  Integration Patterns  \r  ===\r\rText.\r",
			"# T\r\r  Integration Patterns  \r  ===\r\rText.\r\r## Integration: A → B\r\rbody\r",
		},
		{
			"on a BOM line",
			"\uFEFFIntegration Patterns\n---\n",
			"\uFEFFIntegration Patterns\n---\n\n## Integration: A → B\n\nbody\n",
		},
		{
			"setext integration heading does not end the part",
			"Integration Patterns\n===\n\nIntegration: X → Y\n---\n\nold\n",
			"Integration Patterns\n===\n\nIntegration: X → Y\n---\n\nold\n\n## Integration: A → B\n\nbody\n",
		},
		{
			"last line of a paragraph",
			"# T\n\nSee the\nIntegration Patterns\n---\n",
			"# T\n\nSee the\nIntegration Patterns\n---\n\n## Integration Patterns\n\n## Integration: A → B\n\nbody\n",
		},
		{
			"lazy line of a list item",
			"# T\n\n- see\nIntegration Patterns\n---\n",
			"# T\n\n- see\nIntegration Patterns\n---\n\n## Integration Patterns\n\n## Integration: A → B\n\nbody\n",
		},
		{
			"in a fence",
			"# T\n\n```md\nIntegration Patterns\n===\n```\n",
			"# T\n\n```md\nIntegration Patterns\n===\n```\n\n## Integration Patterns\n\n## Integration: A → B\n\nbody\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) { checkInsertSection(t, tc.src, sec, tc.want) })
	}
}

// checkInsertSection inserts sec into src and compares the text with want.
func checkInsertSection(t *testing.T, src, sec, want string) {
	t.Helper()
	e := InsertSection([]byte(src), sec)
	if got := src[:e.Span.Start] + e.Text + src[e.Span.End:]; got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

// A document is read as CommonMark reads it when the patterns section goes
// in. An HTML block of kinds 1 to 5 never ended at the end of the document
// (an open `<!--`, `<pre>`, `<script>`, `<?…`, `<![CDATA[`) holds every
// line after it, as a fence never closed does: the inserted section was
// hidden in it, and the pair stayed undocumented. A line that only looks
// like a fence (inline code "```npm install```", "    ```" of indented
// code) opens none: the patterns heading after it was not found, and a
// stray fence line went in. A heading counts only at the document's top
// level, not in an HTML comment or the front matter, but with up to three
// spaces before it.
func TestInsertSectionReadsTheDocumentAsCommonMark(t *testing.T) {
	const point = "Better Auth issues a JWT that FastAPI verifies.\n\n"
	const sec = "## Integration: Better Auth → FastAPI\n\nbody\n"
	for _, tc := range []struct{ name, src, want string }{
		{
			"open HTML comment",
			point + "<!-- TODO\nmore",
			point + "<!-- TODO\nmore\n-->\n\n## Integration Patterns\n\n" + sec,
		},
		{
			"open pre, crlf",
			strings.ReplaceAll(point, "\n", "\r\n") + "<PRE>\r\nx\r\n\r\n",
			strings.ReplaceAll(point+"<PRE>\nx\n</pre>\n\n## Integration Patterns\n\n"+sec, "\n", "\r\n"),
		},
		{
			"open script",
			point + "  <script>\nvar x\n",
			point + "  <script>\nvar x\n</script>\n\n## Integration Patterns\n\n" + sec,
		},
		{
			"open processing instruction",
			point + "<?php\necho 1;\n",
			point + "<?php\necho 1;\n?>\n\n## Integration Patterns\n\n" + sec,
		},
		{
			"open CDATA",
			point + "<![CDATA[\nx\n",
			point + "<![CDATA[\nx\n]]>\n\n## Integration Patterns\n\n" + sec,
		},
		{
			"open declaration",
			point + "<!DOCTYPE html\n",
			point + "<!DOCTYPE html\n>\n\n## Integration Patterns\n\n" + sec,
		},
		{
			"open comment after the patterns heading",
			point + "## Integration Patterns\n\n<!--\nnotes\n",
			point + "## Integration Patterns\n\n<!--\nnotes\n-->\n\n" + sec,
		},
		{
			"HTML block of kind 6 ends at a blank line",
			point + "<div>\nx\n",
			point + "<div>\nx\n\n## Integration Patterns\n\n" + sec,
		},
		{
			"fence without info string",
			point + "```\n",
			point + "```\n```\n\n## Integration Patterns\n\n" + sec,
		},
		{
			"inline code is no fence",
			point + "```npm install``` first.\n\n## Integration Patterns\n\nText.\n",
			point + "```npm install``` first.\n\n## Integration Patterns\n\nText.\n\n" + sec,
		},
		{
			"indented code is no fence",
			point + "    ```\n\n## Integration Patterns\n\nText.\n",
			point + "    ```\n\n## Integration Patterns\n\nText.\n\n" + sec,
		},
		{
			"heading in an HTML comment",
			point + "<!--\n## Integration Patterns\n-->\n\nText.\n",
			point + "<!--\n## Integration Patterns\n-->\n\nText.\n\n## Integration Patterns\n\n" + sec,
		},
		{
			"heading in the front matter",
			"---\nnote: |\n## Integration Patterns\n---\n\n" + point,
			"---\nnote: |\n## Integration Patterns\n---\n\n" + point + "## Integration Patterns\n\n" + sec,
		},
		{
			"heading indented three spaces",
			point + "   ## Integration Patterns\n\nText.\n\n## Next\n",
			point + "   ## Integration Patterns\n\nText.\n\n" + sec + "\n## Next\n",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			checkInsertSection(t, tc.src, sec, tc.want)
			env := defaultEnv(t)
			for _, p := range env.Analyze(&Input{Src: []byte(tc.want)}).Points {
				if !p.Documented {
					t.Errorf("after the edit %s → %s is not documented", p.From, p.To)
				}
			}
		})
	}
}
