package analysis

import "testing"

// TestInsertUnder: the part of an `## Integration:` heading ends at the next
// heading of level 1 or 2 of the document's top level; headings in a block
// quote, a list item or code do not end it.
func TestInsertUnder(t *testing.T) {
	const h = "## Integration: FastAPI → SQLModel\n\n"
	const sec = "### Pattern: P\n\nbody\n"
	for _, tc := range []struct {
		name, doc, want string
	}{
		{"next heading", h + "text\n\n## Notes\n", h + "text\n\n" + sec + "\n## Notes\n"},
		{"setext heading", h + "text\n\nNotes\n-----\n", h + "text\n\n" + sec + "\nNotes\n-----\n"},
		{"level 3 does not end it", h + "### Pattern: Q\n\n## Notes\n", h + "### Pattern: Q\n\n" + sec + "\n## Notes\n"},
		{"quote", h + "> a\n>\n> ## Sub\n> b\n\n## Notes\n", h + "> a\n>\n> ## Sub\n> b\n\n" + sec + "\n## Notes\n"},
		{"list item", h + "- a\n\n  ## Sub\n\n  b\n\n# End\n", h + "- a\n\n  ## Sub\n\n  b\n\n" + sec + "\n# End\n"},
		{"code", h + "```md\n## Sub\n```\n\n## Notes\n", h + "```md\n## Sub\n```\n\n" + sec + "\n## Notes\n"},
		{"quote at the end", h + "> a\n> ## Sub\n", h + "> a\n> ## Sub\n\n" + sec},
		{"fence open at the end", h + "```md\n## Sub\n", h + "```md\n## Sub\n```\n\n" + sec},
		{"crlf", "## Integration: A → B\r\n\r\n> ## Sub\r\n\r\n## Notes\r\n", "## Integration: A → B\r\n\r\n> ## Sub\r\n\r\n### Pattern: P\r\n\r\nbody\r\n\r\n## Notes\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			src := []byte(tc.doc)
			e := InsertUnder(src, 0, sec)
			got := string(src[:e.Span.Start]) + e.Text + string(src[e.Span.End:])
			if got != tc.want {
				t.Fatalf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}
