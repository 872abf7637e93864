package cli

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// findPoint is one integration point of the find report: a pair, where it
// was found and the patterns that fit it.
type findPoint struct {
	from, to string
	patterns []string
	where    []string // "path:line (reason)"
}

// runFind implements `ipf-lsp find [--constitution FILE] PATH...`: the
// seed's job as a command. It analyses the documents as check does (with the
// stack of their constitution, or of --constitution) and writes one
// `## Integration: A → B` section per integration point found, with every
// pattern of the library for the pair (use case, flow, code, gotchas,
// sources), in the seed's Output Format. A pair without a pattern gets the
// blank template, to be filled from the official documentation.
func runFind(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fl := flag.NewFlagSet("find", flag.ContinueOnError)
	fl.SetOutput(stderr)
	constitution := fl.String("constitution", "", "constitution `FILE` whose tech stack applies to every document (default: each document's nearest constitution)")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: ipf-lsp find [--constitution FILE] PATH...\n\n"+
			"Writes the integration patterns for the integration points found in the documents\n"+
			"(files, or every *.md under a folder) to stdout, in the Output Format of the\n"+
			"integration-pattern-finder skill: for a plan, or for an AI agent to read.\n\nFlags:\n")
		printFlags(fl)
	}
	paths, err := parseFlags(fl, args, stdout, stderr)
	if err != nil {
		if err == flag.ErrHelp {
			return ExitOK
		}
		return ExitUsage
	}
	if len(paths) == 0 && *constitution != "" {
		paths = []string{*constitution}
	}
	if len(paths) == 0 {
		fmt.Fprintln(stderr, "ipf-lsp find: no PATH given")
		fl.Usage()
		return ExitUsage
	}
	// As check does, find reports what it can read and says, by exit 2,
	// that the report leaves out what it could not (named on stderr).
	files, skipped, _ := collect(paths)
	incomplete := len(skipped) > 0
	for _, e := range skipped {
		fmt.Fprintf(stderr, "ipf-lsp find: %v\n", e)
	}
	if len(files) == 0 && !incomplete {
		// As check says it: a folder with nothing to read is likely the
		// wrong folder, not a project without integration points.
		fmt.Fprintf(stderr, "ipf-lsp find: no Markdown (*.md) files in %s\n", strings.Join(paths, ", "))
	}
	base, err := analysis.DefaultEnv()
	if err != nil {
		fmt.Fprintf(stderr, "ipf-lsp find: %v\n", err)
		return ExitUsage
	}
	cfgs, err := newCheckConfigs(base, "")
	if err != nil {
		fmt.Fprintf(stderr, "ipf-lsp find: %v\n", err)
		return ExitUsage
	}
	ws, err := checkWorkspace(paths, files, cfgs)
	if err != nil {
		fmt.Fprintf(stderr, "ipf-lsp find: %v\n", err)
		return ExitUsage
	}
	var stack *analysis.Stack
	if *constitution != "" {
		// A FIFO would block and /dev/zero never end: as check, find
		// reads regular files only.
		src, err := []byte(nil), error(nil)
		if st, serr := os.Stat(*constitution); serr == nil && !st.Mode().IsRegular() {
			err = fmt.Errorf("%s: not a regular file", *constitution)
		} else {
			src, err = os.ReadFile(*constitution)
		}
		if err != nil {
			fmt.Fprintf(stderr, "ipf-lsp find: reading the constitution: %v\n", err)
			return ExitUsage
		}
		stack = base.ExtractStack(*constitution, src)
	}
	var points []*findPoint
	byPair := map[string]*findPoint{}
	var env *analysis.Env
	for _, path := range files {
		if ctx.Err() != nil {
			return ExitUsage
		}
		cc := cfgs.forFile(path, ws.root(path))
		if cc.ignored(path) {
			continue
		}
		env = cc.env
		src, ok := readDocument(stderr, "find", path)
		if !ok {
			incomplete = true
			continue
		}
		abs, err := filepath.Abs(path)
		if err != nil {
			abs = path
		}
		in := &analysis.Input{Src: src, Path: filepath.Clean(abs), Stack: stack, NoRepeats: true}
		if stack == nil {
			in.Stack = ws.stackFor(env, abs)
		}
		res := env.Analyze(in)
		for _, p := range res.Points {
			key := env.Catalog.Canonical(p.From) + "|" + env.Catalog.Canonical(p.To)
			rkey := env.Catalog.Canonical(p.To) + "|" + env.Catalog.Canonical(p.From)
			fp := byPair[key]
			if fp == nil {
				fp = byPair[rkey]
			}
			if fp == nil {
				fp = &findPoint{from: p.From, to: p.To}
				byPair[key] = fp
				points = append(points, fp)
			}
			for _, id := range p.Patterns {
				if !contains(fp.patterns, id) {
					fp.patterns = append(fp.patterns, id)
				}
			}
			w := fmt.Sprintf("%s:%d", filepath.ToSlash(path), res.Lines.Line(p.Span.Start)+1)
			if p.Reason != "" {
				w += " (" + p.Reason + ")"
			}
			if !contains(fp.where, w) {
				fp.where = append(fp.where, w)
			}
		}
	}
	if env == nil {
		env = base
	}
	fmt.Fprint(stdout, findReport(env, stack, points))
	if incomplete {
		return ExitUsage
	}
	return ExitOK
}

func contains(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// findReport renders the report.
func findReport(env *analysis.Env, stack *analysis.Stack, points []*findPoint) string {
	var b strings.Builder
	b.WriteString("# Integration Patterns\n\n")
	if stack != nil && len(stack.Entries) > 0 {
		var names []string
		for _, t := range stack.Techs() {
			names = append(names, env.Catalog.Name(t))
		}
		fmt.Fprintf(&b, "Tech stack (from %s): %s\n\n", filepath.ToSlash(stack.Source), strings.Join(names, ", "))
	}
	if len(points) == 0 {
		b.WriteString("No integration points found.\n")
		return b.String()
	}
	for i, p := range points {
		if i > 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(&b, "## Integration: %s → %s\n\n", env.Catalog.Name(p.from), env.Catalog.Name(p.to))
		fmt.Fprintf(&b, "Found in: %s\n\n", strings.Join(p.where, ", "))
		// Every pattern of the pair, best match first.
		ids := p.patterns
		for _, pt := range env.Library.ForPair(p.from, p.to) {
			if !contains(ids, pt.ID) {
				ids = append(ids, pt.ID)
			}
		}
		n := 0
		for _, id := range ids {
			pt, ok := env.Library.Get(id)
			if !ok {
				continue
			}
			if n > 0 {
				b.WriteString("\n")
			}
			n++
			b.WriteString(pt.Markdown)
		}
		if n == 0 {
			b.WriteString("No pattern in the library for this pair yet: fill in the template from the official documentation.\n\n")
			b.WriteString(analysis.BlankTemplate)
		}
	}
	return b.String()
}
