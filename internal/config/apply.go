package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"os"
	"path"
	"path/filepath"
	"slices"
	"sort"
	"strings"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
)

// Editor is the shape of the editor settings under the `ipf` section, as
// VS Code sends them (`ipf.inlayHints.enabled` becomes
// {"inlayHints": {"enabled": …}}) in initializationOptions,
// workspace/configuration and workspace/didChangeConfiguration.
type Editor struct {
	InlayHints *struct {
		Enabled *bool `json:"enabled"`
	} `json:"inlayHints"`
	Constitution *struct {
		Path string `json:"path"`
	} `json:"constitution"`
	Patterns *struct {
		// Folders are read in addition to the default folders.
		Folders []string `json:"folders"`
	} `json:"patterns"`
	Diagnostics *struct {
		Disabled []string          `json:"disabled"`
		Severity map[string]string `json:"severity"`
	} `json:"diagnostics"`
	MaxFileSize float64  `json:"maxFileSize"`
	Ignore      []string `json:"ignore"`
}

// FromEditor decodes editor settings: the `ipf` section itself, or an object
// holding it under "ipf". null or an empty value is the zero Config.
func FromEditor(raw json.RawMessage) (Config, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return Config{}, nil
	}
	var wrapped struct {
		IPF json.RawMessage `json:"ipf"`
	}
	if json.Unmarshal(raw, &wrapped) == nil && len(wrapped.IPF) > 0 && string(wrapped.IPF) != "null" {
		raw = wrapped.IPF
	}
	var e Editor
	var dropped []string
	if err := json.Unmarshal(raw, &e); err != nil {
		// One value of the wrong type must not take the others with it:
		// decode key by key, and say which were left out.
		var fields map[string]json.RawMessage
		if json.Unmarshal(raw, &fields) != nil {
			return Config{}, fmt.Errorf("decoding the editor's ipf settings: they must be an object, not %s", shortJSON(raw))
		}
		e = Editor{}
		keys := make([]string, 0, len(fields))
		for k := range fields {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			one, _ := json.Marshal(map[string]json.RawMessage{k: fields[k]})
			if json.Unmarshal(one, &Editor{}) != nil {
				dropped = append(dropped, fmt.Sprintf("%s must be %s, not %s", k, editorShapes[k], shortJSON(fields[k])))
				continue
			}
			_ = json.Unmarshal(one, &e)
		}
	}
	var c Config
	if e.InlayHints != nil {
		c.InlayHints = e.InlayHints.Enabled
	}
	if e.Constitution != nil {
		c.Constitution = e.Constitution.Path
	}
	if e.Patterns != nil && len(e.Patterns.Folders) > 0 {
		c.PatternFolders = append(Default().PatternFolders, e.Patterns.Folders...)
	}
	if e.Diagnostics != nil {
		// What .ipf.toml refuses as an error is left out here, and said:
		// the rest of the editor's settings still apply.
		for _, code := range e.Diagnostics.Disabled {
			if code == analysis.SuppressAll || knownCode(code) {
				c.Disabled = append(c.Disabled, code)
			} else {
				dropped = append(dropped, unknownCode("diagnostics.disabled", code))
			}
		}
		codes := make([]string, 0, len(e.Diagnostics.Severity))
		for code := range e.Diagnostics.Severity {
			codes = append(codes, code)
		}
		sort.Strings(codes)
		for _, code := range codes {
			level := e.Diagnostics.Severity[code]
			switch _, ok := analysis.ParseSeverity(level); {
			case !knownCode(code):
				dropped = append(dropped, unknownCode("diagnostics.severity", code))
			case !ok:
				dropped = append(dropped, fmt.Sprintf("diagnostics.severity for %q must be error, warning, information or hint, not %q", code, level))
			default:
				if c.Severity == nil {
					c.Severity = map[string]string{}
				}
				c.Severity[code] = level
			}
		}
	}
	switch {
	case e.MaxFileSize < 0:
		dropped = append(dropped, fmt.Sprintf("maxFileSize must be a positive number of bytes, not %g", e.MaxFileSize))
	case e.MaxFileSize >= math.MaxInt64:
		// int64 of a larger float is undefined (negative on amd64).
		dropped = append(dropped, fmt.Sprintf("maxFileSize must be a positive number of bytes up to %d, not %g", int64(math.MaxInt64), e.MaxFileSize))
	case e.MaxFileSize > 0: // 0 is VS Code's "the server's default"
		c.MaxFileSize = int64(e.MaxFileSize)
	}
	for _, g := range e.Ignore {
		if _, err := path.Match(filepath.ToSlash(g), ""); err != nil {
			dropped = append(dropped, fmt.Sprintf("ignore: %q is not a valid glob (%v)", g, err))
			continue
		}
		c.Ignore = append(c.Ignore, g)
	}
	if len(dropped) > 0 {
		return c, &EditorWarning{Dropped: dropped}
	}
	return c, nil
}

// editorShapes says what each editor setting must be, for a value of the
// wrong type.
var editorShapes = map[string]string{
	"inlayHints":   `an object such as {"enabled": false}`,
	"constitution": `an object such as {"path": ".specify/memory/constitution.md"}`,
	"patterns":     `an object such as {"folders": ["references"]}`,
	"diagnostics":  `an object such as {"disabled": ["incomplete-pattern"], "severity": {"integration-point": "warning"}}`,
	"maxFileSize":  "a number of bytes",
	"ignore":       `a list of globs such as ["drafts/**"]`,
}

// shortJSON is raw compacted, and cut when long, to quote it in a message.
func shortJSON(raw json.RawMessage) string {
	var b bytes.Buffer
	if json.Compact(&b, raw) != nil {
		b.Reset()
		b.Write(raw)
	}
	s := b.String()
	if len(s) > 80 {
		s = strings.ToValidUTF8(s[:80], "") + "…"
	}
	return s
}

// EditorWarning is FromEditor's error when it left settings out: the Config
// it returns holds the others and applies.
type EditorWarning struct {
	Dropped []string // why each setting was left out
}

func (w *EditorWarning) Error() string {
	return "editor settings left out: " + strings.Join(w.Dropped, "; ")
}

// Nearest returns the `.ipf.toml` in dir or the closest folder above it.
func Nearest(dir string) (string, bool) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", false
	}
	for {
		p := filepath.Join(dir, FileName)
		if st, err := os.Stat(p); err == nil && !st.IsDir() {
			return p, true
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", false
		}
		dir = parent
	}
}

// LoadPath reads and parses one configuration file.
func LoadPath(p string) (Config, error) {
	data, err := ReadFile("", p)
	if err != nil {
		return Config{}, err
	}
	return Parse(p, data)
}

// Env returns base with c applied: disabled codes, severities, the size
// limit, and the pattern files of c.PatternFolders (relative to root, merged
// over base's library; folders that do not exist are skipped). base is not
// modified. The error reports pattern folders that could not be read; the
// returned Env is usable even then.
func (c Config) Env(base *analysis.Env, root string) (*analysis.Env, error) {
	e := *base
	e.Disabled = map[string]bool{}
	for _, code := range c.Disabled {
		e.Disabled[code] = true // "all" among them disables every code
	}
	e.Severity = map[string]analysis.Severity{}
	for code, s := range c.Severity {
		if sev, ok := analysis.ParseSeverity(s); ok {
			e.Severity[code] = sev
		}
	}
	e.MaxFileSize = c.MaxFileSize
	if root == "" {
		return &e, nil
	}
	files := append([]*patterns.File(nil), base.Library.Files...)
	var errs []error
	seen := map[string]bool{}
	e.Broken = nil
	for _, folder := range c.PatternFolders {
		dir := filepath.Join(root, filepath.FromSlash(folder))
		if filepath.IsAbs(folder) {
			dir = filepath.Clean(folder)
		}
		if seen[dir] {
			continue
		}
		seen[dir] = true
		// LoadDir refuses folders and files outside root (`..`, symbolic
		// links) and skips broken files, which e.Broken reports.
		pack, err := patterns.LoadDir(root, folder)
		if err != nil && !slices.ContainsFunc(errs, func(e error) bool { return e.Error() == err.Error() }) {
			// A root that cannot be resolved fails every folder alike.
			errs = append(errs, err)
		}
		files = append(files, pack.Files...)
		e.Broken = append(e.Broken, pack.Broken...)
	}
	e.Library = patterns.NewLibrary(files...)
	return &e, errors.Join(errs...)
}

// Ignored reports whether file (an absolute path) matches one of c.Ignore,
// globs relative to root: `*` within a path segment, `**` across segments,
// a pattern without a slash matches the file's base name, and one starting
// with "/" is anchored at root (as in .gitignore).
func (c Config) Ignored(root, file string) bool {
	if len(c.Ignore) == 0 || root == "" {
		return false
	}
	rel, err := filepath.Rel(root, file)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
		return false // outside root ("..notes.md" is inside)
	}
	rel = filepath.ToSlash(rel)
	for _, g := range c.Ignore {
		g = filepath.ToSlash(g)
		anchored := strings.HasPrefix(g, "/")
		g = strings.TrimPrefix(strings.TrimPrefix(g, "/"), "./")
		if !anchored && !strings.Contains(g, "/") {
			if ok, _ := path.Match(g, path.Base(rel)); ok {
				return true
			}
			continue
		}
		if globMatch(strings.Split(g, "/"), strings.Split(rel, "/")) {
			return true
		}
	}
	return false
}

// globMatch matches path segments against glob segments, `**` standing for
// any number of segments. It fills a table of which suffixes of g match
// which suffixes of p, in time len(g)·len(p): trying every split of p for
// each `**` took exponential time for a glob of many of them.
func globMatch(g, p []string) bool {
	// m[i][j]: g[i:] matches p[j:].
	m := make([][]bool, len(g)+1)
	for i := range m {
		m[i] = make([]bool, len(p)+1)
	}
	m[len(g)][len(p)] = true
	for i := len(g) - 1; i >= 0; i-- {
		for j := len(p); j >= 0; j-- {
			switch {
			case g[i] == "**":
				// No segment, or one more.
				m[i][j] = m[i+1][j] || j < len(p) && m[i][j+1]
			case j < len(p):
				ok, _ := path.Match(g[i], p[j])
				m[i][j] = ok && m[i+1][j+1]
			}
		}
	}
	return m[0][0]
}
