// Package eval measures how well ipf-lsp's detectors agree with the
// hand-made ground truth of the spec corpus (../shared/corpus/INDEX.md,
// transcribed to testdata/corpus-labels.json).
//
// It loads the labels, parses the JSON report of `ipf-lsp check --format json`
// and scores it: precision and recall of integration points over unordered
// technology pairs per document, precision and recall per anti-pattern code per
// document, and the number of findings that start inside a trap (text that
// mentions a technology or anti-pattern only as a rejected alternative, a
// negation or a template example).
package eval

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// LabelsVersion is the only version of the labels file this package reads.
const LabelsVersion = 1

// Labels is the ground truth for a corpus.
type Labels struct {
	Version     int          `json:"version"`
	Source      string       `json:"source,omitempty"`
	Description string       `json:"description,omitempty"`
	Files       []FileLabels `json:"files"`
}

// FileLabels is the ground truth for one document.
type FileLabels struct {
	// Index is the document's number in INDEX.md.
	Index int `json:"index"`
	// Path is relative to the corpus directory, with forward slashes.
	Path string `json:"path"`
	// Doc is the spec-kit document type: constitution, spec, plan, research
	// or data-model.
	Doc          string        `json:"doc"`
	Pairs        []PairLabel   `json:"pairs"`
	Unresolved   []Unresolved  `json:"unresolved"`
	Antipatterns []AntiPattern `json:"antipatterns"`
	Traps        []Trap        `json:"traps"`
	Notes        string        `json:"notes,omitempty"`
}

// Lines is an inclusive 1-based line window [start, end].
type Lines [2]int

// Contains reports whether the 1-based line l lies in the window.
func (w Lines) Contains(l int) bool { return l >= w[0] && l <= w[1] }

func (w Lines) valid() bool { return w[0] >= 1 && w[1] >= w[0] }

// PairLabel is an integration point a careful reader flags: two catalog
// technology ids, unordered.
type PairLabel struct {
	Techs [2]string `json:"techs"`
	Lines Lines     `json:"lines"`
	Note  string    `json:"note"`
}

// Unresolved is an INDEX integration point that is not a pair of two catalog
// technologies (a mechanism, a technology outside the catalog, or a generic
// side the repository does not pin down). It is kept for reference and not
// scored.
type Unresolved struct {
	Text   string `json:"text"`
	Lines  *Lines `json:"lines,omitempty"`
	Reason string `json:"reason"`
}

// AntiPattern is an INDEX anti-pattern tag with the diagnostic code that
// reports it. Code is empty for tags ipf-lsp does not score.
type AntiPattern struct {
	Tag   string `json:"tag"`
	Code  string `json:"code"`
	Lines Lines  `json:"lines"`
	Note  string `json:"note,omitempty"`
}

// Trap is a line window where no finding should start.
type Trap struct {
	Lines Lines  `json:"lines"`
	What  string `json:"what"`
	// IgnoreCodes lists diagnostic codes that are legitimate on these lines:
	// the trap is aimed at another finding (e.g. an anti-pattern negated on a
	// line that also states a real integration point).
	IgnoreCodes []string `json:"ignore_codes,omitempty"`
}

// Ignores reports whether findings with the given code do not count for t.
func (t Trap) Ignores(code string) bool {
	for _, c := range t.IgnoreCodes {
		if c == code {
			return true
		}
	}
	return false
}

// LoadLabels reads and validates a labels file.
func LoadLabels(path string) (*Labels, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	l, err := ParseLabels(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return l, nil
}

// ParseLabels decodes and validates labels. Unknown fields are rejected so a
// typo in the hand-written file cannot silently drop ground truth.
func ParseLabels(r io.Reader) (*Labels, error) {
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	var l Labels
	if err := dec.Decode(&l); err != nil {
		return nil, fmt.Errorf("decode labels: %w", err)
	}
	if err := l.validate(); err != nil {
		return nil, err
	}
	return &l, nil
}

func (l *Labels) validate() error {
	if l.Version != LabelsVersion {
		return fmt.Errorf("labels version %d, want %d", l.Version, LabelsVersion)
	}
	seen := map[string]bool{}
	for i, f := range l.Files {
		where := fmt.Sprintf("files[%d] (%s)", i, f.Path)
		switch {
		case f.Path == "" || strings.HasPrefix(f.Path, "/") || strings.Contains(f.Path, `\`):
			return fmt.Errorf("%s: path must be relative with forward slashes", where)
		case seen[f.Path]:
			return fmt.Errorf("%s: duplicate path", where)
		}
		seen[f.Path] = true
		for j, p := range f.Pairs {
			if p.Techs[0] == "" || p.Techs[1] == "" || p.Techs[0] == p.Techs[1] {
				return fmt.Errorf("%s: pairs[%d]: need two distinct technology ids, got %q", where, j, p.Techs)
			}
			if !p.Lines.valid() {
				return fmt.Errorf("%s: pairs[%d]: bad line window %v", where, j, p.Lines)
			}
		}
		for j, u := range f.Unresolved {
			if u.Lines != nil && !u.Lines.valid() {
				return fmt.Errorf("%s: unresolved[%d]: bad line window %v", where, j, *u.Lines)
			}
		}
		for j, a := range f.Antipatterns {
			if a.Tag == "" {
				return fmt.Errorf("%s: antipatterns[%d]: empty tag", where, j)
			}
			if !a.Lines.valid() {
				return fmt.Errorf("%s: antipatterns[%d]: bad line window %v", where, j, a.Lines)
			}
		}
		for j, t := range f.Traps {
			if !t.Lines.valid() {
				return fmt.Errorf("%s: traps[%d]: bad line window %v", where, j, t.Lines)
			}
		}
	}
	return nil
}

// File returns the labels of the document at the corpus-relative path.
func (l *Labels) File(rel string) (*FileLabels, bool) {
	for i := range l.Files {
		if l.Files[i].Path == rel {
			return &l.Files[i], true
		}
	}
	return nil, false
}
