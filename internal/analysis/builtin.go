package analysis

import (
	"fmt"

	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
	"github.com/ipf-lsp/ipf-lsp/references"
)

// BuiltinFiles parses the embedded pattern library.
func BuiltinFiles() ([]*patterns.File, error) {
	files, err := patterns.LoadFS(references.FS, ".", true)
	if err != nil {
		return nil, fmt.Errorf("loading the built-in pattern library: %w", err)
	}
	for _, f := range files {
		f.Path = "references/" + f.Path
		for _, p := range f.Patterns {
			p.File = f.Path
		}
	}
	return files, nil
}

// DefaultEnv returns an Env over the built-in catalog and library.
func DefaultEnv() (*Env, error) {
	files, err := BuiltinFiles()
	if err != nil {
		return nil, err
	}
	return NewEnv(DefaultCatalog(), patterns.NewLibrary(files...)), nil
}
