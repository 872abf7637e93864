package lsp

// This file converts between the three ways positions are spoken of:
// byte offsets (Go strings, goldmark, internal/analysis), LSP positions in
// UTF-16 code units (the protocol's default and VS Code's only encoding), and
// LSP positions in UTF-8 bytes (offered when the client lists "utf-8" in
// general.positionEncodings). Lines end at "\n", "\r\n" or a lone "\r".
//
// One Mapper is built per document version and never changes.

import (
	"sort"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

// Encoding is the unit of Position.Character.
type Encoding uint8

// Position encodings.
const (
	UTF16 Encoding = iota
	UTF8
)

// Mapper converts positions for one immutable text.
type Mapper struct {
	text   string
	starts []int // byte offset of each line start
	ascii  bool
	enc    Encoding
}

// NewMapper indexes text.
func NewMapper(text string, enc Encoding) *Mapper {
	m := &Mapper{text: text, starts: make([]int, 1, len(text)/40+1), ascii: true, enc: enc}
	for i := 0; i < len(text); i++ {
		c := text[i]
		if c >= utf8.RuneSelf {
			m.ascii = false
			continue
		}
		switch c {
		case '\n':
			m.starts = append(m.starts, i+1)
		case '\r':
			if i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			m.starts = append(m.starts, i+1)
		}
	}
	return m
}

// lineEnd returns the offset of the end of line's content (before its
// terminator).
func (m *Mapper) lineEnd(line int) int {
	if line+1 >= len(m.starts) {
		return len(m.text)
	}
	e := m.starts[line+1]
	if e > 0 && m.text[e-1] == '\n' {
		e--
		if e > m.starts[line] && m.text[e-1] == '\r' {
			e--
		}
	} else if e > 0 && m.text[e-1] == '\r' {
		e--
	}
	return e
}

// lineBounds returns the start and the content end of the line holding
// offset off.
func (m *Mapper) lineBounds(off int) (int, int) {
	line := max(upperBound(m.starts, off)-1, 0)
	return m.starts[line], m.lineEnd(line)
}

// LineCount returns the number of lines.
func (m *Mapper) LineCount() int { return len(m.starts) }

// OffsetPosition converts a byte offset to a position. Offsets past the end
// are clamped; an offset inside a line terminator or a multi-byte rune maps
// to the start of it.
func (m *Mapper) OffsetPosition(off int) protocol.Position {
	off = min(max(off, 0), len(m.text))
	lo, hi := 0, len(m.starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if m.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	line := lo
	start := m.starts[line]
	off = min(off, m.lineEnd(line))
	if m.ascii || m.enc == UTF8 {
		// Back up to a rune start so a byte offset never splits a rune.
		for off > start && off < len(m.text) && !utf8.RuneStart(m.text[off]) {
			off--
		}
		return protocol.Position{Line: uint32(line), Character: uint32(off - start)}
	}
	col := 0
	for i := start; i < off; {
		r, size := utf8.DecodeRuneInString(m.text[i:])
		if i+size > off {
			break
		}
		if r >= 0x10000 {
			col += 2
		} else {
			col++
		}
		i += size
	}
	return protocol.Position{Line: uint32(line), Character: uint32(col)}
}

// PositionOffset converts a position to a byte offset. A line past the end
// maps to the end of the text, a character past the end of its line to the
// end of that line, and a character inside a surrogate pair to the start of
// its rune: positions from a client are clamped, never rejected, so a
// slightly stale client cannot crash an edit.
func (m *Mapper) PositionOffset(p protocol.Position) int {
	line := int(p.Line)
	if line >= len(m.starts) {
		return len(m.text)
	}
	start, end := m.starts[line], m.lineEnd(line)
	want := int(p.Character)
	if m.ascii || m.enc == UTF8 {
		off := min(start+want, end)
		for off > start && off < len(m.text) && !utf8.RuneStart(m.text[off]) {
			off--
		}
		return off
	}
	col := 0
	i := start
	for i < end {
		r, size := utf8.DecodeRuneInString(m.text[i:])
		w := 1
		if r >= 0x10000 {
			w = 2
		}
		if col+w > want {
			break
		}
		col += w
		i += size
	}
	return i
}

// Range converts a byte span to a range.
func (m *Mapper) Range(start, end int) protocol.Range {
	return protocol.Range{Start: m.OffsetPosition(start), End: m.OffsetPosition(end)}
}

// RangeOffsets converts a range to a byte span, ordering reversed ends.
func (m *Mapper) RangeOffsets(r protocol.Range) (int, int) {
	s, e := m.PositionOffset(r.Start), m.PositionOffset(r.End)
	if e < s {
		s, e = e, s
	}
	return s, e
}

// Text returns the mapped text.
func (m *Mapper) Text() string { return m.text }

// byteRange is the range of [start, end) with columns counted in bytes,
// whatever the mapper's encoding: what a client that confuses the two
// sends back (findingAt).
func (m *Mapper) byteRange(start, end int) protocol.Range {
	pos := func(off int) protocol.Position {
		off = max(0, min(off, len(m.text)))
		line := sort.SearchInts(m.starts, off+1) - 1
		return protocol.Position{Line: uint32(line), Character: uint32(off - m.starts[line])}
	}
	return protocol.Range{Start: pos(start), End: pos(end)}
}
