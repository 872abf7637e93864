package lsp

import "strings"

// alreadyInserted reports whether the document already holds the heading
// that section starts with ("## Integration: A → B"): inserting it again
// would duplicate the pattern, so the insert commands do nothing instead.
func alreadyInserted(text, section string) bool {
	head, _, _ := strings.Cut(section, "\n")
	head = strings.TrimSpace(head)
	if head == "" {
		return false
	}
	for line := range strings.Lines(text) {
		if strings.TrimSpace(line) == head {
			return true
		}
	}
	return false
}
