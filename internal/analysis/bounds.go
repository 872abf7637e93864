package analysis

import "bytes"

// contextWindow bounds how far the context rules (sentence, placeholder,
// URL detection) look around a mention. Real sentences and lines are far
// shorter; without the bound a megabyte-long line with many mentions would
// be scanned once per mention, which is quadratic.
const contextWindow = 2048

// sentenceWindow bounds a sentence around a mention for the cue rules. The
// rules run several regular expressions per mention, so this window, not
// contextWindow, sets the cost of a long line full of mentions; cue words
// farther than this from a mention do not govern it anyway.
const sentenceWindow = 320

// tailWindow is how much text before a mention the rules anchored at the
// mention ("not X", "never store X") look at.
const tailWindow = 96

// nearLineStart is lineStart, looking back at most contextWindow bytes.
func nearLineStart(src []byte, off int) int {
	off = min(max(off, 0), len(src))
	lo := max(off-contextWindow, 0)
	if i := bytes.LastIndexAny(src[lo:off], "\r\n"); i >= 0 {
		return lo + i + 1
	}
	return lo
}

// nearLineEnd is lineEnd, looking ahead at most contextWindow bytes.
func nearLineEnd(src []byte, off int) int {
	off = min(max(off, 0), len(src))
	hi := min(off+contextWindow, len(src))
	if i := bytes.IndexAny(src[off:hi], "\r\n"); i >= 0 {
		return off + i
	}
	return hi
}
