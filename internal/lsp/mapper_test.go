package lsp

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"go.lsp.dev/protocol"
)

func pos(line, char uint32) protocol.Position { return protocol.Position{Line: line, Character: char} }

func TestMapperOffsetPosition(t *testing.T) {
	tests := []struct {
		name string
		text string
		enc  Encoding
		off  int
		want protocol.Position
	}{
		{"ascii start", "hello\nworld", UTF16, 0, pos(0, 0)},
		{"ascii mid", "hello\nworld", UTF16, 3, pos(0, 3)},
		{"ascii eol", "hello\nworld", UTF16, 5, pos(0, 5)},
		{"ascii next line", "hello\nworld", UTF16, 6, pos(1, 0)},
		{"ascii end", "hello\nworld", UTF16, 11, pos(1, 5)},
		{"past end clamps", "hello\nworld", UTF16, 99, pos(1, 5)},
		{"negative clamps", "hello", UTF16, -3, pos(0, 0)},
		{"é is one unit", "é!", UTF16, 2, pos(0, 1)},
		{"é is two bytes in utf-8", "é!", UTF8, 2, pos(0, 2)},
		{"inside é maps to its start", "é!", UTF16, 1, pos(0, 0)},
		{"inside é maps to its start utf-8", "é!", UTF8, 1, pos(0, 0)},
		{"你 is one unit", "a你b", UTF16, 4, pos(0, 2)},
		{"你 is three bytes", "a你b", UTF8, 4, pos(0, 4)},
		{"😀 is two units", "a😀b", UTF16, 5, pos(0, 3)},
		{"😀 is four bytes", "a😀b", UTF8, 5, pos(0, 5)},
		{"inside 😀", "a😀b", UTF16, 3, pos(0, 1)},
		{"crlf line 1", "ab\r\ncd", UTF16, 4, pos(1, 0)},
		{"inside crlf maps to eol", "ab\r\ncd", UTF16, 3, pos(0, 2)},
		{"lone cr", "ab\rcd", UTF16, 3, pos(1, 0)},
		{"lone cr then lf is one terminator", "a\r\nb\rc\nd", UTF16, 7, pos(3, 0)},
		{"trailing newline", "ab\n", UTF16, 3, pos(1, 0)},
		{"bom counts as a character", "\uFEFF# T", UTF16, 3, pos(0, 1)},
		{"bom is three bytes", "\uFEFF# T", UTF8, 3, pos(0, 3)},
		{"empty", "", UTF16, 0, pos(0, 0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewMapper(tt.text, tt.enc).OffsetPosition(tt.off); got != tt.want {
				t.Errorf("OffsetPosition(%q, %d) = %v, want %v", tt.text, tt.off, got, tt.want)
			}
		})
	}
}

func TestMapperPositionOffset(t *testing.T) {
	tests := []struct {
		name string
		text string
		enc  Encoding
		p    protocol.Position
		want int
	}{
		{"ascii", "hello\nworld", UTF16, pos(1, 2), 8},
		{"char past eol clamps to eol", "hello\nworld", UTF16, pos(0, 40), 5},
		{"line past end clamps to end", "hello\nworld", UTF16, pos(7, 0), 11},
		{"last line past end", "hello\nworld", UTF16, pos(1, 99), 11},
		{"after é", "é!", UTF16, pos(0, 1), 2},
		{"utf-8 after é", "é!", UTF8, pos(0, 2), 2},
		{"utf-8 inside é", "é!", UTF8, pos(0, 1), 0},
		{"after 你", "a你b", UTF16, pos(0, 2), 4},
		{"after 😀", "a😀b", UTF16, pos(0, 3), 5},
		{"surrogate half maps to rune start", "a😀b", UTF16, pos(0, 2), 1},
		{"utf-8 inside 😀", "a😀b", UTF8, pos(0, 3), 1},
		{"crlf eol", "ab\r\ncd", UTF16, pos(0, 9), 2},
		{"crlf line 1", "ab\r\ncd", UTF16, pos(1, 1), 5},
		{"lone cr", "ab\rcd", UTF16, pos(1, 1), 4},
		{"empty last line", "ab\n", UTF16, pos(1, 0), 3},
		{"bom", "\uFEFF# T", UTF16, pos(0, 1), 3},
		{"bom utf-8", "\uFEFF# T", UTF8, pos(0, 3), 3},
		{"empty text", "", UTF16, pos(3, 3), 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := NewMapper(tt.text, tt.enc).PositionOffset(tt.p); got != tt.want {
				t.Errorf("PositionOffset(%q, %v) = %d, want %d", tt.text, tt.p, got, tt.want)
			}
		})
	}
}

func TestMapperRangeOffsetsOrdersReversedEnds(t *testing.T) {
	m := NewMapper("abc\ndef", UTF16)
	s, e := m.RangeOffsets(protocol.Range{Start: pos(1, 1), End: pos(0, 1)})
	if s != 1 || e != 5 {
		t.Fatalf("RangeOffsets reversed = %d,%d, want 1,5", s, e)
	}
}

func TestMapperLineCount(t *testing.T) {
	for text, want := range map[string]int{"": 1, "a": 1, "a\n": 2, "a\r\nb": 2, "a\rb\r": 3, "\n\n\n": 4} {
		if got := NewMapper(text, UTF16).LineCount(); got != want {
			t.Errorf("LineCount(%q) = %d, want %d", text, got, want)
		}
	}
}

// refLines splits text at "\n", "\r\n" and lone "\r", returning each line's
// start offset and content: the reference the Mapper is checked against.
func refLines(text string) (starts []int, lines []string) {
	starts = []int{0}
	ls := 0
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '\n', '\r':
			lines = append(lines, text[ls:i])
			if text[i] == '\r' && i+1 < len(text) && text[i+1] == '\n' {
				i++
			}
			ls = i + 1
			starts = append(starts, ls)
		}
	}
	lines = append(lines, text[ls:])
	return starts, lines
}

// refWidth is the width of s in the encoding's units.
func refWidth(s string, enc Encoding) int {
	if enc == UTF8 {
		return len(s)
	}
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

// refOffset is the reference PositionOffset: clamp the line, then walk runes
// while they fit in the requested width.
func refOffset(text string, enc Encoding, p protocol.Position) int {
	starts, lines := refLines(text)
	if int(p.Line) >= len(lines) {
		return len(text)
	}
	line := lines[p.Line]
	col, i := 0, 0
	for i < len(line) {
		r, size := utf8.DecodeRuneInString(line[i:])
		w := size
		if enc == UTF16 {
			w = utf16.RuneLen(r)
			if r == utf8.RuneError {
				w = 1
			}
		}
		if col+w > int(p.Character) {
			break
		}
		col += w
		i += size
	}
	return starts[p.Line] + i
}

// refPosition is the reference OffsetPosition for valid UTF-8 text.
func refPosition(text string, enc Encoding, off int) protocol.Position {
	off = min(max(off, 0), len(text))
	starts, lines := refLines(text)
	l := 0
	for l+1 < len(starts) && starts[l+1] <= off {
		l++
	}
	rel := min(off-starts[l], len(lines[l]))
	for rel > 0 && rel < len(lines[l]) && !utf8.RuneStart(lines[l][rel]) {
		rel--
	}
	return protocol.Position{Line: uint32(l), Character: uint32(refWidth(lines[l][:rel], enc))}
}

func TestMapperAgainstReference(t *testing.T) {
	texts := []string{
		"", "a", "hello\nworld\n", "é\r\n你\r😀\n\n", "\uFEFF---\ntitle: x\n", "\r\r\n\n\r",
		"| a | b |\n|---|---|\n| é | 😀 |\r\n", strings.Repeat("x😀é\r\n", 20),
	}
	for _, text := range texts {
		checkMapper(t, text)
	}
}

// checkMapper compares every offset and every position (including ones
// past the ends of lines and of the text) with the reference.
func checkMapper(t *testing.T, text string) {
	t.Helper()
	_, lines := refLines(text)
	for _, enc := range []Encoding{UTF16, UTF8} {
		m := NewMapper(text, enc)
		if m.LineCount() != len(lines) {
			t.Fatalf("%q: LineCount = %d, want %d", text, m.LineCount(), len(lines))
		}
		for off := -1; off <= len(text)+1; off++ {
			got, want := m.OffsetPosition(off), refPosition(text, enc, off)
			if got != want {
				t.Fatalf("%q enc %d: OffsetPosition(%d) = %v, want %v", text, enc, off, got, want)
			}
			// Round trip: a rune boundary inside a line's content maps back
			// to itself.
			if off >= 0 && off <= len(text) && (off == len(text) || utf8.RuneStart(text[off])) {
				back := m.PositionOffset(got)
				if refOffset(text, enc, got) != back {
					t.Fatalf("%q enc %d: PositionOffset(%v) = %d, reference %d", text, enc, got, back, refOffset(text, enc, got))
				}
				if m.OffsetPosition(back) != got {
					t.Fatalf("%q enc %d: round trip of %d: %v -> %d -> %v", text, enc, off, got, back, m.OffsetPosition(back))
				}
			}
		}
		for l := 0; l <= len(lines)+1; l++ {
			w := 0
			if l < len(lines) {
				w = refWidth(lines[l], enc)
			}
			for c := 0; c <= w+2; c++ {
				p := pos(uint32(l), uint32(c))
				if got, want := m.PositionOffset(p), refOffset(text, enc, p); got != want {
					t.Fatalf("%q enc %d: PositionOffset(%v) = %d, want %d", text, enc, p, got, want)
				}
			}
		}
	}
}

func TestMapperEditMatchesNewMapper(t *testing.T) {
	base := "ab\r\ncd\ref\n😀é\n"
	inserts := []string{"", "x", "\n", "\r", "\r\n", "é\n你", "\n\r"}
	for start := 0; start <= len(base); start++ {
		for end := start; end <= len(base) && end <= start+4; end++ {
			for _, ins := range inserts {
				checkEdit(t, base, start, end, ins)
			}
		}
	}
}

// checkEdit compares Mapper.Edit with a fresh NewMapper of the result.
func checkEdit(t *testing.T, text string, start, end int, ins string) {
	t.Helper()
	got := NewMapper(text, UTF16).Edit(start, end, ins)
	want := NewMapper(text[:start]+ins+text[end:], UTF16)
	if got.text != want.text {
		t.Fatalf("Edit(%q, %d, %d, %q) text = %q, want %q", text, start, end, ins, got.text, want.text)
	}
	if len(got.starts) != len(want.starts) {
		t.Fatalf("Edit(%q, %d, %d, %q) starts = %v, want %v", text, start, end, ins, got.starts, want.starts)
	}
	for i := range got.starts {
		if got.starts[i] != want.starts[i] {
			t.Fatalf("Edit(%q, %d, %d, %q) starts = %v, want %v", text, start, end, ins, got.starts, want.starts)
		}
	}
	if want.ascii == false && got.ascii {
		t.Fatalf("Edit(%q, %d, %d, %q): ascii fast path on non-ASCII text", text, start, end, ins)
	}
}
