package lsp

import "go.lsp.dev/protocol"

// contentChange is one entry of didChange's contentChanges: a replacement
// of Range, or the whole text when Range is nil.
type contentChange struct {
	Range *protocol.Range `json:"range"`
	Text  string          `json:"text"`
}

// applyChanges applies the content changes of one didChange, in order, to
// the text that m maps, and returns the new text with its mapper. Each
// change's range is read against the text left by the changes before it,
// as the specification says. Positions past a line's end or the
// document's end are clamped (see Mapper.PositionOffset).
func applyChanges(m *Mapper, changes []contentChange) *Mapper {
	return applyChangesInto(m, changes, nil)
}

// applyChangesInto is applyChanges with spare buffers for the first
// ranged change (spare.go); sp may be nil.
func applyChangesInto(m *Mapper, changes []contentChange, sp *spareBufs) *Mapper {
	for _, c := range changes {
		if c.Range == nil {
			m = NewMapper(c.Text, m.enc)
			continue
		}
		start, end := m.RangeOffsets(*c.Range)
		m = m.editInto(start, end, c.Text, sp)
		sp = nil
	}
	return m
}
