package workspace

import (
	"bytes"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// StackFor computes the stack that governs the document at path: the stack
// of its constitution, with the stack of its feature folder's plan added for
// the roles the constitution leaves open. A constitution is governed by
// itself. The result is never nil: when no constitution is found or it cannot
// be read, Missing says why. Paths in the result are absolute.
func (w *Workspace) StackFor(env *analysis.Env, path string) *analysis.Stack {
	p := clean(path)
	c := w.Constitution(p)
	st := &analysis.Stack{}
	if KindOf(p) == KindConstitution {
		// A constitution chooses its own stack; others found for it are
		// the ones it overrides.
		var others []string
		if c.Path != "" && c.Path != p {
			others = append(others, c.Path)
		}
		for _, o := range c.Others {
			if o != p {
				others = append(others, o)
			}
		}
		c = Constitutions{Path: p, Others: others, Root: c.Root}
	}
	switch {
	case c.Root == "":
		st.Missing = fmt.Sprintf("%s is outside the workspace folders", path)
	case c.Path == "" && filepath.Dir(p) == c.Root:
		st.Missing = fmt.Sprintf("none found in the workspace root %s (looked for %s)", rootName(c.Root), strings.Join(ConstitutionPaths, ", "))
	case c.Path == "":
		// Folders are named relative to the root, and the root by its
		// name: the notice reads the same on every machine (a CI
		// runner's /home/runner/work/… is no help in an annotation).
		dir, _ := filepath.Rel(c.Root, filepath.Dir(p))
		st.Missing = fmt.Sprintf("none found between %s and the workspace root %s (looked for %s)", filepath.ToSlash(dir)+"/", rootName(c.Root), strings.Join(ConstitutionPaths, ", "))
	default:
		src, err := w.readIn(c.Root, c.Path)
		if err != nil {
			st.Missing = fmt.Sprintf("the constitution cannot be read (%v)", err)
			break
		}
		ex, text := w.extract(env, c.Path, src)
		st = ex.WithOrigin(analysis.OriginConstitution)
		st.Source = c.Path
		st.Others = c.Others
		st.Texts = map[string][]byte{c.Path: text}
	}
	if f, ok := w.FeatureOf(p); ok {
		if plan := f.Docs[KindPlan]; plan != "" && plan != p {
			if src, err := w.ReadFile(plan); err == nil {
				ex, text := w.extract(env, plan, src)
				texts := map[string][]byte{plan: text}
				for k, v := range st.Texts {
					texts[k] = v
				}
				st = st.Merge(ex.WithOrigin(analysis.OriginPlan))
				st.Plan = plan
				st.Texts = texts
			}
		}
	}
	st.Root = c.Root
	return st
}

// rootName names a workspace root in a notice: its folder's name ("/" for
// the file system's root).
func rootName(root string) string {
	if b := filepath.Base(root); b != string(filepath.Separator) && b != "." {
		return b + "/"
	}
	return root
}

// readIn is ReadFile for a file that must lie inside root, a configured
// constitution: other roots (the folder of a document opened outside the
// workspace folders, which may hold them) do not count.
func (w *Workspace) readIn(root, path string) ([]byte, error) {
	if !within(root, clean(path)) {
		return nil, fmt.Errorf("reading %s: %w folder %s", path, ErrOutside, root)
	}
	// ReadFile follows links within the innermost root holding path: root
	// or one inside it.
	return w.ReadFile(path)
}

// extract returns env's stack of the file at path whose text is src, and
// the text it was extracted from: the one src equals. A document's stack
// is needed at every keystroke of every document under its constitution, so
// the last extraction of each file is kept and reused while the file's text
// and the Env are the same. The result is shared: callers copy it
// (WithOrigin, Merge) before changing anything.
func (w *Workspace) extract(env *analysis.Env, path string, src []byte) (*analysis.Stack, []byte) {
	w.stackMu.Lock()
	c, ok := w.stacks[path]
	w.stackMu.Unlock()
	if ok && c.env == env && bytes.Equal(c.src, src) {
		return c.st, c.src
	}
	st := env.ExtractStack(path, src)
	w.stackMu.Lock()
	if w.stacks == nil {
		w.stacks = map[string]extracted{}
	}
	w.stacks[path] = extracted{env: env, src: src, st: st}
	w.stackMu.Unlock()
	return st, src
}

// extracted is a file's stack as last extracted.
type extracted struct {
	env *analysis.Env
	src []byte
	st  *analysis.Stack
}

// Related returns the text of a file a finding points at, for mapping its
// byte spans to lines and columns; ok is false when it cannot be read.
func (w *Workspace) Related(path string) ([]byte, bool) {
	b, err := w.ReadFile(path)
	return b, err == nil
}
