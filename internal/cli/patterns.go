package cli

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// PatternInfo is one entry of `patterns --format json`.
type PatternInfo struct {
	ID     string   `json:"id"`
	From   string   `json:"from"`
	To     string   `json:"to"`
	Name   string   `json:"name"`
	Source []string `json:"source"`
	File   string   `json:"file"`
}

const patternsShowUsage = "Usage: ipf-lsp patterns show ID\n\n" +
	"Prints one pattern of the built-in library in the integration-pattern format\n" +
	"(references/FORMAT.md); 'ipf-lsp patterns' lists the ids.\n"

func runPatterns(args []string, stdout, stderr io.Writer) int {
	env, err := analysis.DefaultEnv()
	if err != nil {
		fmt.Fprintf(stderr, "ipf-lsp patterns: %v\n", err)
		return ExitUsage
	}
	if len(args) > 0 && args[0] == "show" {
		if isHelp(args[1:]) {
			fmt.Fprint(stdout, patternsShowUsage)
			return ExitOK
		}
		if len(args) != 2 {
			fmt.Fprintln(stderr, "Usage: ipf-lsp patterns show ID")
			return ExitUsage
		}
		p, ok := env.Library.Get(args[1])
		if !ok {
			fmt.Fprintf(stderr, "ipf-lsp patterns show: no pattern %q (run 'ipf-lsp patterns' for the ids)\n", args[1])
			return ExitUsage
		}
		fmt.Fprint(stdout, env.SectionText(p.From, p.To, p))
		return ExitOK
	}
	fl := flag.NewFlagSet("patterns", flag.ContinueOnError)
	fl.SetOutput(stderr)
	format := fl.String("format", "text", "output `FORMAT`: text or json")
	fl.Usage = func() {
		fmt.Fprint(fl.Output(), "Usage: ipf-lsp patterns [--format text|json]\n       ipf-lsp patterns show ID\n\nLists the built-in pattern library.\n\nFlags:\n")
		printFlags(fl)
	}
	extra, err := parseFlags(fl, args, stdout, stderr)
	if err != nil {
		if err == flag.ErrHelp {
			return ExitOK
		}
		return ExitUsage
	}
	if len(extra) > 0 {
		fmt.Fprintf(stderr, "ipf-lsp patterns: unexpected argument %q\n", extra[0])
		fl.Usage()
		return ExitUsage
	}
	var list []PatternInfo
	for _, p := range env.Library.All() {
		list = append(list, PatternInfo{ID: p.ID, From: p.From, To: p.To, Name: p.Name, Source: p.Sources, File: p.File})
	}
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(list); err != nil {
			fmt.Fprintf(stderr, "ipf-lsp patterns: %v\n", err)
			return ExitUsage
		}
	case "text":
		for _, p := range list {
			src := ""
			if len(p.Source) > 0 {
				src = p.Source[0]
			}
			fmt.Fprintf(stdout, "%-60s %s → %s: %s  %s\n", p.ID, env.Catalog.Name(p.From), env.Catalog.Name(p.To), p.Name, src)
		}
	default:
		fmt.Fprintf(stderr, "ipf-lsp patterns: --format must be text or json, not %q\n", *format)
		return ExitUsage
	}
	return ExitOK
}
