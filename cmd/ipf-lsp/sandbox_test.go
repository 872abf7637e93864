package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// TestSandboxNoNetworkNoProcess is the security boundary of the whole
// binary at run time: it builds ipf-lsp and drives a short LSP session over
// its stdio (initialize with the example project as workspace, didOpen of
// its spec, the diagnostics, a hover, shutdown, exit) inside a network
// namespace that has no interface (unshare -n), so the session works
// without any network. Under strace (tracing every process and network
// system call) it asserts that the server made no network call at all and
// started no process: the only execve is its own start, every clone is a
// thread of the Go runtime.
//
// It skips, saying so, when unshare is not permitted here (it needs root or
// unprivileged user namespaces); CI runs as root. strace is required in CI
// (.ci/run installs it) and the trace part is skipped without it elsewhere.
func TestSandboxNoNetworkNoProcess(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("network namespaces are Linux only")
	}
	unshare, err := exec.LookPath("unshare")
	testenv.Require(t, err == nil, "unshare (util-linux)")
	if out, err := exec.Command(unshare, "-n", "true").CombinedOutput(); err != nil {
		t.Skipf("SKIPPED: unshare -n is not permitted here (it needs root or unprivileged user namespaces): %v %s", err, out)
	}
	strace, serr := exec.LookPath("strace")
	if serr != nil {
		testenv.Require(t, false, "strace")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("go command not available to build the binary")
	}
	dir := t.TempDir()
	bin := filepath.Join(dir, "ipf-lsp")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	trace := filepath.Join(dir, "trace")
	args := []string{"-n"}
	if serr == nil {
		args = append(args, strace, "-f", "-qq", "-o", trace, "-e", "trace=%network,%process")
	}
	args = append(args, bin, "serve")
	cmd := exec.Command(unshare, args...)
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	msgs := make(chan map[string]json.RawMessage, 64)
	go readFrames(stdout, msgs)

	send := func(v any) {
		b, _ := json.Marshal(v)
		if _, err := fmt.Fprintf(stdin, "Content-Length: %d\r\n\r\n%s", len(b), b); err != nil {
			t.Fatalf("write: %v", err)
		}
	}
	await := func(what string, ok func(map[string]json.RawMessage) bool) map[string]json.RawMessage {
		t.Helper()
		deadline := time.After(60 * time.Second) // a deadlock guard, not a timing assertion
		for {
			select {
			case m, open := <-msgs:
				if !open {
					t.Fatalf("the server closed its output waiting for %s; stderr:\n%s", what, stderr.String())
				}
				if ok(m) {
					return m
				}
			case <-deadline:
				t.Fatalf("no %s; stderr:\n%s", what, stderr.String())
			}
		}
	}
	reply := func(id int) map[string]json.RawMessage {
		t.Helper()
		return await(fmt.Sprintf("reply %d", id), func(m map[string]json.RawMessage) bool {
			_, isReq := m["method"]
			return !isReq && string(m["id"]) == strconv.Itoa(id)
		})
	}

	root, err := filepath.Abs(filepath.Join("..", "..", "examples", "taskflow"))
	if err != nil {
		t.Fatal(err)
	}
	specPath := filepath.Join(root, "specs", "001-task-sharing", "spec.md")
	spec, err := os.ReadFile(specPath)
	if err != nil {
		t.Fatal(err)
	}
	rootURI, specURI := "file://"+root, "file://"+specPath
	send(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{
		"processId": nil, "rootUri": rootURI, "capabilities": map[string]any{},
		"workspaceFolders": []map[string]any{{"uri": rootURI, "name": "taskflow"}},
	}})
	if m := reply(1); !strings.Contains(string(m["result"]), `"serverInfo":{"name":"ipf-lsp"`) {
		t.Fatalf("initialize: %s %s", m["result"], m["error"])
	}
	send(map[string]any{"jsonrpc": "2.0", "method": "initialized", "params": map[string]any{}})
	send(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": map[string]any{
		"textDocument": map[string]any{"uri": specURI, "languageId": "markdown", "version": 1, "text": string(spec)},
	}})
	diag := await("diagnostics of the spec", func(m map[string]json.RawMessage) bool {
		return string(m["method"]) == `"textDocument/publishDiagnostics"` && strings.Contains(string(m["params"]), specURI)
	})
	if !strings.Contains(string(diag["params"]), `"code":"integration-point"`) {
		t.Fatalf("no integration point in the diagnostics: %s", diag["params"])
	}
	line, col := position(string(spec), "Better Auth issues a JWT that FastAPI")
	send(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": map[string]any{
		"textDocument": map[string]any{"uri": specURI}, "position": map[string]any{"line": line, "character": col + 2},
	}})
	if m := reply(2); !strings.Contains(string(m["result"]), `**Better Auth → FastAPI** · pattern: **JWT bearer verified with JWKS**`) {
		t.Fatalf("hover: %s %s", m["result"], m["error"])
	}
	send(map[string]any{"jsonrpc": "2.0", "id": 3, "method": "shutdown", "params": nil})
	if m := reply(3); string(m["result"]) != "null" {
		t.Fatalf("shutdown: %s %s", m["result"], m["error"])
	}
	send(map[string]any{"jsonrpc": "2.0", "method": "exit"})
	_ = stdin.Close()
	if err := cmd.Wait(); err != nil {
		t.Fatalf("exit: %v (want status 0 after shutdown); stderr:\n%s", err, stderr.String())
	}
	if serr != nil {
		t.Logf("strace not installed: the session ran without a network; no system call trace")
		return
	}
	b, err := os.ReadFile(trace)
	if err != nil {
		t.Fatal(err)
	}
	checkTrace(t, string(b), bin)
}

// traceLine is one system call of strace -f output: "PID name(args) = ret".
var traceLine = regexp.MustCompile(`^\d+\s+([a-z0-9_]+)\(`)

// checkTrace asserts that the traced process and network calls are only
// the program's own execve and the runtime's threads and signals.
func checkTrace(t *testing.T, trace, bin string) {
	t.Helper()
	problems, calls := traceProblems(trace, bin)
	for _, p := range problems {
		t.Error(p)
	}
	t.Logf("traced calls: %v", calls)
}

func traceProblems(trace, bin string) ([]string, map[string]int) {
	var problems []string
	execs, calls := 0, map[string]int{}
	for _, l := range strings.Split(trace, "\n") {
		m := traceLine.FindStringSubmatch(l)
		if m == nil {
			continue // signals, exits, resumed calls
		}
		name := m[1]
		calls[name]++
		switch name {
		case "execve":
			execs++
			if !strings.Contains(l, `execve("`+bin+`"`) || execs > 1 {
				problems = append(problems, "the server started a process: "+l)
			}
		case "clone", "clone3":
			if !strings.Contains(l, "CLONE_THREAD") {
				problems = append(problems, "the server forked: "+l)
			}
		case "tgkill", "exit", "exit_group", "rt_sigreturn":
			// the runtime's preemption signals and thread exits
		default:
			problems = append(problems, fmt.Sprintf("unexpected %s call (a network or process system call): %s", name, l))
		}
	}
	if execs != 1 {
		problems = append(problems, fmt.Sprintf("%d execve in the trace, want the server's own start only", execs))
	}
	return problems, calls
}

// TestTraceProblems: the trace check flags what it is there to catch.
func TestTraceProblems(t *testing.T) {
	const bin = "/tmp/x/ipf-lsp"
	ok := "7 execve(\"/tmp/x/ipf-lsp\", [\"ipf-lsp\"], 0x0 /* 3 vars */) = 0\n" +
		"7 clone3({flags=CLONE_VM|CLONE_THREAD, child_tid=0x1}, 88) = 8\n8 tgkill(7, 7, SIGURG) = 0\n7 --- SIGURG {si_signo=SIGURG} ---\n7 exit_group(0) = ?\n"
	if p, _ := traceProblems(ok, bin); len(p) != 0 {
		t.Fatalf("a clean trace flagged: %v", p)
	}
	// strace pads short PIDs to five columns: "2342  execve(".
	padded := strings.ReplaceAll(strings.ReplaceAll(ok, "7 ", "7     "), "8 ", "8     ")
	if p, calls := traceProblems(padded, bin); len(p) != 0 || calls["execve"] != 1 {
		t.Fatalf("a clean trace with padded PIDs: problems %v, calls %v", p, calls)
	}
	if p, _ := traceProblems(padded+"8     socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n", bin); len(p) == 0 {
		t.Errorf("a socket call with a padded PID not flagged")
	}
	for _, bad := range []string{
		"8 socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC|SOCK_NONBLOCK, IPPROTO_IP) = 3\n",
		"8 connect(3, {sa_family=AF_INET, sin_port=htons(443)}, 16) = -1 ENETUNREACH\n",
		"8 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|SIGCHLD) = 9\n",
		"9 execve(\"/bin/sh\", [\"sh\"], 0x0 /* 3 vars */) = 0\n",
		"8 vfork() = 9\n",
	} {
		if p, _ := traceProblems(ok+bad, bin); len(p) == 0 {
			t.Errorf("not flagged: %s", bad)
		}
	}
}

// position returns the 0-based line and UTF-16 column of the first
// occurrence of s in text (ASCII before it on its line).
func position(text, s string) (int, int) {
	i := strings.Index(text, s)
	line := strings.Count(text[:i], "\n")
	return line, i - (strings.LastIndex(text[:i], "\n") + 1)
}

// readFrames decodes Content-Length frames from r until it ends.
func readFrames(r io.Reader, out chan<- map[string]json.RawMessage) {
	defer close(out)
	br := bufio.NewReader(r)
	for {
		n := -1
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSpace(line)
			if line == "" {
				break
			}
			if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
				n, _ = strconv.Atoi(v)
			}
		}
		if n < 0 {
			return
		}
		body := make([]byte, n)
		if _, err := io.ReadFull(br, body); err != nil {
			return
		}
		var m map[string]json.RawMessage
		if json.Unmarshal(body, &m) == nil {
			out <- m
		}
	}
}
