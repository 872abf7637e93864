package lsp

import (
	"context"
	"log/slog"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// snapshot is one immutable version of an open document.
type snapshot struct {
	uri     protocol.DocumentURI
	version int32
	text    string
	mapper  *Mapper
}

// analyzed pairs a snapshot with its analysis. gen is the document's
// generation when the analysis started: settings, a constitution or a
// workspace change bump it, and an analysis of an older generation is
// outdated even for the same snapshot.
type analyzed struct {
	snap *snapshot
	res  *analysis.Result
	gen  uint64
	// stack is the stack the analysis used (nil without a workspace); its
	// texts map related information to positions.
	stack *analysis.Stack
}

// document is an open document: its current snapshot, its latest analysis
// and the goroutine that keeps the analysis up to date.
type document struct {
	cur  atomic.Pointer[snapshot]
	last atomic.Pointer[analyzed]
	gen  atomic.Uint64
	// failed is the snapshot whose last analysis panicked, so requests
	// waiting for it get an error instead of waiting forever.
	failed atomic.Pointer[snapshot]
	// typed is set by the first change: from then on the document's
	// analyses do not wait for a background slot (Server.slots).
	typed atomic.Bool
	// took is how long the last analysis took (ns): hover waits for the
	// analysis of the current version only when it is expected soon.
	took atomic.Int64
	// run is the analysis in progress: its snapshot, generation and cancel.
	runMu     sync.Mutex
	runSnap   *snapshot
	runGen    uint64
	runCancel context.CancelFunc
	// sig is closed and replaced whenever cur, last, failed or gen change.
	sigMu  sync.Mutex
	sig    chan struct{}
	kick   chan struct{}
	done   chan struct{}
	closed atomic.Bool
	pubMu  sync.Mutex // orders publishes with the clearing on close
	once   sync.Once
	// memo carries the detectors' answers from one analysis of the
	// document to the next, so re-analysis costs about what an edit changed.
	// Only the documents opened or changed last keep one (memoCap).
	memo atomic.Pointer[analysis.Memo]
	// spares are buffers allocated ahead for the next edit of a large
	// document (spare.go).
	spares spares

	// The server's own edits (codeaction.go beginEdit): one at a time, and
	// at most one per version.
	editMu        sync.Mutex
	editing       bool
	edited        bool
	editedVersion int32
}

func (d *document) stop() { d.once.Do(func() { close(d.done) }) }

func newDocument() *document {
	return &document{kick: make(chan struct{}, 1), done: make(chan struct{}), sig: make(chan struct{})}
}

// changed returns a channel closed at the next change of the document.
func (d *document) changed() <-chan struct{} {
	d.sigMu.Lock()
	defer d.sigMu.Unlock()
	return d.sig
}

// signal wakes the requests waiting for a change.
func (d *document) signal() {
	d.sigMu.Lock()
	close(d.sig)
	d.sig = make(chan struct{})
	d.sigMu.Unlock()
}

// invalidate marks every analysis so far outdated (an input other than the
// text changed) and asks the worker for a new one.
func (d *document) invalidate() {
	d.gen.Add(1)
	d.cancelStale()
	d.signal()
	d.schedule()
}

// startRun records the analysis of snap at gen as the one in progress and
// returns its context. It is cancelled as soon as the document has moved
// on: here already if a change came between loading snap and this call.
func (d *document) startRun(parent context.Context, snap *snapshot, gen uint64) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(parent)
	d.runMu.Lock()
	d.runSnap, d.runGen, d.runCancel = snap, gen, cancel
	d.runMu.Unlock()
	d.cancelStale()
	return ctx, func() {
		d.runMu.Lock()
		d.runSnap, d.runCancel = nil, nil
		d.runMu.Unlock()
		cancel()
	}
}

// cancelStale stops the analysis in progress when its version or generation
// is no longer the document's: nobody will see its result, and the
// analysis of the latest version should not wait for it.
func (d *document) cancelStale() {
	d.runMu.Lock()
	defer d.runMu.Unlock()
	if d.runCancel != nil && (d.runSnap != d.cur.Load() || d.runGen != d.gen.Load() || d.closed.Load()) {
		d.runCancel()
	}
}

// exact reports whether a is an up-to-date analysis of snap.
func (d *document) exact(a *analyzed, snap *snapshot) bool {
	return a != nil && a.snap == snap && a.gen == d.gen.Load()
}

// schedule asks the worker to analyse the current snapshot. Kicks coalesce:
// a burst of keystrokes is analysed once, at its last version.
func (d *document) schedule() {
	select {
	case d.kick <- struct{}{}:
	default:
	}
}

func (s *Server) newSnapshot(uri protocol.DocumentURI, version int32, text string) *snapshot {
	s.mu.Lock()
	enc := s.caps.encoding
	s.mu.Unlock()
	return &snapshot{uri: uri, version: version, text: text, mapper: NewMapper(text, enc)}
}

func (s *Server) doc(uri protocol.DocumentURI) *document {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.docs[uri]
}

func (s *Server) didOpen(ctx context.Context, p *protocol.DidOpenTextDocumentParams) (any, error) {
	uri := p.TextDocument.URI
	if isConfigURI(uri) {
		s.configDocument(uri, &p.TextDocument.Text)
		return nil, nil
	}
	d := newDocument()
	d.cur.Store(s.newSnapshot(uri, p.TextDocument.Version, p.TextDocument.Text))
	d.spares.refill(d.cur.Load().mapper)
	s.mu.Lock()
	if old := s.docs[uri]; old != nil {
		old.closed.Store(true)
		old.stop()
		s.memos.drop(old)
	}
	s.docs[uri] = d
	s.mu.Unlock()
	s.memos.touch(d)
	s.overlay(uri, p.TextDocument.Text)
	go s.worker(d)
	d.schedule()
	s.refreshDependents(pathOf(uri), uri)
	return nil, nil
}

// didChangeParams is decoded here rather than with go.lsp.dev's type, whose
// Range is not a pointer: a whole-text change would decode as an insertion
// at 0:0 (go-lsp-style.md §1.10).
type didChangeParams struct {
	TextDocument   protocol.VersionedTextDocumentIdentifier `json:"textDocument"`
	ContentChanges []contentChange                          `json:"contentChanges"`
}

func (s *Server) didChange(ctx context.Context, p *didChangeParams) (any, error) {
	uri := p.TextDocument.URI
	if isConfigURI(uri) {
		s.configChange(p)
		return nil, nil
	}
	d := s.doc(uri)
	if d == nil {
		s.logToClient(protocol.MessageTypeWarning, "ipf-lsp: didChange for %s, which is not open: ignored", uri)
		return nil, nil
	}
	cur := d.cur.Load()
	if p.TextDocument.Version <= cur.version {
		s.logToClient(protocol.MessageTypeWarning, "ipf-lsp: didChange for %s has version %d, not newer than %d: ignored", uri, p.TextDocument.Version, cur.version)
		return nil, nil
	}
	m := applyChangesInto(cur.mapper, p.ContentChanges, d.spares.take())
	d.spares.refill(m)
	d.cur.Store(&snapshot{uri: uri, version: p.TextDocument.Version, text: m.Text(), mapper: m})
	// The workspace's copy first: the stacks read from it (this document's,
	// if it is a constitution or a plan, and its dependents') must be of
	// the text any analysis woken below sees.
	s.overlay(uri, m.Text())
	d.typed.Store(true)
	s.memos.touch(d)
	d.cancelStale()
	d.signal()
	d.schedule()
	s.refreshDependents(pathOf(uri), uri)
	return nil, nil
}

func (s *Server) didClose(ctx context.Context, p *protocol.DidCloseTextDocumentParams) (any, error) {
	uri := p.TextDocument.URI
	if isConfigURI(uri) {
		s.configDocument(uri, nil)
		return nil, nil
	}
	s.mu.Lock()
	d := s.docs[uri]
	delete(s.docs, uri)
	s.mu.Unlock()
	if d == nil {
		return nil, nil
	}
	d.closed.Store(true)
	d.stop()
	d.cancelStale()
	s.memos.drop(d)
	d.signal()
	d.pubMu.Lock()
	s.notify(s.ctx, "textDocument/publishDiagnostics", &publishParams{URI: uri, Diagnostics: []protocol.Diagnostic{}})
	d.pubMu.Unlock()
	if s.isPackURI(uri) {
		// A skipped pack file's problems are published again, as for a
		// file never opened.
		s.publishPackDiagnostics()
	}
	s.forget(uri)
	s.refreshDependents(pathOf(uri), uri)
	return nil, nil
}

func (s *Server) didSave(ctx context.Context, p *protocol.DidSaveTextDocumentParams) (any, error) {
	if isConfigURI(p.TextDocument.URI) || s.isPackURI(p.TextDocument.URI) {
		s.applyConfig()
	}
	s.refreshDependents(pathOf(p.TextDocument.URI), p.TextDocument.URI)
	return nil, nil
}

// worker keeps one document's diagnostics current until it is closed.
// A change cancels the analysis of the version it replaces (cancelStale),
// and kicks coalesce: while one version is analysed, any number of changes
// leave one kick, and the next analysis takes the latest version. So once
// typing stops, the diagnostics of the last version come after one analysis
// (with the document's memo, about what changed since the last completed
// one; a cancelled analysis keeps what it had learnt).
func (s *Server) worker(d *document) {
	for {
		select {
		case <-d.kick:
		case <-d.done:
			return
		case <-s.ctx.Done():
			return
		}
		// Documents not typed into share the background slots: opening a
		// hundred documents analyses a few at a time, rather than a hundred
		// at once each holding its half-built analysis in memory. The
		// document being edited never waits for them.
		held := false
		for !held && !d.typed.Load() {
			ch := d.changed() // a first change ends the wait
			select {
			case s.slots <- struct{}{}:
				held = true
			case <-ch:
			case <-d.done:
				return
			case <-s.ctx.Done():
				return
			}
		}
		gen := d.gen.Load()
		snap := d.cur.Load()
		ctx, done := d.startRun(s.ctx, snap, gen)
		start := time.Now()
		a := s.safeAnalyze(ctx, snap, d.memo.Load())
		took := time.Since(start)
		cancelled := ctx.Err() != nil
		done()
		if s.log.Enabled(s.ctx, slog.LevelDebug) {
			s.log.Debug("analysed", "uri", string(snap.uri), "version", snap.version, "ms", msSince(start), "cancelled", cancelled)
		}
		if held {
			<-s.slots
		}
		if cancelled {
			continue // a newer version or generation is on its way
		}
		d.took.Store(int64(took))
		if a == nil {
			d.failed.Store(snap)
			d.signal()
			continue
		}
		a.gen = gen
		d.failed.Store(nil)
		d.last.Store(a)
		d.signal()
		s.publish(d, a)
	}
}

// safeAnalyze analyses snap, turning a panic into a log line: nothing
// recovers panics on the worker's goroutine, and one would end the process
// and the user's session.
func (s *Server) safeAnalyze(ctx context.Context, snap *snapshot, memo *analysis.Memo) (a *analyzed) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in analysis", "uri", snap.uri, "version", snap.version, "panic", p, "stack", string(debug.Stack()))
			a = nil
		}
	}()
	return s.analyzeSnapshot(ctx, snap, memo)
}

// analyzeSnapshot runs the analysis of one version; memo may be nil. It
// returns nil when ctx is cancelled first.
func (s *Server) analyzeSnapshot(ctx context.Context, snap *snapshot, memo *analysis.Memo) *analyzed {
	if s.analyzeHook != nil {
		s.analyzeHook(ctx, snap.uri, snap.version)
	}
	// The document's scope, looked up once: its folder's configuration
	// and Env.
	file, _ := filePath(snap.uri)
	sc := s.scopeForFile(file)
	stack, path := s.stackFor(sc, snap.uri)
	if path == "" {
		path = string(snap.uri)
	}
	res := sc.env.Analyze(&analysis.Input{Src: bytesOf(snap.text), Path: path, Stack: stack, Memo: memo, Ctx: ctx})
	if res == nil {
		return nil
	}
	if sc.ignored(file) {
		res.Findings = nil // matches an ignore glob of its folder's configuration
	}
	return &analyzed{snap: snap, res: res, stack: stack}
}

// current returns the analysis of the current version of uri (nil, nil
// when the document is not open). The worker computes it; while it is not
// there yet, the request releases the in-order queue and waits, so the
// messages behind it (the next keystrokes, a hover) are not held up by the
// analysis of a large document. If the document changes meanwhile the
// answer would be for a version the client no longer has: the request
// fails with ContentModified, as LSP 3.17 prescribes.
func (s *Server) current(ctx context.Context, uri protocol.DocumentURI) (*analyzed, error) {
	d := s.doc(uri)
	if d == nil {
		return nil, nil
	}
	return s.analysisOf(ctx, d, d.cur.Load())
}

// analysisOf returns the analysis of snap, releasing the queue while it
// waits for it.
func (s *Server) analysisOf(ctx context.Context, d *document, snap *snapshot) (*analyzed, error) {
	if a := d.last.Load(); d.exact(a, snap) {
		return a, nil
	}
	releaseQueue(ctx)
	return s.await(ctx, d, snap)
}

// await waits until the worker has analysed snap.
func (s *Server) await(ctx context.Context, d *document, snap *snapshot) (*analyzed, error) {
	for {
		ch := d.changed()
		if a := d.last.Load(); d.exact(a, snap) {
			return a, nil
		}
		if d.failed.Load() == snap {
			return nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "the analysis of %s version %d failed (the server's log has the details)", snap.uri, snap.version)
		}
		if d.cur.Load() != snap || d.closed.Load() {
			return nil, jsonrpc2.Errorf(protocol.CodeContentModified, "%s changed (version %d) before its analysis was done", snap.uri, snap.version)
		}
		select {
		case <-ch:
		case <-d.done:
			return nil, jsonrpc2.Errorf(protocol.CodeContentModified, "%s was closed", snap.uri)
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// memoCap is how many documents keep their analysis memo: the ones opened
// or changed last. A memo makes the analysis after an edit cost about what
// the edit changed, but it holds much more than its document (about 270 KB
// for a 12 KB corpus document): with 100 documents open, memos were two
// thirds of the heap. A document without one is analysed afresh and gets one
// again at its next change, so only the first keystroke after it has been
// left alone for eight other documents pays a full analysis.
const memoCap = 8

// memoLRU hands out the memos, most recently used last.
type memoLRU struct {
	mu   sync.Mutex
	docs []*document
}

// touch gives d a memo, if it has none, and makes it the most recent; the
// least recent beyond memoCap lose theirs.
func (l *memoLRU) touch(d *document) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if d.memo.Load() == nil {
		d.memo.Store(analysis.NewMemo())
	}
	l.remove(d)
	l.docs = append(l.docs, d)
	for len(l.docs) > memoCap {
		l.docs[0].memo.Store(nil)
		l.docs = l.docs[1:]
	}
}

// drop takes d's memo away (d is closed or replaced).
func (l *memoLRU) drop(d *document) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.remove(d)
	d.memo.Store(nil)
}

func (l *memoLRU) remove(d *document) {
	for i, o := range l.docs {
		if o == d {
			l.docs = append(l.docs[:i], l.docs[i+1:]...)
			return
		}
	}
}
