// Command eval prints the detection-quality table of ipf-lsp on the spec
// corpus: it runs `check --format json` in process on the corpus directory and
// scores the report against testdata/corpus-labels.json.
//
//	go run ./tools/eval [-v] [-labels file] [corpusDir]
//
// corpusDir defaults to ../shared/corpus next to the repository; -v adds the
// per-document misses, extra findings and trap hits.
package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/ipf-lsp/ipf-lsp/internal/cli"
	"github.com/ipf-lsp/ipf-lsp/internal/eval"
)

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "eval:", err)
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("eval", flag.ContinueOnError)
	fs.SetOutput(stderr)
	labelsPath := fs.String("labels", "", "labels file (default <repo>/testdata/corpus-labels.json)")
	verbose := fs.Bool("v", false, "print per-document details after the table")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 1 {
		return errors.New("usage: eval [-v] [-labels file] [corpusDir]")
	}
	root, err := repoRoot()
	if err != nil {
		return err
	}
	corpus := filepath.Join(filepath.Dir(root), "shared", "corpus")
	if fs.NArg() == 1 {
		corpus = fs.Arg(0)
	}
	if *labelsPath == "" {
		*labelsPath = filepath.Join(root, "testdata", "corpus-labels.json")
	}
	labels, err := eval.LoadLabels(*labelsPath)
	if err != nil {
		return err
	}
	var out, errOut bytes.Buffer
	if code := cli.Run(context.Background(), []string{"check", "--format", "json", "--fail-on", "none", corpus}, nil, &out, &errOut); code != 0 {
		return fmt.Errorf("check exited %d: %s", code, errOut.String())
	}
	rep, err := eval.ParseReport(&out)
	if err != nil {
		return err
	}
	res := eval.Score(labels, rep, eval.Options{CorpusDir: corpus})
	fmt.Fprint(stdout, res.Table())
	if *verbose {
		fmt.Fprintf(stdout, "\n%s", res.Details())
	}
	return nil
}

// repoRoot finds the directory holding go.mod upwards from the working
// directory.
func repoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("go.mod not found above the working directory")
		}
		dir = parent
	}
}
