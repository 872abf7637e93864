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
