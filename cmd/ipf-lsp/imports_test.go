package main

import (
	"os/exec"
	"path/filepath"
	"regexp"
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
// network package, and what each may import. This is what is true of the
// dependencies, checked exactly: `go list -deps ./cmd/ipf-lsp` holds no
// os/exec, but it does hold net and net/http. jsonrpc2 imports net for its
// (unused) listener and dial helpers; zap, which go.lsp.dev/protocol
// imports for its logger, imports net/http for its (unused) HTTP level
// handler. No ipf-lsp package imports either. TestBinaryLinksNoNetworkCode
// checks what of them is linked into the binary, and
// TestSandboxNoNetworkNoProcess what the binary does.
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

// TestBinaryLinksNoNetworkCode checks the built binary's symbols: the
// linker keeps only reachable code, and of net/http only the package's
// initialisation and the proxy-from-environment function of its default
// transport's settings are linked: no HTTP client or server. No code that
// starts a process is linked at all (os.StartProcess, syscall.forkExec).
// net's dialer is linked, through that same default transport value, and
// nothing of ipf-lsp's reaches it: the sandbox test's system call trace
// shows that no socket is ever opened.
func TestBinaryLinksNoNetworkCode(t *testing.T) {
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available")
	}
	bin := filepath.Join(t.TempDir(), "ipf-lsp")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	out, err := exec.Command("go", "tool", "nm", bin).Output()
	if err != nil {
		t.Fatalf("go tool nm: %v", err)
	}
	forbidden := []string{
		"os.StartProcess", "os.startProcess", "syscall.forkExec", "syscall.StartProcess", "os/exec.",
		"net/http.(*Client)", "net/http.(*Transport).roundTrip", "net/http.(*Server)", "net/http.ListenAndServe",
		"net.Listen", "net.(*ListenConfig)", "net.Dial",
	}
	httpOK := regexp.MustCompile(`^net/http\.(init(\.\d+)?|ProxyFromEnvironment|envProxyFunc(\.func\d+)?)$`)
	var httpLinked []string
	for _, line := range strings.Split(string(out), "\n") {
		f := strings.Fields(line)
		if len(f) < 3 || f[1] != "T" {
			continue
		}
		sym := f[2]
		for _, bad := range forbidden {
			if strings.HasPrefix(sym, bad) {
				t.Errorf("the binary links %s", sym)
			}
		}
		if strings.HasPrefix(sym, "net/http.") {
			httpLinked = append(httpLinked, sym)
			if !httpOK.MatchString(sym) {
				t.Errorf("the binary links net/http code beyond its initialisation: %s", sym)
			}
		}
	}
	t.Logf("net/http code linked: %v", httpLinked)
}
