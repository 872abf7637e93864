package main

import (
	"os/exec"
	"sort"
	"strings"
	"testing"
)

// networkPkgs are packages that start processes or open network
// connections.
var networkPkgs = map[string]bool{
	"os/exec": true, "plugin": true, "net": true, "net/http": true, "net/rpc": true,
	"net/smtp": true, "crypto/tls": true, "net/http/httptrace": true,
}

// allowedImporters are the only non-standard packages allowed to import a
// network package, and what each may import. jsonrpc2 imports net for
// its (unused) listener helpers; zap imports net/http for its (unused)
// HTTP level handler. Neither is reached from ipf-lsp's code paths, which
// serve stdio only.
var allowedImporters = map[string]string{
	"go.lsp.dev/jsonrpc2|net":  "",
	"go.uber.org/zap|net/http": "",
}

// TestNoProcessesNoNetwork checks the import graph of the binary: no
// package imports os/exec, and the only non-standard importers of network
// packages are exactly the two known ones above.
func TestNoProcessesNoNetwork(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	out, err := exec.Command("go", "list", "-deps", "-f", "{{.ImportPath}} {{.Standard}} {{join .Imports \",\"}}", ".").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	var got []string
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 {
			continue
		}
		pkg, std, imports := f[0], f[1] == "true", strings.Split(f[2], ",")
		for _, imp := range imports {
			if imp == "os/exec" {
				t.Errorf("%s imports os/exec: the server must start no process", pkg)
			}
			if !std && networkPkgs[imp] {
				got = append(got, pkg+"|"+imp)
			}
		}
	}
	sort.Strings(got)
	var want []string
	for k := range allowedImporters {
		want = append(want, k)
	}
	sort.Strings(want)
	if strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("non-standard importers of network packages:\n got %v\nwant %v", got, want)
	}
}
