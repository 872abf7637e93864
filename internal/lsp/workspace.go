package lsp

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"slices"
	"sync"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/config"
	wsmodel "github.com/ipf-lsp/ipf-lsp/internal/workspace"
)

// wsState is the server's workspace model: roots and open texts. It lives
// in the Server; internal/workspace does the work. The configuration
// (constitution path, notice) comes from settings.go.
type wsState struct {
	ws *wsmodel.Workspace
}

func newWSState() *wsState {
	return &wsState{ws: wsmodel.New()}
}

// pathOf returns the file path of a file: URI, or "" for other schemes
// and for a file URI that names no local absolute path (filePath).
func pathOf(u protocol.DocumentURI) string {
	p, _ := filePath(u)
	return p
}

// initWorkspace records the roots of the session.
func (s *Server) initWorkspace(p *initializeParams) {
	var roots []protocol.DocumentURI
	for _, f := range p.WorkspaceFolders {
		roots = append(roots, protocol.DocumentURI(f.URI))
	}
	if len(roots) == 0 && p.RootURI != "" {
		roots = append(roots, p.RootURI)
	}
	for _, r := range roots {
		s.addRoot(pathOf(r))
	}
}

func (s *Server) wsState() *wsState {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.wks == nil {
		s.wks = newWSState()
	}
	return s.wks
}

// addRoot adds a workspace folder.
func (s *Server) addRoot(root string) {
	if root == "" {
		return
	}
	s.wsState().ws.AddRoot(root)
}

// stackFor computes the stack of an open document with the configuration
// (constitution path, notice) and Env of its scope: nil when the document
// is not a file, or when the session has no workspace folder and the file
// is not on disk (the document is then analysed alone, without a notice).
func (s *Server) stackFor(sc *scope, u protocol.DocumentURI) (*analysis.Stack, string) {
	p := pathOf(u)
	if p == "" {
		return nil, ""
	}
	w := s.wsState()
	if _, ok := w.ws.Root(p); !ok {
		if _, err := os.Stat(filepath.Dir(p)); err != nil {
			return nil, p
		}
		// No folder holds it: infer one as check does.
		s.addRoot(wsmodel.FindRoot(p, ""))
	}
	cfg := sc.cfg
	if root, ok := w.ws.Root(p); ok {
		w.ws.SetConstitution(root, cfg.Constitution)
	}
	st := w.ws.StackFor(sc.env, p)
	st.Quiet = !cfg.ConstitutionNoticeOn()
	return st, filepath.Clean(p)
}

// overlay records the editor's text of an open document, so that other
// documents read it instead of the disk.
func (s *Server) overlay(u protocol.DocumentURI, text string) {
	if p := pathOf(u); p != "" {
		// The overlay shares the snapshot's bytes: readers (stack extraction,
		// related locations) only read them, as the analysis does.
		s.wsState().ws.Open(p, bytesOf(text))
	}
}

// forget drops the editor's text of a closed document.
func (s *Server) forget(u protocol.DocumentURI) {
	if p := pathOf(u); p != "" {
		s.wsState().ws.Close(p)
	}
}

// governs reports whether a change to the file at path can change the
// analysis of other documents: constitutions, plans and .ipf.toml.
func governs(path string) bool {
	if filepath.Base(path) == config.FileName {
		return true
	}
	switch wsmodel.KindOf(path) {
	case wsmodel.KindConstitution, wsmodel.KindPlan:
		return true
	}
	return false
}

// refreshDependents re-analyses every open document other than except
// whose stack may depend on the file at path; it republishes each.
func (s *Server) refreshDependents(path string, except protocol.DocumentURI) {
	if path == "" || !governs(path) {
		return
	}
	w := s.wsState()
	root, ok := w.ws.Root(path)
	s.mu.Lock()
	var ds []*document
	for u, d := range s.docs {
		if u == except {
			continue
		}
		if p := pathOf(u); p != "" {
			if r, ok2 := w.ws.Root(p); !ok || ok2 && r == root {
				ds = append(ds, d)
			}
		}
	}
	s.mu.Unlock()
	for _, d := range ds {
		d.invalidate()
	}
}

// didChangeWorkspaceFolders adds and removes roots (multi-root workspaces).
// The session's roots change too: an added folder's `.ipf.toml` is read
// (and reported when malformed) and applies to its documents, its editor
// settings are asked (with its scopeUri), and a removed one's no longer
// apply: its documents are then outside every folder.
func (s *Server) didChangeWorkspaceFolders(ctx context.Context, p *protocol.DidChangeWorkspaceFoldersParams) (any, error) {
	for _, f := range p.Event.Added {
		s.addRoot(pathOf(protocol.DocumentURI(f.URI)))
	}
	same := func(a, b protocol.DocumentURI) bool {
		pa, pb := pathOf(a), pathOf(b)
		if pa == "" || pb == "" {
			return a == b
		}
		return filepath.Clean(pa) == filepath.Clean(pb)
	}
	s.mu.Lock()
	roots := make([]protocol.DocumentURI, 0, len(s.caps.roots)+len(p.Event.Added))
	for _, r := range s.caps.roots {
		if !slices.ContainsFunc(p.Event.Removed, func(f protocol.WorkspaceFolder) bool { return same(r, protocol.DocumentURI(f.URI)) }) {
			roots = append(roots, r)
		}
	}
	for _, f := range p.Event.Added {
		u := protocol.DocumentURI(f.URI)
		if !slices.ContainsFunc(roots, func(r protocol.DocumentURI) bool { return same(r, u) }) {
			roots = append(roots, u)
		}
	}
	s.caps.roots = roots
	s.mu.Unlock()
	if s.extras().configuration {
		s.pullEditorSettings(ctx)
	}
	// Removed roots keep their workspace model: documents still open under
	// them are analysed as before until closed. applyConfig re-reads the
	// configuration and re-analyses every open document.
	s.applyConfig()
	return nil, nil
}

// relatedLocation maps a related-information entry in another file to a
// location with a real range, in the text the analysis read that file as
// (the stack's), else reading it through the workspace (the editor's text
// when open).
func (s *Server) relatedLocation(a *analyzed, r analysis.Related) protocol.Location {
	loc := protocol.Location{URI: uri.File(r.Path), Range: protocol.Range{
		Start: protocol.Position{Line: uint32(r.Line)},
		End:   protocol.Position{Line: uint32(r.Line)},
	}}
	var text []byte
	ok := false
	if a.stack != nil {
		text, ok = a.stack.Texts[r.Path]
	}
	if !ok {
		if text, ok = s.wsState().ws.Related(r.Path); !ok {
			return loc
		}
	}
	s.mu.Lock()
	enc := s.caps.encoding
	s.mu.Unlock()
	sp := r.Span
	if bom := "\uFEFF"; bytes.HasPrefix(text, []byte(bom)) && s.doc(loc.URI) == nil {
		// Read from disk: the editor that opens the file drops the mark,
		// so its first line's columns start after it. (An open document's
		// text is the client's own, mark or not.)
		text, sp = text[len(bom):], analysis.Span{Start: max(sp.Start-len(bom), 0), End: max(sp.End-len(bom), 0)}
	}
	m := s.related.mapper(r.Path, text, enc)
	if sp.End > sp.Start && sp.End <= len(text) {
		loc.Range = m.Range(sp.Start, sp.End)
		return loc
	}
	li := analysis.NewLineIndex(text)
	ls := li.LineSpan(r.Line)
	loc.Range = m.Range(ls.Start, ls.End)
	return loc
}

// mapperCache keeps, per file, the mapper of the text that related
// information last pointed into: every implied point links to two lines of
// the constitution, hundreds per publish, and the text is the same from one
// keystroke to the next.
type mapperCache struct {
	mu sync.Mutex
	m  map[string]cachedMapper
}

type cachedMapper struct {
	text []byte
	enc  Encoding
	m    *Mapper
}

// mapper returns a mapper of text, the text of path, in enc.
func (c *mapperCache) mapper(path string, text []byte, enc Encoding) *Mapper {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[path]; ok && e.enc == enc && bytes.Equal(e.text, text) {
		return e.m
	}
	if c.m == nil {
		c.m = map[string]cachedMapper{}
	}
	m := NewMapper(string(text), enc)
	c.m[path] = cachedMapper{text: text, enc: enc, m: m}
	return m
}
