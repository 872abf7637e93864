// Command ipf-lsp is a language server for spec-driven-development documents:
// it finds where two parts of a project's stack must integrate, shows the
// matching integration pattern on hover and inserts it with a quick fix.
//
// Usage:
//
//	ipf-lsp [serve] [--stdio]      LSP over stdio
//	ipf-lsp check [flags] PATH...  lint spec documents (for CI)
//	ipf-lsp version
package main

import (
	"context"
	"os"

	"github.com/ipf-lsp/ipf-lsp/internal/cli"
)

// main leaves SIGINT and SIGTERM at their default, ending the process at
// once: nothing needs cleaning up, and a `timeout` or Ctrl-C must stop a
// long check even in the middle of one document.
func main() {
	os.Exit(cli.Run(context.Background(), os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
