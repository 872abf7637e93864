package lsp

import (
	"strings"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// alreadyInserted reports whether the analysed document already holds the
// heading that section starts with ("## Integration: A → B") as an
// `Integration:` heading of its own, outside code: inserting it again
// would duplicate the pattern, so the insert commands do nothing instead.
// The same line in a code block (an example of the format) documents
// nothing and does not count.
func alreadyInserted(res *analysis.Result, section string) bool {
	head, _, _ := strings.Cut(section, "\n")
	head = headingText(head)
	if head == "" {
		return false
	}
	for _, sec := range res.Sections {
		if sec.Pattern != nil || sec.Integration == "" {
			continue
		}
		sp := res.Lines.LineSpan(sec.Line)
		if headingText(string(res.Doc.Src[sp.Start:sp.End])) == head {
			return true
		}
	}
	return false
}

// headingText is a heading line without its `#` marks and outer blanks (a
// setext heading's line has none).
func headingText(line string) string {
	return strings.TrimSpace(strings.Trim(strings.TrimSpace(line), "#"))
}
