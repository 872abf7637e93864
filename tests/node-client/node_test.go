// Package nodeclient runs lsp.test.js: ipf-lsp driven over stdio by
// Microsoft's LSP client libraries from npm (vscode-jsonrpc,
// vscode-languageserver-protocol, vscode-languageserver-textdocument) under
// node's built-in test runner. .ci/run installs them with `npm ci` here.
//
// In CI (CI=true) a missing node, node_modules or corpus fails the test;
// elsewhere it skips with a message.
package nodeclient

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

func TestNodeClient(t *testing.T) {
	node, err := exec.LookPath("node")
	testenv.Require(t, err == nil, "node")
	root := testenv.RepoRoot(t)
	dir := filepath.Join(root, "tests", "node-client")
	_, err = os.Stat(filepath.Join(dir, "node_modules", "vscode-languageserver-protocol"))
	testenv.Require(t, err == nil, "tests/node-client/node_modules (run `npm ci` in tests/node-client)")
	corpus := testenv.CorpusDir(t)

	bin := filepath.Join(t.TempDir(), "ipf-lsp")
	build := exec.Command("go", "build", "-o", bin, "./cmd/ipf-lsp")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, node, "--test", "lsp.test.js")
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "IPF_LSP_BIN="+bin, "IPF_CORPUS="+corpus)
	start := time.Now()
	out, err := cmd.CombinedOutput()
	t.Logf("node --test lsp.test.js (%v):\n%s", time.Since(start).Round(time.Millisecond), out)
	if err != nil {
		t.Fatalf("node --test: %v", err)
	}
}
