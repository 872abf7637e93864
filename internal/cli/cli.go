// Package cli implements the ipf-lsp command line: serve, check, patterns,
// find and version. main only forwards os.Args here, so tests drive the
// exact code a user runs.
package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strconv"
	"strings"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/gctune"
	"github.com/ipf-lsp/ipf-lsp/internal/lsp"
)

// Version is the ipf-lsp release.
const Version = "0.1.0"

const usage = `ipf-lsp — integration points, patterns and anti-patterns in spec documents

Usage:
  ipf-lsp [serve] [--stdio]             run the language server over stdio
                                        (--max-message-size BYTES)
  ipf-lsp check [flags] PATH...         analyse Markdown files or folders (for CI)
  ipf-lsp patterns [--format text|json] list the pattern library
  ipf-lsp patterns show ID              print one pattern as Markdown
  ipf-lsp find [--constitution FILE] PATH...
                                        write the integration patterns for the
                                        integration points of the documents
  ipf-lsp version                       print the version (also --version)

Run 'ipf-lsp COMMAND --help' for a command's flags.
`

// Exit codes of check.
const (
	ExitOK       = 0
	ExitFindings = 1
	ExitUsage    = 2
)

// Run executes the command line args (without the program name) and returns
// the process exit code.
func Run(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	cmd := "serve"
	if len(args) > 0 && (args[0] == "-h" || args[0] == "--help") {
		// Bare `ipf-lsp --help` asks about the whole tool, not `serve`.
		cmd, args = "help", nil
	} else if len(args) > 0 && (args[0] == "--version" || args[0] == "-version" || args[0] == "-v") {
		// Nor is `ipf-lsp --version` a flag of serve.
		cmd, args = "version", nil
	} else if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return runServe(ctx, args, stdin, stdout, stderr)
	case "check":
		return runCheck(ctx, args, stdout, stderr)
	case "find":
		return runFind(ctx, args, stdout, stderr)
	case "patterns":
		return runPatterns(args, stdout, stderr)
	case "version":
		if isHelp(args) {
			fmt.Fprint(stdout, versionUsage)
			return ExitOK
		}
		fmt.Fprintf(stdout, "ipf-lsp %s\n", Version)
		return ExitOK
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return ExitOK
	}
	fmt.Fprintf(stderr, "ipf-lsp: unknown command %q\n\n%s", cmd, usage)
	return ExitUsage
}

const versionUsage = "Usage: ipf-lsp version (or ipf-lsp --version)\n\nPrints the version.\n"

// isHelp reports whether args ask for help (-h or --help) rather than for
// the command's work.
func isHelp(args []string) bool {
	for _, a := range args {
		if a == "-h" || a == "--help" {
			return true
		}
	}
	return false
}

const serveUsage = `Usage: ipf-lsp [serve] [--stdio] [--max-message-size BYTES]

Runs the language server over stdin/stdout. Logs go to stderr.

  --max-message-size BYTES  refuse a JSON-RPC message above this size without
                            reading it into memory (default 67108864, 64 MiB;
                            a suffix K, M or G counts in KiB, MiB, GiB)
`

func runServe(ctx context.Context, args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	var maxMsg int64
	for i := 0; i < len(args); i++ {
		a := args[i]
		name, value, hasValue := strings.Cut(a, "=")
		switch name {
		case "--stdio":
			// The default transport; accepted because clients pass it.
		case "-h", "--help":
			fmt.Fprint(stdout, serveUsage)
			return ExitOK
		case "--max-message-size":
			if !hasValue {
				if i+1 == len(args) {
					fmt.Fprintf(stderr, "ipf-lsp serve: --max-message-size needs a value\n")
					return ExitUsage
				}
				i++
				value = args[i]
			}
			n, err := parseSize(value)
			if err != nil {
				fmt.Fprintf(stderr, "ipf-lsp serve: --max-message-size %q: %v\n", value, err)
				return ExitUsage
			}
			maxMsg = n
		default:
			fmt.Fprintf(stderr, "ipf-lsp serve: unknown flag %q\n", a)
			return ExitUsage
		}
	}
	env, err := analysis.DefaultEnv()
	if err != nil {
		fmt.Fprintf(stderr, "ipf-lsp: %v\n", err)
		return ExitUsage
	}
	log := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: logLevel()}))
	var closer io.Closer
	if c, ok := stdin.(io.Closer); ok {
		closer = c
	}
	defer gctune.Start()()
	return lsp.Serve(ctx, stdin, stdout, closer, lsp.Options{Env: env, Logger: log, Version: Version, MaxMessage: maxMsg})
}

// parseSize reads a positive byte count with an optional K, M or G suffix
// (powers of 1024).
func parseSize(v string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(v, "K"):
		mult, v = 1<<10, strings.TrimSuffix(v, "K")
	case strings.HasSuffix(v, "M"):
		mult, v = 1<<20, strings.TrimSuffix(v, "M")
	case strings.HasSuffix(v, "G"):
		mult, v = 1<<30, strings.TrimSuffix(v, "G")
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil || n <= 0 || n > (1<<62)/mult {
		return 0, fmt.Errorf("want a positive number of bytes, e.g. 67108864 or 64M")
	}
	return n * mult, nil
}

func logLevel() slog.Level {
	if os.Getenv("IPF_LSP_DEBUG") != "" {
		return slog.LevelDebug
	}
	return slog.LevelWarn
}
