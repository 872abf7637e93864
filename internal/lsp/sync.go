package lsp

import (
	"context"
	"runtime/debug"
	"sync"
	"sync/atomic"

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

// analyzed pairs a snapshot with its analysis.
type analyzed struct {
	snap *snapshot
	res  *analysis.Result
}

// document is an open document: its current snapshot, its latest analysis
// and the goroutine that keeps the analysis up to date.
type document struct {
	cur    atomic.Pointer[snapshot]
	last   atomic.Pointer[analyzed]
	kick   chan struct{}
	done   chan struct{}
	closed atomic.Bool
	pubMu  sync.Mutex // orders publishes with the clearing on close
	once   sync.Once
	// memo carries the detectors' answers from one analysis of the
	// document to the next, so re-analysis costs about what an edit changed.
	memo *analysis.Memo
}

func (d *document) stop() { d.once.Do(func() { close(d.done) }) }

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
	d := &document{kick: make(chan struct{}, 1), done: make(chan struct{}), memo: analysis.NewMemo()}
	d.cur.Store(s.newSnapshot(uri, p.TextDocument.Version, p.TextDocument.Text))
	s.mu.Lock()
	if old := s.docs[uri]; old != nil {
		old.closed.Store(true)
		old.stop()
	}
	s.docs[uri] = d
	s.mu.Unlock()
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
	m := applyChanges(cur.mapper, p.ContentChanges)
	d.cur.Store(&snapshot{uri: uri, version: p.TextDocument.Version, text: m.Text(), mapper: m})
	s.overlay(uri, m.Text())
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
	d.pubMu.Lock()
	s.notify(s.ctx, "textDocument/publishDiagnostics", &publishParams{URI: uri, Diagnostics: []protocol.Diagnostic{}})
	d.pubMu.Unlock()
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
func (s *Server) worker(d *document) {
	for {
		select {
		case <-d.kick:
		case <-d.done:
			return
		case <-s.ctx.Done():
			return
		}
		snap := d.cur.Load()
		if a := s.safeAnalyze(snap, d.memo); a != nil {
			d.last.Store(a)
			s.publish(d, a)
		}
	}
}

// safeAnalyze analyses snap, turning a panic into a log line: nothing
// recovers panics on the worker's goroutine, and one would end the process
// and the user's session.
func (s *Server) safeAnalyze(snap *snapshot, memo *analysis.Memo) (a *analyzed) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in analysis", "uri", snap.uri, "version", snap.version, "panic", p, "stack", string(debug.Stack()))
			a = nil
		}
	}()
	return s.analyzeSnapshot(snap, memo)
}

// analyzeSnapshot runs the analysis of one version; memo may be nil.
func (s *Server) analyzeSnapshot(snap *snapshot, memo *analysis.Memo) *analyzed {
	env := s.env.Load()
	stack, path := s.stackFor(env, snap.uri)
	if path == "" {
		path = string(snap.uri)
	}
	res := env.Analyze(&analysis.Input{Src: bytesOf(snap.text), Path: path, Stack: stack, Memo: memo})
	if s.ignored(snap.uri) {
		res.Findings = nil // matches an ignore glob of the configuration
	}
	return &analyzed{snap: snap, res: res}
}

// current returns the latest snapshot of uri and an analysis of exactly that
// snapshot, computing it now if the worker has not yet.
func (s *Server) current(uri protocol.DocumentURI) (*analyzed, bool) {
	d := s.doc(uri)
	if d == nil {
		return nil, false
	}
	snap := d.cur.Load()
	prev := d.last.Load()
	if prev != nil && prev.snap == snap {
		return prev, true
	}
	a := s.analyzeSnapshot(snap, d.memo)
	// Keep it for the requests that follow the same keystroke (hover,
	// inlay hints, code lens, symbols), unless the worker stored a result
	// meanwhile: its inputs (settings, constitution) are at least as new.
	d.last.CompareAndSwap(prev, a)
	return a, true
}
