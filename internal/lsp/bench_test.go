package lsp

// End-to-end protocol benchmarks (issue 6): a raw client in-process over a
// pipe. They report figures; they assert no time.
//
//	go test -run '^$' -bench 'Keystroke|ColdStart|OpenToDiagnostics|Memory100Docs' -benchtime 500x ./internal/lsp/

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf16"

	fastjson "github.com/segmentio/encoding/json"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/gctune"
	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

func referenceFile(b *testing.B, name string) string {
	p := filepath.Join(testenv.CorpusDir(b), "0riva__oriva-platform", "specs", "010-orivaflow-semantic-commerce", name)
	src, err := os.ReadFile(p)
	if err != nil {
		b.Fatal(err)
	}
	return string(src)
}

// placeLine returns the first line (0-based) for which ok holds, with its
// width in UTF-16 units, skipping fenced code unless inFence.
func placeLine(text string, ok func(line string, inFence bool) bool) (int, int) {
	fence := false
	for i, l := range strings.Split(text, "\n") {
		l = strings.TrimRight(l, "\r")
		if strings.HasPrefix(strings.TrimSpace(l), "```") {
			fence = !fence
			continue
		}
		if ok(l, fence) {
			return i, len(utf16.Encode([]rune(l)))
		}
	}
	return -1, 0
}

var keystrokePlaces = map[string]func(string, bool) bool{
	"paragraph": func(l string, f bool) bool {
		return !f && len(l) > 25 && (l[0] >= 'A' && l[0] <= 'Z' || strings.HasPrefix(l, "**"))
	},
	"list":  func(l string, f bool) bool { return !f && strings.HasPrefix(l, "- ") && len(l) > 10 },
	"table": func(l string, f bool) bool { return !f && strings.HasPrefix(l, "|") && !strings.Contains(l, "---") },
	"fence": func(l string, f bool) bool { return f && len(strings.TrimSpace(l)) > 5 },
}

func percentile(d []time.Duration, p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	s := append([]time.Duration(nil), d...)
	sort.Slice(s, func(i, j int) bool { return s[i] < s[j] })
	return s[min(len(s)-1, int(p*float64(len(s))))]
}

// BenchmarkKeystroke types one character per didChange at the end of a
// line of each kind and measures the time from sending the change to the
// arrival of the publishDiagnostics of that version (its last byte read,
// before this client decodes it). Each change is sent as soon as the
// previous one's diagnostics arrive: no pause, the worst case. Run with
// -benchtime 500x for 500 characters.
func BenchmarkKeystroke(b *testing.B) { benchTyping(b, 0) }

// BenchmarkTyping is BenchmarkKeystroke at 20 characters a second (a pause
// of 50 ms after each change's diagnostics), faster than anyone types. The
// pauses are too short for gctune's idle collector (a quarter of a second
// without allocating), so collections still fall during the typing.
func BenchmarkTyping(b *testing.B) { benchTyping(b, 50*time.Millisecond) }

func benchTyping(b *testing.B, pause time.Duration) {
	// The collector's pace of the binary's serve command.
	defer gctune.Start()()
	for _, file := range []string{"plan.md", "data-model.md"} {
		text := referenceFile(b, file)
		for _, place := range []string{"paragraph", "list", "table", "fence"} {
			b.Run(file+"/"+place, func(b *testing.B) {
				line, col := placeLine(text, keystrokePlaces[place])
				if line < 0 {
					b.Skipf("%s has no %s line", file, place) // plan.md has no table
				}
				c := newRawClient(b, nil)
				c.initialize()
				const uri = "file:///ws/ref.md"
				c.open(uri, text)
				c.diagnostics(uri, 1)
				var lat []time.Duration
				v := 1
				b.ResetTimer()
				for b.Loop() {
					v++
					start := time.Now()
					c.notify("textDocument/didChange", fmt.Sprintf(`{"textDocument":{"uri":%q,"version":%d},"contentChanges":[{"range":{"start":{"line":%d,"character":%d},"end":{"line":%d,"character":%d}},"text":"x"}]}`, uri, v, line, col, line, col))
					m := c.diagnostics(uri, v)
					lat = append(lat, m.At.Sub(start))
					col++
					time.Sleep(pause)
				}
				b.ReportMetric(float64(percentile(lat, .50).Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(percentile(lat, .90).Microseconds())/1000, "p90-ms")
				b.ReportMetric(float64(percentile(lat, .99).Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(percentile(lat, 1).Microseconds())/1000, "max-ms")
			})
		}
	}
}

// BenchmarkKeystrokeWorkspace is BenchmarkKeystroke in a workspace laid
// out as spec-kit lays one out, the reference files in a feature folder
// under a constitution (a 23 KB one from the corpus): each analysis also
// needs the stack of the constitution and of the feature's plan, as it
// does in an editor.
func BenchmarkKeystrokeWorkspace(b *testing.B) {
	defer gctune.Start()()
	root := b.TempDir()
	feature := filepath.Join(root, "specs", "010-orivaflow-semantic-commerce")
	constitution, err := os.ReadFile(filepath.Join(testenv.CorpusDir(b), "AsmaIqbal01__Hackathon-2-Phase-II", ".specify", "memory", "constitution.md"))
	if err != nil {
		b.Fatal(err)
	}
	for _, dir := range []string{filepath.Join(root, ".git"), filepath.Join(root, ".specify", "memory"), feature} {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			b.Fatal(err)
		}
	}
	files := map[string]string{filepath.Join(root, ".specify", "memory", "constitution.md"): string(constitution)}
	for _, f := range []string{"plan.md", "data-model.md"} {
		files[filepath.Join(feature, f)] = referenceFile(b, f)
	}
	for p, text := range files {
		if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	for _, file := range []string{"plan.md", "data-model.md"} {
		path := filepath.Join(feature, file)
		text := files[path]
		for _, place := range []string{"paragraph", "fence"} {
			b.Run(file+"/"+place, func(b *testing.B) {
				line, col := placeLine(text, keystrokePlaces[place])
				c := newRawClient(b, nil)
				c.request(0, "initialize", fmt.Sprintf(`{"processId":null,"rootUri":%q,"capabilities":{}}`, "file://"+root))
				c.reply(0)
				c.notify("initialized", `{}`)
				uri := "file://" + path
				c.open(uri, text)
				c.diagnostics(uri, 1)
				var lat []time.Duration
				v := 1
				b.ResetTimer()
				for b.Loop() {
					v++
					start := time.Now()
					c.notify("textDocument/didChange", fmt.Sprintf(`{"textDocument":{"uri":%q,"version":%d},"contentChanges":[{"range":{"start":{"line":%d,"character":%d},"end":{"line":%d,"character":%d}},"text":"x"}]}`, uri, v, line, col, line, col))
					m := c.diagnostics(uri, v)
					lat = append(lat, m.At.Sub(start))
					col++
				}
				b.ReportMetric(float64(percentile(lat, .50).Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(percentile(lat, .90).Microseconds())/1000, "p90-ms")
				b.ReportMetric(float64(percentile(lat, .99).Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(percentile(lat, 1).Microseconds())/1000, "max-ms")
			})
		}
	}
}

// BenchmarkKeystrokeBinary is BenchmarkKeystroke against the built
// binary in its own process, over pipes: the server exactly as an editor
// runs it, whose garbage collector does not see this client's allocations.
func BenchmarkKeystrokeBinary(b *testing.B) {
	bin := buildBinary(b)
	for _, file := range []string{"plan.md", "data-model.md"} {
		text := referenceFile(b, file)
		for _, place := range []string{"paragraph", "list", "table", "fence"} {
			b.Run(file+"/"+place, func(b *testing.B) {
				line, col := placeLine(text, keystrokePlaces[place])
				if line < 0 {
					b.Skipf("%s has no %s line", file, place)
				}
				srv := startBinary(b, bin)
				const uri = "file:///ws/ref.md"
				srv.send(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{"processId": nil, "capabilities": map[string]any{}}})
				srv.send(map[string]any{"jsonrpc": "2.0", "method": "initialized", "params": map[string]any{}})
				srv.send(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": map[string]any{"textDocument": map[string]any{
					"uri": uri, "languageId": "markdown", "version": 1, "text": text}}})
				srv.waitVersion(b, 1)
				var lat []time.Duration
				v := 1
				b.ResetTimer()
				for b.Loop() {
					v++
					start := time.Now()
					srv.sendRaw(fmt.Sprintf(`{"jsonrpc":"2.0","method":"textDocument/didChange","params":{"textDocument":{"uri":%q,"version":%d},"contentChanges":[{"range":{"start":{"line":%d,"character":%d},"end":{"line":%d,"character":%d}},"text":"x"}]}}`, uri, v, line, col, line, col))
					lat = append(lat, srv.waitVersion(b, v).Sub(start))
					col++
				}
				b.StopTimer()
				srv.stop()
				b.ReportMetric(float64(percentile(lat, .50).Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(percentile(lat, .90).Microseconds())/1000, "p90-ms")
				b.ReportMetric(float64(percentile(lat, .99).Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(percentile(lat, 1).Microseconds())/1000, "max-ms")
			})
		}
	}
}

// BenchmarkRoundTripBinary measures the floor under BenchmarkKeystrokeBinary
// on this machine: a request the binary answers without work (an unknown
// method, refused with MethodNotFound) sent and its reply received.
func BenchmarkRoundTripBinary(b *testing.B) {
	srv := startBinary(b, buildBinary(b))
	srv.send(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{"processId": nil, "capabilities": map[string]any{}}})
	srv.send(map[string]any{"jsonrpc": "2.0", "method": "initialized", "params": map[string]any{}})
	srv.waitReply(b, 1)
	var lat []time.Duration
	id := 1
	for b.Loop() {
		id++
		start := time.Now()
		srv.sendRaw(fmt.Sprintf(`{"jsonrpc":"2.0","id":%d,"method":"ipf/noSuchMethod","params":{}}`, id))
		lat = append(lat, srv.waitReply(b, id).Sub(start))
	}
	b.StopTimer()
	srv.stop()
	b.ReportMetric(float64(percentile(lat, .50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, .90).Microseconds())/1000, "p90-ms")
	b.ReportMetric(float64(percentile(lat, .99).Microseconds())/1000, "p99-ms")
	b.ReportMetric(float64(percentile(lat, 1).Microseconds())/1000, "max-ms")
}

// buildBinary builds cmd/ipf-lsp into a temporary directory.
func buildBinary(b *testing.B) string {
	b.Helper()
	bin := filepath.Join(b.TempDir(), "ipf-lsp")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/ipf-lsp").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// binServer is the built binary serving over pipes, with the arrival time
// of each publishDiagnostics by version.
type binServer struct {
	cmd     *exec.Cmd
	stdin   io.WriteCloser
	pubs    chan binPub
	replies chan binPub // by id
}

type binPub struct {
	version int
	at      time.Time
}

func startBinary(b *testing.B, bin string) *binServer {
	b.Helper()
	cmd := exec.Command(bin, "serve")
	stdin, _ := cmd.StdinPipe()
	stdout, _ := cmd.StdoutPipe()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	s := &binServer{cmd: cmd, stdin: stdin, pubs: make(chan binPub, 1024), replies: make(chan binPub, 1024)}
	go func() {
		defer close(s.pubs)
		r := bufio.NewReader(stdout)
		for {
			n := -1
			for {
				line, err := r.ReadString('\n')
				if err != nil {
					return
				}
				if line = strings.TrimSpace(line); line == "" {
					break
				}
				if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
					n, _ = strconv.Atoi(v)
				}
			}
			body := make([]byte, max(n, 0))
			if _, err := io.ReadFull(r, body); err != nil {
				return
			}
			at := time.Now()
			var m struct {
				ID     *int   `json:"id"`
				Method string `json:"method"`
				Params struct {
					Version *int `json:"version"`
				} `json:"params"`
			}
			switch {
			case fastjson.Unmarshal(body, &m) != nil:
			case m.Method == "textDocument/publishDiagnostics" && m.Params.Version != nil:
				s.pubs <- binPub{*m.Params.Version, at}
			case m.Method == "" && m.ID != nil:
				s.replies <- binPub{*m.ID, at}
			}
		}
	}()
	return s
}

func (s *binServer) send(v any) {
	body, _ := json.Marshal(v)
	s.sendRaw(string(body))
}

func (s *binServer) sendRaw(body string) {
	fmt.Fprintf(s.stdin, "Content-Length: %d\r\n\r\n%s", len(body), body)
}

// waitVersion returns when the diagnostics of version arrived.
func (s *binServer) waitVersion(b *testing.B, version int) time.Time {
	for {
		select {
		case p, ok := <-s.pubs:
			if !ok {
				b.Fatalf("the server ended before publishing version %d", version)
			}
			if p.version == version {
				return p.at
			}
		case <-time.After(waitTimeout):
			b.Fatalf("timed out waiting for the diagnostics of version %d", version)
		}
	}
}

// waitReply returns when the reply to request id arrived.
func (s *binServer) waitReply(b *testing.B, id int) time.Time {
	for {
		select {
		case p := <-s.replies:
			if p.version == id {
				return p.at
			}
		case <-time.After(waitTimeout):
			b.Fatalf("timed out waiting for the reply to %d", id)
		}
	}
}

func (s *binServer) stop() {
	s.send(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": nil})
	s.send(map[string]any{"jsonrpc": "2.0", "method": "exit"})
	_ = s.stdin.Close()
	_ = s.cmd.Wait()
}

// BenchmarkColdStart measures initialize sent → result received on a new
// session (the Env is built once, as the binary does before serving).
func BenchmarkColdStart(b *testing.B) {
	env, err := analysis.DefaultEnv()
	if err != nil {
		b.Fatal(err)
	}
	var lat []time.Duration
	for b.Loop() {
		c := newRawClient(b, env)
		start := time.Now()
		c.request(0, "initialize", `{"processId":null,"capabilities":{}}`)
		c.reply(0)
		lat = append(lat, time.Since(start))
	}
	b.ReportMetric(float64(percentile(lat, .50).Microseconds())/1000, "p50-ms")
	b.ReportMetric(float64(percentile(lat, 1).Microseconds())/1000, "max-ms")
}

// BenchmarkColdStartBinary is the cold start an editor sees: from starting
// the built binary to the result of initialize, written as soon as the
// process runs (startup), and on to the first diagnostics of the 711-line
// reference plan opened right after (first-diagnostics).
//
//	go test -run '^$' -bench ColdStartBinary -benchtime 20x ./internal/lsp/
func BenchmarkColdStartBinary(b *testing.B) {
	bin := buildBinary(b)
	text := referenceFile(b, "plan.md")
	var start, first []time.Duration
	for b.Loop() {
		t0 := time.Now()
		srv := startBinary(b, bin)
		srv.send(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{"processId": nil, "capabilities": map[string]any{}}})
		start = append(start, srv.waitReply(b, 1).Sub(t0))
		srv.send(map[string]any{"jsonrpc": "2.0", "method": "initialized", "params": map[string]any{}})
		srv.send(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": map[string]any{"textDocument": map[string]any{
			"uri": "file:///ws/plan.md", "languageId": "markdown", "version": 1, "text": text}}})
		first = append(first, srv.waitVersion(b, 1).Sub(t0))
		srv.stop()
	}
	b.ReportMetric(float64(percentile(start, .50).Microseconds())/1000, "startup-p50-ms")
	b.ReportMetric(float64(percentile(start, 1).Microseconds())/1000, "startup-max-ms")
	b.ReportMetric(float64(percentile(first, .50).Microseconds())/1000, "first-diagnostics-p50-ms")
	b.ReportMetric(float64(percentile(first, 1).Microseconds())/1000, "first-diagnostics-max-ms")
}

// BenchmarkEnvBuild measures what the binary does before it can answer
// initialize: parse the embedded pattern library and build the matcher.
func BenchmarkEnvBuild(b *testing.B) {
	for b.Loop() {
		if _, err := analysis.DefaultEnv(); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkOpenToDiagnostics measures didOpen → first publishDiagnostics
// for each reference file.
func BenchmarkOpenToDiagnostics(b *testing.B) {
	for _, file := range []string{"plan.md", "data-model.md"} {
		text := referenceFile(b, file)
		b.Run(file, func(b *testing.B) {
			c := newRawClient(b, nil)
			c.initialize()
			var lat []time.Duration
			i := 0
			for b.Loop() {
				i++
				uri := fmt.Sprintf("file:///ws/%d.md", i)
				start := time.Now()
				c.open(uri, text)
				m := c.diagnostics(uri, 1)
				lat = append(lat, m.At.Sub(start))
			}
			b.ReportMetric(float64(percentile(lat, .50).Microseconds())/1000, "p50-ms")
			b.ReportMetric(float64(percentile(lat, 1).Microseconds())/1000, "max-ms")
		})
	}
}

// BenchmarkMemory100Docs opens 100 corpus documents and reports the
// process's resident memory (VmRSS, which includes the test binary and
// client: BenchmarkMemory100DocsBinary measures the server alone), the live
// Go heap once every document has its diagnostics, and how much of it the
// analysis memos hold.
func BenchmarkMemory100Docs(b *testing.B) {
	docs := testenv.CorpusSeeds(b, 0)
	for b.Loop() {
		var srv *Server
		c := newRawClientOpts(b, Options{Version: "test", onStart: func(s *Server) { srv = s }})
		c.initialize()
		for i := range 100 {
			c.open(fmt.Sprintf("file:///ws/d%d.md", i), string(docs[i%len(docs)]))
		}
		for i := range 100 {
			c.diagnostics(fmt.Sprintf("file:///ws/d%d.md", i), 1)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		b.ReportMetric(float64(ms.HeapAlloc)/(1<<20), "heap-MB")
		b.ReportMetric(vmRSS()/(1<<20), "rss-MB")
		// What the analysis memos hold: the heap that dropping them frees.
		srv.mu.Lock()
		for _, d := range srv.docs {
			d.memo.Store(nil)
		}
		srv.mu.Unlock()
		runtime.GC()
		var after runtime.MemStats
		runtime.ReadMemStats(&after)
		b.ReportMetric(float64(ms.HeapAlloc-after.HeapAlloc)/(1<<20), "memo-MB")
		// End this session and drop what the client buffered, so the next
		// iteration measures one server with 100 documents, not the sum.
		c.request(9999, "shutdown", "null")
		c.reply(9999)
		c.notify("exit", "null")
		<-c.exit
		for len(c.msgs) > 0 {
			<-c.msgs
		}
	}
}

// BenchmarkMemory100DocsBinary measures the server alone: it builds the
// ipf-lsp binary, opens 100 corpus documents through its stdio and reads
// the process's resident memory (VmRSS) and its peak (VmHWM) once every
// document has its diagnostics, and VmRSS again a second later.
//
//	go test -run '^$' -bench Memory100DocsBinary -benchtime 5x ./internal/lsp/
func BenchmarkMemory100DocsBinary(b *testing.B) {
	docs := testenv.CorpusSeeds(b, 0)
	if len(docs) == 0 {
		b.Skip("corpus not found: skipping")
	}
	bin := filepath.Join(b.TempDir(), "ipf-lsp")
	if out, err := exec.Command("go", "build", "-o", bin, "../../cmd/ipf-lsp").CombinedOutput(); err != nil {
		b.Fatalf("go build: %v\n%s", err, out)
	}
	var rssAll, hwmAll, idleAll []float64
	for b.Loop() {
		cmd := exec.Command(bin, "serve")
		stdin, _ := cmd.StdinPipe()
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			b.Fatal(err)
		}
		send := func(v any) {
			body, _ := json.Marshal(v)
			fmt.Fprintf(stdin, "Content-Length: %d\r\n\r\n%s", len(body), body)
		}
		published := make(chan string, 256)
		go func() {
			defer close(published)
			r := bufio.NewReader(stdout)
			for {
				n := -1
				for {
					line, err := r.ReadString('\n')
					if err != nil {
						return
					}
					if line = strings.TrimSpace(line); line == "" {
						break
					}
					if v, ok := strings.CutPrefix(line, "Content-Length: "); ok {
						n, _ = strconv.Atoi(v)
					}
				}
				body := make([]byte, max(n, 0))
				if _, err := io.ReadFull(r, body); err != nil {
					return
				}
				var m struct {
					Method string `json:"method"`
					Params struct {
						URI string `json:"uri"`
					} `json:"params"`
				}
				if json.Unmarshal(body, &m) == nil && m.Method == "textDocument/publishDiagnostics" {
					published <- m.Params.URI
				}
			}
		}()
		send(map[string]any{"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": map[string]any{"processId": nil, "capabilities": map[string]any{}}})
		send(map[string]any{"jsonrpc": "2.0", "method": "initialized", "params": map[string]any{}})
		for i := range 100 {
			send(map[string]any{"jsonrpc": "2.0", "method": "textDocument/didOpen", "params": map[string]any{"textDocument": map[string]any{
				"uri": fmt.Sprintf("file:///ws/d%d.md", i), "languageId": "markdown", "version": 1, "text": string(docs[i%len(docs)]),
			}}})
		}
		seen := map[string]bool{}
		for len(seen) < 100 {
			u, ok := <-published
			if !ok {
				b.Fatal("the server ended before publishing every document")
			}
			seen[u] = true
		}
		rss, hwm := procMemory(cmd.Process.Pid)
		rssAll, hwmAll = append(rssAll, rss/(1<<20)), append(hwmAll, hwm/(1<<20))
		// A second later, with the documents still open and nothing to do:
		// what the server holds once its idle collection has run.
		time.Sleep(time.Second)
		idle, _ := procMemory(cmd.Process.Pid)
		idleAll = append(idleAll, idle/(1<<20))
		send(map[string]any{"jsonrpc": "2.0", "id": 2, "method": "shutdown", "params": nil})
		send(map[string]any{"jsonrpc": "2.0", "method": "exit"})
		_ = stdin.Close()
		_ = cmd.Wait()
	}
	// Each iteration is a new process; where its last collection fell
	// moves its figure, so the median and the maximum are reported.
	slices.Sort(rssAll)
	slices.Sort(hwmAll)
	b.ReportMetric(rssAll[len(rssAll)/2], "rss-p50-MB")
	b.ReportMetric(rssAll[len(rssAll)-1], "rss-max-MB")
	b.ReportMetric(hwmAll[len(hwmAll)-1], "peak-rss-max-MB")
	slices.Sort(idleAll)
	b.ReportMetric(idleAll[len(idleAll)/2], "idle-rss-p50-MB")
	b.ReportMetric(idleAll[len(idleAll)-1], "idle-rss-max-MB")
}

// procMemory returns VmRSS and VmHWM of a process, in bytes.
func procMemory(pid int) (rss, hwm float64) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	kb := func(v string) float64 {
		n, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
		return float64(n) * 1024
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			rss = kb(v)
		}
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			hwm = kb(v)
		}
	}
	return rss, hwm
}

func vmRSS() float64 {
	data, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return 0
	}
	for _, l := range strings.Split(string(data), "\n") {
		if v, ok := strings.CutPrefix(l, "VmRSS:"); ok {
			kb, _ := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")))
			return float64(kb) * 1024
		}
	}
	return 0
}

// synthetic returns a document of n bytes made of corpus text.
func synthetic(b *testing.B, n int) string {
	all := strings.Join(func() []string {
		var out []string
		for _, d := range testenv.CorpusSeeds(b, 0) {
			out = append(out, string(d))
		}
		return out
	}(), "\n\n")
	if all == "" {
		b.Skip("corpus not found: skipping")
	}
	var sb strings.Builder
	for sb.Len() < n {
		sb.WriteString(all)
		sb.WriteString("\n\n")
	}
	return sb.String()[:n]
}

// BenchmarkHoverDuringAnalysis5MB types into a 5 MB document, one
// character every 20 ms at the end of a paragraph line, and sends a hover
// after each keystroke on a technology far from the typing: the figures are
// the hover's latency while the analysis runs (p50, p99, max), the full
// analysis of the document (open → first diagnostics), and the time from
// the last keystroke to the diagnostics of the last version ("settle"),
// which should stay within one full analysis.
//
//	go test -run '^$' -bench HoverDuringAnalysis5MB -benchtime 200x ./internal/lsp/
func BenchmarkHoverDuringAnalysis5MB(b *testing.B) {
	text := synthetic(b, 5<<20)
	line, col := placeLine(text, keystrokePlaces["paragraph"])
	// A mention far below the typing: the last "FastAPI" of the text.
	at := strings.LastIndex(text, "FastAPI")
	hl := strings.Count(text[:at], "\n")
	hc := len(utf16.Encode([]rune(text[strings.LastIndex(text[:at], "\n")+1 : at])))
	c := newRawClient(b, nil)
	c.initialize()
	const uri = "file:///ws/big.md"
	start := time.Now()
	c.open(uri, text)
	c.diagnostics(uri, 1)
	full := time.Since(start)

	var lat []time.Duration
	v, id := 1, 100
	tick := time.NewTicker(20 * time.Millisecond)
	defer tick.Stop()
	b.ResetTimer()
	for b.Loop() {
		v++
		id++
		c.notify("textDocument/didChange", fmt.Sprintf(`{"textDocument":{"uri":%q,"version":%d},"contentChanges":[{"range":{"start":{"line":%d,"character":%d},"end":{"line":%d,"character":%d}},"text":"x"}]}`, uri, v, line, col, line, col))
		col++
		t0 := time.Now()
		c.request(id, "textDocument/hover", hoverParams(uri, hl, hc+1))
		if m := c.reply(id); m.Error != nil || !strings.Contains(string(m.Result), "FastAPI") {
			b.Fatalf("hover: %+v %s", m.Error, m.Result)
		}
		lat = append(lat, time.Since(t0))
		<-tick.C
	}
	t1 := time.Now()
	c.diagnostics(uri, v)
	settle := time.Since(t1)
	b.StopTimer()
	b.ReportMetric(float64(percentile(lat, .50).Microseconds())/1000, "hover-p50-ms")
	b.ReportMetric(float64(percentile(lat, .99).Microseconds())/1000, "hover-p99-ms")
	b.ReportMetric(float64(percentile(lat, 1).Microseconds())/1000, "hover-max-ms")
	b.ReportMetric(float64(full.Milliseconds()), "full-analysis-ms")
	b.ReportMetric(float64(settle.Milliseconds()), "settle-ms")
}

// BenchmarkCodeAction measures textDocument/codeAction on an
// integration-point diagnostic of a large document, the request VS Code
// sends each time the cursor moves onto a diagnostic, for a client that
// resolves a code action's edit lazily (codeAction/resolve, as VS Code
// declares) and for one that does not (Neovim 0.7). The "resolve" runs
// report the codeAction/resolve that follows when the user picks the
// action as resolve-ms (the last run's).
//
//	go test -run '^$' -bench 'CodeAction$' -benchtime 50x ./internal/lsp/
func BenchmarkCodeAction(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"380KB", 380 << 10}, {"5MB", 5 << 20}} {
		text := synthetic(b, size.n)
		for _, kind := range []string{"inline", "resolve"} {
			b.Run(size.name+"/"+kind, func(b *testing.B) {
				caps := `{"workspace":{"workspaceEdit":{"documentChanges":true}}}`
				if kind == "resolve" {
					caps = `{"workspace":{"workspaceEdit":{"documentChanges":true}},"textDocument":{"codeAction":{"codeActionLiteralSupport":{"codeActionKind":{"valueSet":["quickfix"]}},"dataSupport":true,"resolveSupport":{"properties":["edit"]}}}}`
				}
				c := newRawClient(b, nil)
				c.request(0, "initialize", `{"processId":null,"capabilities":`+caps+`}`)
				if m := c.reply(0); m.Error != nil {
					b.Fatalf("initialize: %+v", m.Error)
				}
				c.notify("initialized", `{}`)
				const uri = "file:///ws/big.md"
				c.open(uri, text)
				var p struct {
					Diagnostics []json.RawMessage `json:"diagnostics"`
				}
				_ = json.Unmarshal(c.diagnostics(uri, 1).Params, &p)
				var diag json.RawMessage
				for _, d := range p.Diagnostics {
					var dd struct {
						Code  string          `json:"code"`
						Range json.RawMessage `json:"range"`
						Data  struct {
							Patterns []string `json:"patterns"`
						} `json:"data"`
					}
					_ = json.Unmarshal(d, &dd)
					if dd.Code == "integration-point" && len(dd.Data.Patterns) > 0 {
						diag = d
					}
				}
				if diag == nil {
					b.Skip("no integration point with patterns in the document")
				}
				var rng struct {
					Range json.RawMessage `json:"range"`
				}
				_ = json.Unmarshal(diag, &rng)
				params := fmt.Sprintf(`{"textDocument":{"uri":%q},"range":%s,"context":{"diagnostics":[%s]}}`, uri, rng.Range, diag)
				var lat []time.Duration
				var last rawMsg
				id := 100
				b.ResetTimer()
				for b.Loop() {
					id++
					t0 := time.Now()
					c.request(id, "textDocument/codeAction", params)
					last = c.reply(id)
					lat = append(lat, last.At.Sub(t0))
					if last.Error != nil {
						b.Fatalf("codeAction: %+v", last.Error)
					}
				}
				b.StopTimer()
				b.ReportMetric(float64(percentile(lat, .50).Microseconds())/1000, "p50-ms")
				b.ReportMetric(float64(percentile(lat, .99).Microseconds())/1000, "p99-ms")
				b.ReportMetric(float64(len(last.Result))/1024, "reply-KB")
				if kind != "resolve" {
					return
				}
				var actions []json.RawMessage
				_ = json.Unmarshal(last.Result, &actions)
				if len(actions) == 0 {
					b.Fatalf("no actions: %s", last.Result)
				}
				id++
				t0 := time.Now()
				c.request(id, "codeAction/resolve", string(actions[0]))
				m := c.reply(id)
				if m.Error != nil {
					b.Fatalf("codeAction/resolve: %+v", m.Error)
				}
				b.ReportMetric(float64(m.At.Sub(t0).Microseconds())/1000, "resolve-ms")
			})
		}
	}
}
