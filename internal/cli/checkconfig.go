package cli

import (
	"errors"
	"fmt"
	"path/filepath"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/config"
	"github.com/ipf-lsp/ipf-lsp/internal/lsp"
)

// checkConfigs resolves the configuration of each checked file as the
// server does: the nearest `.ipf.toml` upward from the file (or the one
// given with --config) over the defaults. A malformed file is reported as one
// error in that file, and its documents get the defaults.
type checkConfigs struct {
	base     *analysis.Env
	explicit string // --config, absolute; "" to search upward
	byPath   map[string]*checkConfig
	order    []string
}

// checkConfig is one configuration file (path "" for the defaults).
type checkConfig struct {
	path string
	cfg  config.Config // effective: defaults merged with the file
	env  *analysis.Env
	err  error
	// packs is set when err is about pattern folders, which are skipped
	// while the rest of the file applies.
	packs bool
}

func newCheckConfigs(base *analysis.Env, explicit string) (*checkConfigs, error) {
	c := &checkConfigs{base: base, byPath: map[string]*checkConfig{}}
	if explicit != "" {
		abs, err := filepath.Abs(explicit)
		if err != nil {
			return nil, fmt.Errorf("--config %s: %w", explicit, err)
		}
		if _, err := config.LoadPath(abs); err != nil {
			var pe *config.ParseError
			if !errors.As(err, &pe) {
				return nil, fmt.Errorf("--config: %w", err)
			}
		}
		c.explicit = abs
	}
	return c, nil
}

// forDir returns the configuration that governs files in dir, a folder of
// the workspace root root. Without a configuration file the defaults apply,
// with the pattern packs of the default folders at root (references/,
// .ipf/patterns/), as the server loads them for a workspace folder without
// .ipf.toml; root "" loads none.
func (c *checkConfigs) forDir(dir, root string) *checkConfig {
	p := c.explicit
	if p == "" {
		p, _ = config.Nearest(dir)
	}
	key := p
	if p != "" {
		root = filepath.Dir(p)
	} else {
		key = "\x00" + root // the defaults, one per root for its packs
	}
	if cc, ok := c.byPath[key]; ok {
		return cc
	}
	cc := &checkConfig{path: p, cfg: config.Default()}
	if p != "" {
		f, err := config.LoadPath(p)
		if err != nil {
			cc.err = err
		} else {
			cc.cfg = cc.cfg.Merge(f)
		}
	}
	env, err := cc.cfg.Env(c.base, root)
	if err != nil && cc.err == nil {
		cc.err, cc.packs = err, true
	}
	cc.env = env
	c.byPath[key] = cc
	c.order = append(c.order, key)
	return cc
}

// forFile returns the configuration that governs the file at path, whose
// workspace root is root ("" if unknown).
func (c *checkConfigs) forFile(path, root string) *checkConfig {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	return c.forDir(filepath.Dir(abs), root)
}

// ignored reports whether path matches the ignore globs of its
// configuration (relative to the folder of the configuration file).
func (cc *checkConfig) ignored(path string) bool {
	if cc.path == "" {
		return false
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return false
	}
	return cc.cfg.Ignored(filepath.Dir(cc.path), abs)
}

// problems reports the malformed configuration files met, one error each
// on the line of the problem.
func (c *checkConfigs) problems() []FileReport {
	var out []FileReport
	for _, p := range c.order {
		cc := c.byPath[p]
		if cc.err == nil || cc.path == "" {
			continue
		}
		line, msg := 0, cc.err.Error()
		var pe *config.ParseError
		if errors.As(cc.err, &pe) {
			msg = pe.Msg
			if pe.Line > 0 {
				line = pe.Line - 1
			}
		}
		// p is absolute: relative to the working directory when that is
		// shorter, as the checked files are named (filepath.Rel fails
		// between "." and an absolute path).
		rel := p
		if wd, err := filepath.Abs("."); err == nil {
			if r, err := filepath.Rel(wd, p); err == nil && len(r) < len(p) {
				rel = r
			}
		}
		msg = "invalid " + config.FileName + ", using the defaults: " + msg
		if cc.packs {
			// Only the folders are skipped: the file's other settings
			// apply.
			msg = cc.err.Error()
			if data, err := config.ReadFile("", p); err == nil {
				line = max(config.KeyLine(string(data), "pattern_folders")-1, 0)
			}
		}
		pos := Position{Line: uint32(line)}
		out = append(out, FileReport{Path: rel, Diagnostics: []Diagnostic{{
			Range:    Range{pos, pos},
			Severity: analysis.SevError.String(),
			Code:     lsp.CodeConfig,
			Source:   "ipf",
			Message:  msg,
		}}})
	}
	return out
}
