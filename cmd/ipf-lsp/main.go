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
	"os/signal"
	"syscall"

	"github.com/ipf-lsp/ipf-lsp/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Run(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
