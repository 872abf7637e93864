package lsp

import (
	"path/filepath"
	"unsafe"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// publishParams replaces v0.12.0's PublishDiagnosticsParams, whose Version
// is a uint32 with omitempty: version 0 would vanish from the wire.
type publishParams struct {
	URI         protocol.DocumentURI  `json:"uri"`
	Version     *int32                `json:"version,omitempty"`
	Diagnostics []protocol.Diagnostic `json:"diagnostics"`
}

// diagData travels in Diagnostic.data so that code actions need no
// re-analysis to know what a diagnostic was about.
type diagData struct {
	Version  int32    `json:"version"`
	From     string   `json:"from,omitempty"`
	To       string   `json:"to,omitempty"`
	Patterns []string `json:"patterns,omitempty"`
}

// bytesOf views a string's bytes without copying. The analysis only reads
// its input, and the string is immutable for as long as it is referenced.
func bytesOf(s string) []byte {
	if s == "" {
		return nil
	}
	return unsafe.Slice(unsafe.StringData(s), len(s))
}

func (s *Server) publish(d *document, a *analyzed) {
	d.pubMu.Lock()
	defer d.pubMu.Unlock()
	if d.closed.Load() || d.cur.Load() != a.snap {
		return // closed, or a newer version is on its way
	}
	v := a.snap.version
	s.notify(s.ctx, "textDocument/publishDiagnostics", &publishParams{
		URI:         a.snap.uri,
		Version:     &v,
		Diagnostics: s.diagnostics(a),
	})
}

// diagnostics converts findings; the slice is never nil, so "no problems"
// clears the client's list.
func (s *Server) diagnostics(a *analyzed) []protocol.Diagnostic {
	out := make([]protocol.Diagnostic, 0, len(a.res.Findings))
	for i := range a.res.Findings {
		out = append(out, s.diagnostic(a, &a.res.Findings[i]))
	}
	if s.isPackURI(a.snap.uri) {
		p, _ := filePath(a.snap.uri)
		out = append(out, s.refusedPackDiagnostics(filepath.Clean(p))...)
	}
	return out
}

func (s *Server) diagnostic(a *analyzed, f *analysis.Finding) protocol.Diagnostic {
	m := a.snap.mapper
	d := protocol.Diagnostic{
		Range:    m.Range(f.Span.Start, f.Span.End),
		Severity: protocol.DiagnosticSeverity(f.Severity),
		Code:     f.Code,
		Source:   "ipf",
		Message:  f.Message,
	}
	if f.Href != "" {
		d.CodeDescription = &protocol.CodeDescription{Href: uri.URI(f.Href)}
	}
	data := diagData{Version: a.snap.version, Patterns: f.Patterns}
	if f.Point != nil {
		data.From, data.To = f.Point.From, f.Point.To
	}
	d.Data = data
	for _, r := range f.Related {
		loc := protocol.Location{URI: a.snap.uri, Range: m.Range(r.Span.Start, r.Span.End)}
		if r.Path != "" {
			loc = s.relatedLocation(a, r)
		}
		d.RelatedInformation = append(d.RelatedInformation, protocol.DiagnosticRelatedInformation{Location: loc, Message: r.Message})
	}
	return d
}
