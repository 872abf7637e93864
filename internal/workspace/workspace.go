// Package workspace models the folders a user works in: workspace roots, the
// constitution that governs each document, and the feature folders that group
// a spec with its plan, research and data model. It reads files from disk only
// inside the roots, and from an overlay of texts open in an editor. It knows
// nothing of LSP.
package workspace

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/ipf-lsp/ipf-lsp/internal/config"
)

// ConstitutionPaths are the places a constitution is looked for in each
// folder, most specific first.
var ConstitutionPaths = []string{
	filepath.Join(".specify", "memory", "constitution.md"),
	filepath.Join("memory", "constitution.md"),
	filepath.Join(".specify", "constitution.md"),
	"constitution.md",
}

// ErrOutside is returned for a path that is, or resolves to, a place outside
// every workspace root.
var ErrOutside = errors.New("outside the workspace")

// Workspace is a set of roots and the texts open in an editor. It is safe for
// concurrent use.
type Workspace struct {
	mu      sync.RWMutex
	roots   []string // cleaned, absolute, longest first
	real    map[string]string
	overlay map[string][]byte
	// configured maps a root to its configured constitution path (absolute).
	configured map[string]string
	// stacks keeps each constitution's and plan's last extracted stack
	// (stack.go); stackMu guards it.
	stackMu sync.Mutex
	stacks  map[string]extracted
	// disk, when set (Freeze), keeps what was learnt of files on disk.
	disk *diskCache
}

// diskCache is what a frozen workspace has learnt of the files on disk.
type diskCache struct {
	mu     sync.Mutex
	exists map[string]bool
	reads  map[string]diskRead
}

type diskRead struct {
	b   []byte
	err error
}

// Freeze tells the workspace that the files on disk will not change while
// it is used, as during one check run: each file's existence and content
// are then looked up once. Every document of a feature asks for the same
// constitution and plan, and looking for them costs a few system calls per
// candidate path (symbolic links resolved to stay inside the roots), a
// tenth of checking a project. The language server, whose files change
// under it, never freezes its workspace. Freeze once the roots are added:
// what was learnt before a root was added is not learnt again.
func (w *Workspace) Freeze() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.disk == nil {
		w.disk = &diskCache{exists: map[string]bool{}, reads: map[string]diskRead{}}
	}
}

// New returns a workspace over roots (folders). Relative roots are made
// absolute against the working directory.
func New(roots ...string) *Workspace {
	w := &Workspace{real: map[string]string{}, overlay: map[string][]byte{}, configured: map[string]string{}}
	for _, r := range roots {
		w.AddRoot(r)
	}
	return w
}

// AddRoot adds a workspace root folder.
func (w *Workspace) AddRoot(root string) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return
	}
	abs = filepath.Clean(abs)
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, r := range w.roots {
		if r == abs {
			return
		}
	}
	w.roots = append(w.roots, abs)
	sort.SliceStable(w.roots, func(i, j int) bool { return len(w.roots[i]) > len(w.roots[j]) })
	if real, err := filepath.EvalSymlinks(abs); err == nil {
		w.real[abs] = real
	} else {
		w.real[abs] = abs
	}
}

// Roots returns the workspace roots.
func (w *Workspace) Roots() []string {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return append([]string(nil), w.roots...)
}

// SetConstitution configures the constitution of a root: a path relative to
// the root (internal/config's Config.Constitution), or an absolute path,
// which is read only if it lies inside the workspace. An empty path removes
// it.
func (w *Workspace) SetConstitution(root, rel string) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return
	}
	w.mu.Lock()
	defer w.mu.Unlock()
	if rel == "" {
		delete(w.configured, filepath.Clean(abs))
		return
	}
	p := filepath.Join(abs, filepath.FromSlash(rel))
	if filepath.IsAbs(rel) {
		p = filepath.Clean(rel)
	}
	w.configured[filepath.Clean(abs)] = p
}

// Open records the editor's text of path; reads of path return it until
// Close.
func (w *Workspace) Open(path string, text []byte) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.overlay[clean(path)] = text
}

// Close forgets the editor's text of path: reads go to disk again.
func (w *Workspace) Close(path string) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.overlay, clean(path))
}

// IsOpen reports whether path has an editor text.
func (w *Workspace) IsOpen(path string) bool {
	w.mu.RLock()
	defer w.mu.RUnlock()
	_, ok := w.overlay[clean(path)]
	return ok
}

func clean(p string) string {
	if abs, err := filepath.Abs(p); err == nil {
		return filepath.Clean(abs)
	}
	return filepath.Clean(p)
}

// Root returns the workspace root holding path (the innermost one), by the
// path's spelling; ok is false when path lies outside every root.
func (w *Workspace) Root(path string) (root string, ok bool) {
	p := clean(path)
	w.mu.RLock()
	defer w.mu.RUnlock()
	for _, r := range w.roots {
		if within(r, p) {
			return r, true
		}
	}
	return "", false
}

// within reports whether p is root or below it (both clean and absolute).
func within(root, p string) bool {
	rel, err := filepath.Rel(root, p)
	if err != nil {
		return false
	}
	return rel == "." || rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

// Check returns the cleaned absolute form of path, or an error wrapping
// ErrOutside when path is outside every root, either as spelled (after
// resolving "..") or once symbolic links are followed.
func (w *Workspace) Check(path string) (string, error) {
	p := clean(path)
	root, ok := w.Root(p)
	if !ok {
		return "", fmt.Errorf("%s: %w", path, ErrOutside)
	}
	real, err := filepath.EvalSymlinks(p)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return p, err
		}
		return p, fmt.Errorf("resolving %s: %w", path, err)
	}
	w.mu.RLock()
	realRoot := w.real[root]
	w.mu.RUnlock()
	if !within(realRoot, real) {
		return "", fmt.Errorf("%s resolves to %s: %w", path, real, ErrOutside)
	}
	return p, nil
}

// ReadFile returns the editor's text of path when it is open, else the file's
// content on disk. A path outside the roots is refused with an error wrapping
// ErrOutside.
func (w *Workspace) ReadFile(path string) ([]byte, error) {
	p := clean(path)
	w.mu.RLock()
	text, open := w.overlay[p]
	w.mu.RUnlock()
	if _, ok := w.Root(p); !ok {
		return nil, fmt.Errorf("reading %s: %w", path, ErrOutside)
	}
	if open {
		return text, nil
	}
	dc := w.frozen()
	if dc != nil {
		dc.mu.Lock()
		r, ok := dc.reads[p]
		dc.mu.Unlock()
		if ok {
			return r.b, r.err
		}
	}
	b, err := w.readDisk(path, p)
	if dc != nil {
		dc.mu.Lock()
		dc.reads[p] = diskRead{b, err}
		dc.mu.Unlock()
	}
	return b, err
}

func (w *Workspace) readDisk(path, p string) ([]byte, error) {
	if _, err := w.Check(p); err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	// A FIFO would block the read for ever, a device never end.
	if st, err := os.Stat(p); err == nil && !st.Mode().IsRegular() && !st.IsDir() {
		return nil, fmt.Errorf("reading %s: not a regular file", path)
	}
	b, err := os.ReadFile(p)
	if err != nil {
		return nil, fmt.Errorf("reading %s: %w", path, err)
	}
	return b, nil
}

// frozen returns the disk cache of a frozen workspace, or nil.
func (w *Workspace) frozen() *diskCache {
	w.mu.RLock()
	defer w.mu.RUnlock()
	return w.disk
}

// exists reports whether path is open or is a regular file inside the roots.
func (w *Workspace) exists(path string) bool {
	if w.IsOpen(path) {
		return true
	}
	dc := w.frozen()
	if dc == nil {
		return w.existsOnDisk(path)
	}
	dc.mu.Lock()
	e, ok := dc.exists[path]
	dc.mu.Unlock()
	if !ok {
		e = w.existsOnDisk(path)
		dc.mu.Lock()
		dc.exists[path] = e
		dc.mu.Unlock()
	}
	return e
}

func (w *Workspace) existsOnDisk(path string) bool {
	// Most candidate paths do not exist: one system call says so, where
	// resolving links (Check) costs one per component.
	if _, err := os.Lstat(path); errors.Is(err, os.ErrNotExist) {
		return false
	}
	if _, err := w.Check(path); err != nil && !errors.Is(err, os.ErrNotExist) {
		// Outside through a link: it exists, and reading it will say why
		// it is refused.
		return !errors.Is(err, ErrOutside) || lexists(path)
	}
	st, err := os.Stat(path)
	return err == nil && st.Mode().IsRegular()
}

func lexists(path string) bool {
	_, err := os.Lstat(path)
	return err == nil
}

// Constitutions is what governs a document.
type Constitutions struct {
	// Path of the nearest constitution, "" when none was found.
	Path string
	// Others are further constitutions up the tree (or in the same folder),
	// which the nearest one overrides.
	Others []string
	// Root is the workspace root the search stayed in.
	Root string
}

// Constitution finds the constitution of the document at path: the configured
// one of its root when set, else the nearest one up the folder tree, not
// above the root.
func (w *Workspace) Constitution(path string) Constitutions {
	p := clean(path)
	root, ok := w.Root(p)
	if !ok {
		return Constitutions{}
	}
	c := Constitutions{Root: root}
	w.mu.RLock()
	conf := w.configured[root]
	w.mu.RUnlock()
	if conf != "" {
		c.Path = conf
	}
	dir := filepath.Dir(p)
	for {
		for _, rel := range ConstitutionPaths {
			cand := filepath.Join(dir, rel)
			if cand == c.Path || !w.exists(cand) {
				continue
			}
			if c.Path == "" {
				c.Path = cand
			} else if !slices.Contains(c.Others, cand) {
				// Inside .specify, other/.specify/constitution.md is
				// met from other/.specify and again from other.
				c.Others = append(c.Others, cand)
			}
		}
		if dir == root {
			break
		}
		parent := filepath.Dir(dir)
		if parent == dir || !within(root, parent) {
			break
		}
		dir = parent
	}
	return c
}

// featureRe matches a feature folder name: "001-auth", "F01-S03-frontend".
var featureRe = regexp.MustCompile(`^[A-Za-z]?\d{2,}[-_]`)

// Kind is the kind of a spec-kit document, by file name.
type Kind string

// Document kinds.
const (
	KindConstitution Kind = "constitution"
	KindSpec         Kind = "spec"
	KindPlan         Kind = "plan"
	KindResearch     Kind = "research"
	KindDataModel    Kind = "data-model"
	KindOther        Kind = "other"
)

// KindOf classifies a document by its file name.
func KindOf(path string) Kind {
	switch strings.ToLower(filepath.Base(path)) {
	case "constitution.md":
		return KindConstitution
	case "spec.md":
		return KindSpec
	case "plan.md":
		return KindPlan
	case "research.md":
		return KindResearch
	case "data-model.md":
		return KindDataModel
	}
	return KindOther
}

// Feature is a feature folder: specs/NNN-name/ with its documents.
type Feature struct {
	Dir  string
	Docs map[Kind]string // absolute paths of the documents present
}

// FeatureOf returns the feature folder holding path (up to two levels above
// it, so specs/NNN-name/plan/data-model.md belongs to specs/NNN-name), or
// false.
func (w *Workspace) FeatureOf(path string) (Feature, bool) {
	p := clean(path)
	root, ok := w.Root(p)
	if !ok {
		return Feature{}, false
	}
	dir := filepath.Dir(p)
	for i := 0; i < 3 && within(root, dir) && dir != root; i++ {
		if featureRe.MatchString(filepath.Base(dir)) {
			f := Feature{Dir: dir, Docs: map[Kind]string{}}
			for _, k := range []Kind{KindSpec, KindPlan, KindResearch, KindDataModel} {
				for _, sub := range []string{"", "plan"} {
					cand := filepath.Join(dir, sub, string(k)+".md")
					if _, done := f.Docs[k]; !done && w.exists(cand) {
						f.Docs[k] = cand
					}
				}
			}
			return f, true
		}
		dir = filepath.Dir(dir)
	}
	return Feature{}, false
}

// FindRoot returns the folder to use as the workspace root of path when none
// is given: the nearest folder at or above path holding .git or .specify;
// without either, the nearest holding a `.ipf.toml` (a project that is no
// repository marks its root with its configuration); looking no higher than
// limit when limit is set. Without any, it is limit, or path's folder when
// limit is empty.
func FindRoot(path, limit string) string {
	p := clean(path)
	dir := p
	if st, err := os.Stat(p); err != nil || !st.IsDir() {
		dir = filepath.Dir(p)
	}
	if limit != "" {
		limit = clean(limit)
		if !within(limit, dir) {
			limit = ""
		}
	}
	for _, markers := range rootMarkers() {
		if root, ok := nearestWith(dir, limit, markers); ok {
			return root
		}
	}
	if limit != "" {
		return limit
	}
	return dir
}

// rootMarkers are the entries that make a folder a workspace root, in
// tiers: a folder of the first tier anywhere above a file wins over a
// nearer one of the second.
func rootMarkers() [][]string {
	return [][]string{{".git", ".specify"}, {config.FileName}}
}

// HasRootMarker reports whether dir holds an entry that makes it a
// workspace root (.git, .specify or .ipf.toml).
func HasRootMarker(dir string) bool {
	for _, markers := range rootMarkers() {
		if _, ok := nearestWith(dir, dir, markers); ok {
			return true
		}
	}
	return false
}

// nearestWith returns the nearest folder at or above dir, and no higher
// than limit when set, that holds one of markers.
func nearestWith(dir, limit string, markers []string) (string, bool) {
	for {
		for _, m := range markers {
			if _, err := os.Stat(filepath.Join(dir, m)); err == nil {
				return dir, true
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir || dir == limit {
			return "", false
		}
		dir = parent
	}
}
