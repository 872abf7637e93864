package analysis

import "bytes"

// LineIndex maps byte offsets to 0-based lines. Lines end at "\n", "\r\n" or
// a lone "\r", as in LSP.
type LineIndex struct {
	src    []byte
	starts []int
}

// NewLineIndex indexes src.
func NewLineIndex(src []byte) *LineIndex {
	li := &LineIndex{src: src, starts: make([]int, 1, len(src)/40+1)}
	if bytes.IndexByte(src, '\r') < 0 {
		// No carriage return: a vectorised search for line feeds.
		for i := 0; ; {
			j := bytes.IndexByte(src[i:], '\n')
			if j < 0 {
				return li
			}
			i += j + 1
			li.starts = append(li.starts, i)
		}
	}
	for i := 0; i < len(src); i++ {
		switch src[i] {
		case '\n':
			li.starts = append(li.starts, i+1)
		case '\r':
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			li.starts = append(li.starts, i+1)
		}
	}
	return li
}

// Count returns the number of lines.
func (li *LineIndex) Count() int { return len(li.starts) }

// Start returns the offset where line starts (clamped to the document).
func (li *LineIndex) Start(line int) int {
	if line < 0 {
		return 0
	}
	if line >= len(li.starts) {
		return len(li.src)
	}
	return li.starts[line]
}

// Line returns the 0-based line holding offset off.
func (li *LineIndex) Line(off int) int {
	lo, hi := 0, len(li.starts)-1
	for lo < hi {
		mid := (lo + hi + 1) / 2
		if li.starts[mid] <= off {
			lo = mid
		} else {
			hi = mid - 1
		}
	}
	return lo
}

// LineSpan returns the span of a line's content, without its terminator.
func (li *LineIndex) LineSpan(line int) Span {
	if line >= len(li.starts) {
		return Span{len(li.src), len(li.src)}
	}
	s := li.Start(line)
	e := len(li.src)
	if line+1 < len(li.starts) {
		e = li.starts[line+1]
	}
	for e > s && (li.src[e-1] == '\n' || li.src[e-1] == '\r') {
		e--
		if li.src[e] == '\n' && e > s && li.src[e-1] == '\r' {
			e--
		}
		break
	}
	return Span{s, e}
}
