package lsp

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
	"github.com/ipf-lsp/ipf-lsp/references"
)

// definition goes from a pattern name to the pattern file:
//
//   - on a `### Pattern:` heading: the library pattern of that name (of the
//     heading's pair when several share it);
//   - on an `## Integration:` heading: the best pattern of its pair;
//   - inside a diagnostic or integration point with patterns: its best
//     pattern.
//
// A workspace pack pattern opens its file; a built-in one is written once
// to a read-only cache file (os.UserCacheDir()/ipf-lsp/<version>/references/).
func (s *Server) definition(ctx context.Context, p *protocol.DefinitionParams) ([]protocol.Location, error) {
	out := []protocol.Location{}
	a, err := s.current(ctx, p.TextDocument.URI)
	if a == nil {
		return out, err
	}
	env := s.envFor(p.TextDocument.URI)
	res := a.res
	off := a.snap.mapper.PositionOffset(p.Position)
	line := res.Lines.Line(off)
	pt := s.patternAt(env, res, off, line)
	if pt == nil {
		return out, nil
	}
	loc, err := s.patternLocation(pt)
	if err != nil {
		s.log.Warn("definition", "pattern", pt.ID, "error", err)
		return out, nil
	}
	return append(out, loc), nil
}

// patternAt finds the pattern named at offset off (on line).
func (s *Server) patternAt(env *analysis.Env, res *analysis.Result, off, line int) *patterns.Pattern {
	for _, sec := range res.Sections {
		if sec.Line != line {
			continue
		}
		if sec.Pattern != nil {
			return libraryPattern(env, sec)
		}
		for _, pair := range env.HeadingPairs(sec.Integration) {
			if ids := env.PatternsFor(pair[0], pair[1], nil); len(ids) > 0 {
				p, _ := env.Library.Get(ids[0])
				return p
			}
		}
		return nil
	}
	for _, f := range res.Findings {
		if f.Span.Contains(off) && len(f.Patterns) > 0 {
			if p, ok := env.Library.Get(f.Patterns[0]); ok {
				return p
			}
		}
	}
	for _, pt := range res.Points {
		if pt.Span.Contains(off) && len(pt.Patterns) > 0 {
			if p, ok := env.Library.Get(pt.Patterns[0]); ok {
				return p
			}
		}
	}
	return nil
}

// libraryPattern returns the library pattern a `### Pattern:` section
// names: same name (case and surrounding space aside), preferring one of
// the pair of the `## Integration:` heading above.
func libraryPattern(env *analysis.Env, sec patterns.Section) *patterns.Pattern {
	name := strings.ToLower(strings.TrimSpace(sec.Pattern.Name))
	pairs := env.HeadingPairs(sec.Integration)
	var found *patterns.Pattern
	for _, p := range env.Library.All() {
		if strings.ToLower(p.Name) != name {
			continue
		}
		for _, pair := range pairs {
			if env.PairKey(pair[0], pair[1]) == env.PairKey(p.From, p.To) {
				return p
			}
		}
		if found == nil {
			found = p
		}
	}
	return found
}

// patternLocation returns where a pattern is defined: its workspace file,
// or the read-only cache copy of its built-in file.
func (s *Server) patternLocation(p *patterns.Pattern) (protocol.Location, error) {
	file := p.File
	if p.Builtin {
		var err error
		if file, err = s.cachedBuiltin(p.File); err != nil {
			return protocol.Location{}, err
		}
	}
	pos := protocol.Position{Line: uint32(p.Line)}
	return protocol.Location{URI: protocol.DocumentURI(uri.File(file)), Range: protocol.Range{Start: pos, End: pos}}, nil
}

// cachedBuiltin writes the embedded pattern file rel ("references/x.md")
// under the user cache folder, read-only, unless an identical copy is
// there, and returns its path. The write goes through a temporary file and a
// rename, so concurrent servers never see half a file.
func (s *Server) cachedBuiltin(rel string) (string, error) {
	data, err := references.FS.ReadFile(strings.TrimPrefix(rel, "references/"))
	if err != nil {
		return "", fmt.Errorf("reading built-in %s: %w", rel, err)
	}
	dir, err := os.UserCacheDir()
	if err != nil {
		return "", fmt.Errorf("locating the user cache folder: %w", err)
	}
	ver := s.ver
	if ver == "" {
		ver = "dev"
	}
	dst := filepath.Join(dir, "ipf-lsp", ver, filepath.FromSlash(rel))
	if old, err := os.ReadFile(dst); err == nil && bytes.Equal(old, data) {
		return dst, nil
	}
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return "", fmt.Errorf("creating the pattern cache: %w", err)
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), ".tmp-*")
	if err != nil {
		return "", fmt.Errorf("writing the pattern cache: %w", err)
	}
	defer os.Remove(tmp.Name())
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := tmp.Close(); err != nil {
		return "", fmt.Errorf("writing %s: %w", tmp.Name(), err)
	}
	if err := os.Chmod(tmp.Name(), 0o444); err != nil {
		return "", fmt.Errorf("making %s read-only: %w", tmp.Name(), err)
	}
	if err := os.Rename(tmp.Name(), dst); err != nil {
		return "", fmt.Errorf("installing %s: %w", dst, err)
	}
	return dst, nil
}
