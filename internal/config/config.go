// Package config reads ipf-lsp's configuration: the workspace file
// `.ipf.toml`, editor settings, and defaults, in that order of precedence.
// The same file drives the language server and `ipf-lsp check`.
package config

import (
	"errors"
	"fmt"
	"io"
	"os"
	pathpkg "path"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/BurntSushi/toml"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// FileName is the workspace configuration file, at a workspace root.
const FileName = ".ipf.toml"

// DefaultMaxFileSize is the largest document that is analysed (bytes);
// larger ones are synced but not analysed.
const DefaultMaxFileSize = 10 << 20

// Config is the effective configuration. The zero value is not useful; start
// from Default.
type Config struct {
	// Disabled diagnostic codes ("all" disables every code).
	Disabled []string `toml:"disabled" json:"disabled"`
	// Severity overrides per code: "error", "warning", "information", "hint".
	Severity map[string]string `toml:"severity" json:"severity"`
	// Constitution is a path (relative to the workspace root) used instead of
	// the nearest constitution.md.
	Constitution string `toml:"constitution" json:"constitution"`
	// PatternFolders are folders of pattern files (relative to the root)
	// merged over the built-in library.
	PatternFolders []string `toml:"pattern_folders" json:"patternFolders"`
	// InlayHints turns inlay hints on or off.
	InlayHints *bool `toml:"inlay_hints" json:"inlayHints"`
	// Ignore lists file globs (relative to the root) that are not analysed.
	Ignore []string `toml:"ignore" json:"ignore"`
	// MaxFileSize in bytes; documents above it are not analysed.
	MaxFileSize int64 `toml:"max_file_size" json:"maxFileSize"`
	// NoConstitutionNotice turns off the "no constitution found" notice.
	NoConstitutionNotice *bool `toml:"no_constitution_notice" json:"noConstitutionNotice"`
}

// Default returns the built-in defaults.
func Default() Config {
	t := true
	return Config{
		PatternFolders:       []string{"references", ".ipf/patterns"},
		InlayHints:           &t,
		MaxFileSize:          DefaultMaxFileSize,
		NoConstitutionNotice: &t,
	}
}

// InlayHintsOn reports whether inlay hints are enabled.
func (c Config) InlayHintsOn() bool { return c.InlayHints == nil || *c.InlayHints }

// ConstitutionNoticeOn reports whether the missing-constitution notice is on.
func (c Config) ConstitutionNoticeOn() bool {
	return c.NoConstitutionNotice == nil || *c.NoConstitutionNotice
}

// IsDisabled reports whether code is disabled.
func (c Config) IsDisabled(code string) bool {
	for _, d := range c.Disabled {
		if d == code || d == "all" {
			return true
		}
	}
	return false
}

// Merge returns c with every field that o sets replacing c's.
func (c Config) Merge(o Config) Config {
	if o.Disabled != nil {
		c.Disabled = o.Disabled
	}
	if o.Severity != nil {
		m := map[string]string{}
		for k, v := range c.Severity {
			m[k] = v
		}
		for k, v := range o.Severity {
			m[k] = v
		}
		c.Severity = m
	}
	if o.Constitution != "" {
		c.Constitution = o.Constitution
	}
	if o.PatternFolders != nil {
		c.PatternFolders = o.PatternFolders
	}
	if o.InlayHints != nil {
		c.InlayHints = o.InlayHints
	}
	if o.Ignore != nil {
		c.Ignore = o.Ignore
	}
	if o.MaxFileSize > 0 {
		c.MaxFileSize = o.MaxFileSize
	}
	if o.NoConstitutionNotice != nil {
		c.NoConstitutionNotice = o.NoConstitutionNotice
	}
	return c
}

// ParseError is a malformed configuration file, with the 1-based line of the
// problem when known.
type ParseError struct {
	Path string
	Line int
	Msg  string
}

func (e *ParseError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", e.Path, e.Line, e.Msg)
	}
	return fmt.Sprintf("%s: %s", e.Path, e.Msg)
}

// Parse decodes a `.ipf.toml` file's content. Unknown keys are errors, so a
// typo does not silently do nothing; so are values of the wrong type or out
// of range. The error carries the line of the offending key when known.
func Parse(path string, data []byte) (Config, error) {
	var c Config
	text := string(data)
	md, err := toml.Decode(text, &c)
	if err != nil {
		var pe toml.ParseError
		if errors.As(err, &pe) {
			return Config{}, &ParseError{Path: path, Line: pe.Position.Line, Msg: pe.Message}
		}
		// A value of the wrong type is a plain error, "toml: line 3 (last
		// key "max_file_size"): incompatible types: …": keep its line.
		if m := decodeErrRe.FindStringSubmatch(err.Error()); m != nil {
			line, _ := strconv.Atoi(m[1])
			return Config{}, &ParseError{Path: path, Line: line, Msg: m[2] + ": " + m[3]}
		}
		return Config{}, &ParseError{Path: path, Msg: err.Error()}
	}
	if und := md.Undecoded(); len(und) > 0 {
		keys := make([]string, len(und))
		for i, k := range und {
			keys[i] = k.String()
		}
		return Config{}, &ParseError{Path: path, Line: keyLine(text, und[0]), Msg: "unknown key(s): " + strings.Join(keys, ", ")}
	}
	// The decoder leaves the map alone, without an error, when the value is
	// not a table (`severity = "warning"`).
	if t := md.Type("severity"); t != "" && t != "Hash" {
		return Config{}, &ParseError{Path: path, Line: keyLine(text, toml.Key{"severity"}),
			Msg: `severity must be a table of codes, [severity] with lines such as integration-point = "warning"`}
	}
	codes := make([]string, 0, len(c.Severity))
	for code := range c.Severity {
		codes = append(codes, code)
	}
	sort.Strings(codes)
	// A misspelt code would turn nothing off, without a word.
	for _, code := range c.Disabled {
		if code != analysis.SuppressAll && !knownCode(code) {
			return Config{}, &ParseError{Path: path, Line: keyLine(text, toml.Key{"disabled"}), Msg: unknownCode("disabled", code)}
		}
	}
	for _, code := range codes {
		if !knownCode(code) {
			return Config{}, &ParseError{Path: path, Line: keyLine(text, toml.Key{"severity", code}), Msg: unknownCode("severity", code)}
		}
	}
	for _, code := range codes {
		switch sev := c.Severity[code]; sev {
		case "error", "warning", "information", "hint":
		default:
			return Config{}, &ParseError{Path: path, Line: keyLine(text, toml.Key{"severity", code}),
				Msg: fmt.Sprintf("severity for %q must be error, warning, information or hint, not %q", code, sev)}
		}
	}
	if md.IsDefined("max_file_size") && c.MaxFileSize <= 0 {
		return Config{}, &ParseError{Path: path, Line: keyLine(text, toml.Key{"max_file_size"}),
			Msg: fmt.Sprintf("max_file_size must be a positive number of bytes, not %d", c.MaxFileSize)}
	}
	for _, g := range c.Ignore {
		if _, err := pathpkg.Match(filepath.ToSlash(g), ""); err != nil {
			return Config{}, &ParseError{Path: path, Line: keyLine(text, toml.Key{"ignore"}),
				Msg: fmt.Sprintf("ignore: %q is not a valid glob (%v)", g, err)}
		}
	}
	return c, nil
}

// CodeConfig is the code of a malformed configuration's diagnostic; it can
// be disabled and given a severity like the analysis's codes.
const CodeConfig = "config"

// knownCode reports whether code is a diagnostic code.
func knownCode(code string) bool {
	return code == CodeConfig || slices.Contains(analysis.Codes(), code)
}

// unknownCode says that key names a code that does not exist, and which do.
func unknownCode(key, code string) string {
	return fmt.Sprintf("%s: unknown diagnostic code %q; the codes are all, %s, %s", key, code, CodeConfig, strings.Join(analysis.Codes(), ", "))
}

// decodeErrRe is the decoder's error for a value of the wrong type.
var decodeErrRe = regexp.MustCompile(`^toml: line (\d+) \(last key "([^"]*)"\): (.*)$`)

// KeyLine returns the 1-based line where the key (its parts, as
// "severity", "integration-point") is set in a configuration file's text,
// or 0 when it is not.
func KeyLine(text string, key ...string) int { return keyLine(text, toml.Key(key)) }

// keyLine returns the 1-based line where key is set in a configuration
// file, or 0 when it cannot tell: it follows `[table]` headers and dotted
// keys, which is all `.ipf.toml` uses.
func keyLine(text string, key toml.Key) int {
	want := strings.Join(key, ".")
	table := ""
	for i, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(strings.TrimSuffix(line, "\r"))
		if strings.HasPrefix(line, "[") {
			if end := strings.Index(line, "]"); end > 0 {
				table = unquoteKey(strings.Trim(line[1:end], "[ \t"))
				if table == want {
					return i + 1
				}
			}
			continue
		}
		eq := strings.Index(line, "=")
		if eq <= 0 || strings.HasPrefix(line, "#") {
			continue
		}
		k := unquoteKey(line[:eq])
		if table != "" {
			k = table + "." + k
		}
		if k == want {
			return i + 1
		}
	}
	return 0
}

// unquoteKey turns a possibly dotted and quoted TOML key into its parts
// joined by dots.
func unquoteKey(k string) string {
	parts := strings.Split(k, ".")
	for i, p := range parts {
		parts[i] = strings.Trim(strings.TrimSpace(p), `"'`)
	}
	return strings.Join(parts, ".")
}

// LoadFile reads root/.ipf.toml. A missing file is not an error: it returns
// the zero Config and found=false.
func LoadFile(root string) (c Config, found bool, err error) {
	p := filepath.Join(root, FileName)
	data, err := ReadFile(root, p)
	if errors.Is(err, os.ErrNotExist) {
		return Config{}, false, nil
	}
	if err != nil {
		return Config{}, true, fmt.Errorf("reading %s: %w", p, err)
	}
	c, err = Parse(p, data)
	return c, true, err
}

// maxConfigBytes bounds a configuration file: a symlink to /dev/zero or a
// huge file must not hang or exhaust the server.
const maxConfigBytes = 1 << 20

// ReadFile reads a configuration file safely: it must be a regular file of
// at most 1 MiB and, when root is not empty, resolve (through symbolic
// links) to a place inside root. A missing file wraps os.ErrNotExist.
func ReadFile(root, p string) ([]byte, error) {
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	if root != "" {
		rr, err := filepath.EvalSymlinks(root)
		if err != nil {
			rr = root
		}
		if rel, err := filepath.Rel(rr, real); err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) {
			return nil, fmt.Errorf("%s resolves to %s, outside the workspace %s: refused", p, real, root)
		}
	}
	st, err := os.Stat(real)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("%s is not a regular file: refused", p)
	}
	if st.Size() > maxConfigBytes {
		return nil, fmt.Errorf("%s has %d bytes, above the limit of %d for a configuration file", p, st.Size(), maxConfigBytes)
	}
	f, err := os.Open(real)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxConfigBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", p, err)
	}
	return data, nil
}
