package lsp

// Edit returns the Mapper of the text with [start, end) replaced by ins.
// It reuses the line index: starts before the edit are kept, starts after
// it are shifted, and only the inserted text is scanned, so an edit costs a
// copy of the text and of the line table rather than a rescan of every
// byte. The result maps exactly as NewMapper of the new text would.
func (m *Mapper) Edit(start, end int, ins string) *Mapper {
	return m.editInto(start, end, ins, nil)
}

// editInto is Edit building the new text and line table in sp's buffers
// when they are large enough (spare.go); sp may be nil.
func (m *Mapper) editInto(start, end int, ins string, sp *spareBufs) *Mapper {
	start = min(max(start, 0), len(m.text))
	end = min(max(end, start), len(m.text))
	nt := sp.concat(m.text[:start], ins, m.text[end:])
	delta := len(ins) - (end - start)
	n := &Mapper{text: nt, enc: m.enc, ascii: m.ascii && isASCII(ins)}

	// Old line starts v < start keep their place: whether v starts a line
	// depends on text[v-1] and text[v] only, and both are unchanged.
	keep := max(upperBound(m.starts, start-1), 1) // line 0 always starts at 0
	tail := lowerBound(m.starts, end+1)           // starts v > end move by delta
	n.starts = sp.lineTable(keep + len(m.starts) - tail + countNewlines(ins) + 1)
	n.starts = append(n.starts, m.starts[:keep]...)
	for v := max(start, 1); v <= start+len(ins) && v <= len(nt); v++ {
		if lineStartsAt(nt, v) {
			n.starts = append(n.starts, v)
		}
	}
	for _, v := range m.starts[tail:] {
		n.starts = append(n.starts, v+delta)
	}
	return n
}

// lineStartsAt reports whether a line starts at offset v > 0 of text: the
// byte before is "\n", or a "\r" not followed by "\n".
func lineStartsAt(text string, v int) bool {
	switch text[v-1] {
	case '\n':
		return true
	case '\r':
		return v == len(text) || text[v] != '\n'
	}
	return false
}

// upperBound returns the number of elements of sorted s that are <= x.
func upperBound(s []int, x int) int {
	lo, hi := 0, len(s)
	for lo < hi {
		mid := (lo + hi) / 2
		if s[mid] <= x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

// lowerBound returns the index of the first element of sorted s that is >= x.
func lowerBound(s []int, x int) int {
	lo, hi := 0, len(s)
	for lo < hi {
		mid := (lo + hi) / 2
		if s[mid] < x {
			lo = mid + 1
		} else {
			hi = mid
		}
	}
	return lo
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

func countNewlines(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		if s[i] == '\n' || s[i] == '\r' {
			n++
		}
	}
	return n
}
