package cli

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/workspace"
)

// checkWS is the workspace model of one check run: the same one the server
// builds, with each file's root being the nearest folder holding .git or
// .specify (no higher than the folder given on the command line), else that
// folder.
type checkWS struct {
	ws    *workspace.Workspace
	quiet map[string]bool // roots whose .ipf.toml turns the notice off
}

func checkWorkspace(args, files []string, cfgs *checkConfigs) (*checkWS, error) {
	c := &checkWS{ws: workspace.New(), quiet: map[string]bool{}}
	limits := map[string]string{} // file -> the folder argument holding it
	for _, a := range args {
		st, err := os.Stat(a)
		if err != nil || !st.IsDir() {
			continue
		}
		abs, err := filepath.Abs(a)
		if err != nil {
			return nil, fmt.Errorf("resolving %s: %w", a, err)
		}
		for _, f := range files {
			fa, err := filepath.Abs(f)
			if err == nil {
				if rel, err := filepath.Rel(abs, fa); err == nil && !filepath.IsAbs(rel) && (len(rel) < 2 || rel[:2] != "..") {
					if _, ok := limits[f]; !ok {
						limits[f] = abs
					}
				}
			}
		}
	}
	seen := map[string]bool{}
	for _, f := range files {
		// The nearest .git/.specify (else .ipf.toml) above the file, even
		// above a folder argument: `check specs` inside a project must see
		// the project's constitution, as `check specs/x/spec.md` does. Only
		// without any marker does the folder argument bound the workspace.
		root := workspace.FindRoot(f, "")
		if root == filepath.Dir(clean(f)) && limits[f] != "" && !workspace.HasRootMarker(root) {
			root = limits[f]
		}
		if seen[root] {
			continue
		}
		seen[root] = true
		c.ws.AddRoot(root)
		cc := cfgs.forDir(root, root)
		c.ws.SetConstitution(root, cc.cfg.Constitution)
		c.quiet[root] = !cc.cfg.ConstitutionNoticeOn()
	}
	return c, nil
}

// root returns the workspace root of the file at path ("" if it has none).
func (c *checkWS) root(path string) string {
	root, _ := c.ws.Root(clean(path))
	return root
}

// stackFor returns the stack of the file at path.
func (c *checkWS) stackFor(env *analysis.Env, path string) *analysis.Stack {
	st := c.ws.StackFor(env, path)
	if root, ok := c.ws.Root(path); ok && c.quiet[root] {
		st.Quiet = true
	}
	return st
}

// checkFileIn analyses one document with the stack of its workspace.
func checkFileIn(env *analysis.Env, c *checkWS, path string, src []byte) FileReport {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = path
	}
	fr := checkInput(env, &analysis.Input{Src: src, Path: filepath.Clean(abs), Stack: c.stackFor(env, abs), NoRepeats: true})
	fr.Path = path
	return fr
}

// clean returns an absolute, cleaned form of p (p itself on error).
func clean(p string) string {
	if a, err := filepath.Abs(p); err == nil {
		return a
	}
	return filepath.Clean(p)
}
