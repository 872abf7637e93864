package lsp

import (
	"sync/atomic"
	"unsafe"
)

// A keystroke in a document of several megabytes copies its text and line
// table (Mapper.Edit): about 6 MB for a 5 MB document. That copy is on the
// path of every request that follows the change, since requests are
// answered in order, and while the document's analysis runs the collector
// is marking most of the time: an allocation that large then pays for
// marking in proportion to its size before it returns, and fresh memory
// pays a page fault per page. Instrumented while typing into a 5 MB
// document under analysis, didChange took 5-100 ms; with buffers ready,
// under 4 ms.
//
// So a large document's next buffers are allocated ahead, off that path: a
// goroutine started after each change allocates them, and the next change
// copies into them. Each pair of buffers is used by one edit only, and
// never written after it, so the text built in it is as immutable as any
// Go string.

// spareMin is the document size from which edits use spare buffers; below
// it a copy costs little.
const spareMin = 512 << 10

// spareSlack is the room a spare leaves for the document to grow: typing
// between two fills rarely adds more.
const spareSlack = 64 << 10

// spareBufs are buffers for one edit of a large document: its text and
// line table.
type spareBufs struct {
	text   []byte
	starts []int
}

// spares hands out a document's spare buffers.
type spares struct {
	next    atomic.Pointer[spareBufs]
	filling atomic.Bool
}

// take returns the spare buffers, if there are any, for the caller's sole
// use.
func (s *spares) take() *spareBufs { return s.next.Swap(nil) }

// refill allocates spare buffers for the next edit of m's text in the
// background, if m is large and none are ready or being allocated.
func (s *spares) refill(m *Mapper) {
	if len(m.text) < spareMin || s.next.Load() != nil || !s.filling.CompareAndSwap(false, true) {
		return
	}
	go func() {
		defer s.filling.Store(false)
		s.next.Store(newSpareBufs(m))
	}()
}

// newSpareBufs allocates buffers for the next edit of m's text.
func newSpareBufs(m *Mapper) *spareBufs {
	text, starts := make([]byte, len(m.text)+spareSlack), make([]int, len(m.starts)+spareSlack/16)
	// Memory fresh from the system is mapped on first write, a fault per
	// page: 1,500 of them for a 5 MB document, several milliseconds in a
	// virtual machine. They are taken here.
	for i := 0; i < len(text); i += pageSize {
		text[i] = 0
	}
	for i := 0; i < len(starts); i += pageSize / 8 {
		starts[i] = 0
	}
	return &spareBufs{text: text[:0], starts: starts[:0]}
}

// pageSize is the smallest page size of the systems Go runs on; touching
// every pageSize-th byte touches every page.
const pageSize = 4096

// concat returns a+b+c, built in sp's text buffer when it is large enough.
func (sp *spareBufs) concat(a, b, c string) string {
	n := len(a) + len(b) + len(c)
	if sp == nil || cap(sp.text) < n || n == 0 {
		return a + b + c
	}
	buf := append(append(append(sp.text[:0], a...), b...), c...)
	sp.text = nil // used once: the string now owns it
	return unsafe.String(unsafe.SliceData(buf), n)
}

// lineTable returns an empty line table with room for n starts: sp's when
// it is large enough.
func (sp *spareBufs) lineTable(n int) []int {
	if sp == nil || cap(sp.starts) < n {
		return make([]int, 0, n)
	}
	t := sp.starts[:0]
	sp.starts = nil
	return t
}
