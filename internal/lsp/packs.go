package lsp

import (
	"path/filepath"
	"strings"
	"sync"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
)

// Workspace pattern packs: the pattern files of the configured folders
// (default `references/` and `.ipf/patterns/` at the workspace root) are
// loaded into the Env by config.Config.Env whenever the configuration is
// applied (start, didChangeConfiguration, didChangeWatchedFiles, and didSave
// of a pattern file). A broken pack file is skipped and reported here, in
// that file; an open pattern file is linted by the analysis itself
// (detectPatternFile, detectIncompletePatterns).

// packState remembers which files have pack diagnostics published, so
// fixed files are cleared.
type packState struct {
	mu        sync.Mutex
	published map[protocol.DocumentURI]bool
}

// CodePatternFile is the code of a diagnostic on a skipped pack file.
const CodePatternFile = analysis.CodeIncompletePattern

// publishPackDiagnostics publishes one diagnostic per problem of each
// skipped pack file of every workspace folder that is not open (an open one
// gets its diagnostics from its analysis), and clears files that are fixed.
func (s *Server) publishPackDiagnostics() {
	var broken []*patterns.File
	for _, sc := range s.scopes.Load().all() {
		broken = append(broken, sc.env.Broken...)
	}
	out := map[protocol.DocumentURI][]protocol.Diagnostic{}
	s.packs.mu.Lock()
	for u := range s.packs.published {
		out[u] = []protocol.Diagnostic{}
	}
	s.packs.published = map[protocol.DocumentURI]bool{}
	for _, f := range broken {
		u := protocol.DocumentURI(uri.File(f.Path))
		if s.packs.published[u] {
			continue // a folder nested in another, or read by two folders
		}
		if s.doc(u) != nil {
			delete(out, u)
			continue
		}
		out[u] = packDiagnostics(f)
		s.packs.published[u] = true
	}
	s.packs.mu.Unlock()
	for u, ds := range out {
		s.notify(s.ctx, "textDocument/publishDiagnostics", &publishParams{URI: u, Diagnostics: ds})
	}
}

// packDiagnostics are the diagnostics of a skipped pack file's problems.
func packDiagnostics(f *patterns.File) []protocol.Diagnostic {
	var ds []protocol.Diagnostic
	for _, p := range f.Problems {
		line := uint32(max(p.Line, 0))
		ds = append(ds, protocol.Diagnostic{
			// The whole line, through its end: the file is not open, so
			// its text is not at hand to end the range at the line's last
			// character, and an empty range marks no text at all.
			Range:    protocol.Range{Start: protocol.Position{Line: line}, End: protocol.Position{Line: line + 1}},
			Severity: protocol.DiagnosticSeverityWarning,
			Code:     CodePatternFile,
			Source:   "ipf",
			Message:  "pattern file skipped: " + p.Message,
		})
	}
	return ds
}

// refusedPackDiagnostics are the diagnostics of the pack file at path when
// it was refused without being read (it resolves outside the workspace, or
// cannot be read). Open, its text is linted by its own analysis, which
// cannot know that: without these the editor showed a clean pattern file
// that is not used.
func (s *Server) refusedPackDiagnostics(path string) []protocol.Diagnostic {
	if path == "" {
		return nil
	}
	for _, sc := range s.scopes.Load().all() {
		for _, f := range sc.env.Broken {
			if f.Refused && f.Path == path {
				return packDiagnostics(f)
			}
		}
	}
	return nil
}

// isPackURI reports whether u is a Markdown file in one of the configured
// pattern folders of a workspace root: saving it reloads the packs.
func (s *Server) isPackURI(u protocol.DocumentURI) bool {
	p, ok := filePath(u)
	if !ok || !strings.EqualFold(filepath.Ext(p), ".md") {
		return false
	}
	dir := filepath.Dir(p)
	for _, sc := range s.scopes.Load().folders {
		for _, f := range sc.cfg.PatternFolders {
			d := filepath.Clean(filepath.Join(sc.root, filepath.FromSlash(f)))
			if filepath.IsAbs(f) {
				d = filepath.Clean(f)
			}
			if d == dir {
				return true
			}
		}
	}
	return false
}
