package lsp

// The protocol torture suite: a raw client that frames bytes by hand, so it
// can send what no well-behaved client would, checks that each abuse gets
// the reply LSP 3.17 prescribes and that the server keeps serving.

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	fastjson "github.com/segmentio/encoding/json"
	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// rawMsg is one message from the server.
type rawMsg struct {
	ID     json.RawMessage `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  *struct {
		Code    int    `json:"code"`
		Message string `json:"message"`
	} `json:"error"`
	// At is when the frame's last byte was read, before the client
	// decoded it: latency benchmarks measure the server, not this
	// client's JSON decoding.
	At time.Time `json:"-"`
}

type rawClient struct {
	t    testing.TB
	conn net.Conn
	wmu  sync.Mutex
	msgs chan rawMsg
	exit chan int
	// held collects server→client requests the test answers itself.
	held chan rawMsg
	// latest is the last publishDiagnostics per URI; pub signals one.
	pmu    sync.Mutex
	latest map[string]rawMsg
	pub    chan struct{}
}

func newRawClient(t testing.TB, env *analysis.Env) *rawClient {
	t.Helper()
	return newRawClientOpts(t, Options{Env: env, Version: "test"})
}

func newRawClientOpts(t testing.TB, opts Options) *rawClient {
	t.Helper()
	env := opts.Env
	if env == nil {
		var err error
		if env, err = analysis.DefaultEnv(); err != nil {
			t.Fatal(err)
		}
	}
	sc, cc := net.Pipe()
	c := &rawClient{t: t, conn: cc, msgs: make(chan rawMsg, 4096), exit: make(chan int, 1), held: make(chan rawMsg, 16), latest: map[string]rawMsg{}, pub: make(chan struct{}, 1)}
	ctx, cancel := context.WithCancel(context.Background())
	opts.Env = env
	go func() { c.exit <- Serve(ctx, sc, sc, sc, opts) }()
	go c.readLoop()
	t.Cleanup(func() { cancel(); _ = cc.Close(); _ = sc.Close() })
	return c
}

func (c *rawClient) readLoop() {
	r := bufio.NewReader(c.conn)
	for {
		n := -1
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				close(c.msgs)
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
		body := make([]byte, n)
		if _, err := io.ReadFull(r, body); err != nil {
			close(c.msgs)
			return
		}
		at := time.Now()
		var m rawMsg
		if err := fastjson.Unmarshal(body, &m); err != nil {
			c.t.Errorf("server sent invalid JSON: %q", body)
			continue
		}
		m.At = at
		switch {
		case m.Method != "" && m.ID != nil && m.Method == "workspace/applyEdit":
			c.held <- m
		case m.Method != "" && m.ID != nil:
			c.respond(m.ID, "null")
		case m.Method == "textDocument/publishDiagnostics":
			var p struct {
				URI string `json:"uri"`
			}
			_ = fastjson.Unmarshal(m.Params, &p)
			c.pmu.Lock()
			c.latest[p.URI] = m
			c.pmu.Unlock()
			select {
			case c.pub <- struct{}{}:
			default:
			}
		default:
			c.msgs <- m
		}
	}
}

// send writes one frame with the correct Content-Length.
func (c *rawClient) send(body string) {
	c.sendRaw(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body))
}

func (c *rawClient) sendRaw(s string) {
	c.t.Helper()
	c.wmu.Lock()
	defer c.wmu.Unlock()
	_ = c.conn.SetWriteDeadline(time.Now().Add(waitTimeout))
	if _, err := io.WriteString(c.conn, s); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

func (c *rawClient) respond(id json.RawMessage, result string) {
	c.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"result":%s}`, id, result))
}

func (c *rawClient) request(id any, method, params string) {
	idj, _ := json.Marshal(id)
	c.send(fmt.Sprintf(`{"jsonrpc":"2.0","id":%s,"method":%q,"params":%s}`, idj, method, params))
}

func (c *rawClient) notify(method, params string) {
	c.send(fmt.Sprintf(`{"jsonrpc":"2.0","method":%q,"params":%s}`, method, params))
}

// next returns the next message that satisfies ok, dropping others.
func (c *rawClient) next(what string, ok func(rawMsg) bool) rawMsg {
	c.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		select {
		case m, open := <-c.msgs:
			if !open {
				c.t.Fatalf("connection closed while waiting for %s", what)
			}
			if ok(m) {
				return m
			}
		case <-deadline:
			c.t.Fatalf("timed out waiting for %s", what)
		}
	}
}

// reply waits for the response to id.
func (c *rawClient) reply(id any) rawMsg {
	c.t.Helper()
	want, _ := json.Marshal(id)
	return c.next("reply to "+string(want), func(m rawMsg) bool { return m.Method == "" && string(m.ID) == string(want) })
}

// expectError waits for the reply to id and checks its error code.
func (c *rawClient) expectError(id any, code int) {
	c.t.Helper()
	m := c.reply(id)
	if m.Error == nil || m.Error.Code != code {
		c.t.Fatalf("reply to %v: %+v (result %s), want error %d", id, m.Error, m.Result, code)
	}
}

// expectNullIDError waits for an error reply with a null id.
func (c *rawClient) expectNullIDError(code int) {
	c.t.Helper()
	m := c.next("error with null id", func(m rawMsg) bool { return m.Method == "" && string(m.ID) == "null" })
	if m.Error == nil || m.Error.Code != code {
		c.t.Fatalf("null-id reply %+v, want error %d", m.Error, code)
	}
}

func (c *rawClient) initialize() {
	c.t.Helper()
	c.request(0, "initialize", `{"processId":null,"capabilities":{"workspace":{"workspaceEdit":{"documentChanges":true}}}}`)
	if m := c.reply(0); m.Error != nil {
		c.t.Fatalf("initialize: %+v", m.Error)
	}
	c.notify("initialized", `{}`)
}

func (c *rawClient) open(uri, text string) {
	b, _ := json.Marshal(text)
	c.notify("textDocument/didOpen", fmt.Sprintf(`{"textDocument":{"uri":%q,"languageId":"markdown","version":1,"text":%s}}`, uri, b))
}

// diagnostics waits until the last publish for uri is for version (which
// must be the document's latest: the server publishes only the latest).
func (c *rawClient) diagnostics(uri string, version int) rawMsg {
	c.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		c.pmu.Lock()
		m, ok := c.latest[uri]
		c.pmu.Unlock()
		if ok {
			var p struct {
				Version *int `json:"version"`
			}
			_ = fastjson.Unmarshal(m.Params, &p)
			if p.Version != nil && *p.Version == version {
				return m
			}
		}
		select {
		case <-c.pub:
		case <-deadline:
			c.t.Fatalf("timed out waiting for diagnostics %s@%d", uri, version)
		}
	}
}

func hoverParams(uri string, line, char int) string {
	return fmt.Sprintf(`{"textDocument":{"uri":%q},"position":{"line":%d,"character":%d}}`, uri, line, char)
}

const (
	tortureURI = "file:///ws/spec.md"
	otherURI   = "file:///ws/other.md"
	otherText  = "# Other\n\nNext.js with Better Auth for sign-in.\n"
)

// alive checks that the server still answers requests and still analyses
// the other document.
func (c *rawClient) alive(id int) {
	c.t.Helper()
	c.request(id, "textDocument/hover", hoverParams(otherURI, 2, 1))
	m := c.reply(id)
	if m.Error != nil || !strings.Contains(string(m.Result), "Next.js") {
		c.t.Fatalf("server not serving after abuse: %+v %s", m.Error, m.Result)
	}
}

func newTortureClient(t *testing.T) *rawClient {
	c := newRawClient(t, nil)
	c.initialize()
	c.open(otherURI, otherText)
	c.diagnostics(otherURI, 1)
	c.open(tortureURI, specText)
	c.diagnostics(tortureURI, 1)
	return c
}

func TestTortureFraming(t *testing.T) {
	c := newTortureClient(t)
	t.Run("invalid JSON", func(t *testing.T) {
		c.t = t
		c.send(`{"jsonrpc":"2.0","id":1,"method":`)
		c.expectNullIDError(-32700)
		c.alive(1001)
	})
	t.Run("valid JSON that is not a request", func(t *testing.T) {
		c.t = t
		c.send(`[1,2,3]`)
		c.expectNullIDError(-32600)
		c.send(`{"jsonrpc":"2.0","id":7}`)
		c.expectError(7, -32600)
		c.send(`"hello"`)
		c.expectNullIDError(-32600)
		// The id is read even when the method is not a string.
		c.send(`{"jsonrpc":"2.0","id":77,"method":5}`)
		c.expectError(77, -32600)
		c.send(`{"jsonrpc":"2.0","id":"s77","method":["x"],"params":{}}`)
		c.expectError("s77", -32600)
		c.send(`{"jsonrpc":"2.0","method":5}`)
		c.expectNullIDError(-32600)
		c.alive(1002)
	})
	t.Run("ids LSP does not allow", func(t *testing.T) {
		c.t = t
		hover := hoverParams(otherURI, 2, 1)
		for _, tt := range []struct {
			id, wantID, msg string
		}{
			// A null id is a request's, not a notification's: answered,
			// not run as a notification.
			{"null", "null", "invalid request: an id must be an integer or a string (LSP 3.17), not null"},
			// jsonrpc2 would read "" as the number 0 and answer id 0.
			{`""`, `""`, "invalid request: an empty string id is not supported"},
			{"3000000000", "3000000000", "invalid request: an id must be an integer from -2147483648 to 2147483647 or a string (LSP 3.17)"},
			{"1.5", "1.5", "invalid request: an id must be an integer from -2147483648 to 2147483647 or a string (LSP 3.17)"},
			// An object or a boolean is no id: answered with a null id,
			// and not with jsonrpc2's "cannot unmarshal … combined.id".
			{`{"x":1}`, "null", "invalid request: an id must be an integer from -2147483648 to 2147483647 or a string (LSP 3.17)"},
			{"true", "null", "invalid request: an id must be an integer from -2147483648 to 2147483647 or a string (LSP 3.17)"},
		} {
			c.send(`{"jsonrpc":"2.0","id":` + tt.id + `,"method":"textDocument/hover","params":` + hover + `}`)
			m := c.next("reply to id "+tt.id, func(m rawMsg) bool { return m.Method == "" && string(m.ID) == tt.wantID })
			if m.Error == nil || m.Error.Code != -32600 || m.Error.Message != tt.msg {
				t.Errorf("id %s: reply %+v (result %s), want -32600 %q", tt.id, m.Error, m.Result, tt.msg)
			}
		}
		c.alive(1005)
	})
	t.Run("bad Content-Length values", func(t *testing.T) {
		c.t = t
		c.sendRaw("Content-Length: abc\r\n\r\n")
		c.expectNullIDError(-32700)
		c.sendRaw("Content-Length: -4\r\n\r\n")
		c.expectNullIDError(-32700)
		c.sendRaw("Content-Type: text/plain\r\n\r\n")
		c.expectNullIDError(-32700)
		c.alive(1003)
	})
	t.Run("Content-Length too short", func(t *testing.T) {
		c.t = t
		body := `{"jsonrpc":"2.0","id":8,"method":"textDocument/hover","params":{}}`
		c.sendRaw(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", 10, body))
		c.expectNullIDError(-32700)
		// The rest of the body runs into the next header: the reader must
		// resynchronise on it and serve the next request.
		c.alive(1004)
	})
	t.Run("Content-Length too long", func(t *testing.T) {
		c.t = t
		body := `{"jsonrpc":"2.0","id":9,"method":"textDocument/hover","params":{}}`
		c.sendRaw(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body)+12, body))
		// The body swallows the start of the next frame; that frame is
		// lost, the one after it is served.
		c.request(1005, "textDocument/hover", hoverParams(otherURI, 2, 1))
		c.expectNullIDError(-32700)
		c.alive(1006)
	})
}

// TestTortureOversized: header lines and bodies beyond their bounds are
// answered at once and skipped without being kept; the session goes on.
func TestTortureOversized(t *testing.T) {
	c := newRawClientOpts(t, Options{Version: "test", MaxMessage: 4096})
	c.initialize()
	c.open(otherURI, otherText)
	c.diagnostics(otherURI, 1)
	t.Run("header line without a line end", func(t *testing.T) {
		c.t = t
		// 9 KiB and no newline: answered before the line ends (the client
		// may be waiting), then skipped to its end.
		c.sendRaw(strings.Repeat("X", 9<<10))
		m := c.next("error with null id", func(m rawMsg) bool { return m.Method == "" && string(m.ID) == "null" })
		if m.Error == nil || m.Error.Code != -32700 || m.Error.Message != "header line longer than 8192 bytes: skipped to its end" {
			t.Fatalf("long header line: %+v", m.Error)
		}
		c.sendRaw(strings.Repeat("X", 1<<20) + "\r\n") // the same line goes on: no second reply
		c.sendRaw(strings.Repeat("Y", 1<<20) + "\r\n\r\n")
		c.expectNullIDError(-32700) // a second long line
		c.alive(1101)
	})
	t.Run("long line ending in the next header", func(t *testing.T) {
		c.t = t
		// A body shorter than its Content-Length runs into the next
		// frame; here its tail is a 10 KiB line ending in that header.
		body := `{"jsonrpc":"2.0","id":1102,"method":"textDocument/hover","params":` + hoverParams(otherURI, 2, 1) + `}`
		c.sendRaw(strings.Repeat("Z", 10<<10) + fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body))
		c.expectNullIDError(-32700)
		if m := c.reply(1102); m.Error != nil || !strings.Contains(string(m.Result), "Next.js") {
			t.Fatalf("request after the long line: %+v %s", m.Error, m.Result)
		}
	})
	t.Run("request above the size limit", func(t *testing.T) {
		c.t = t
		c.request(88, "textDocument/hover", fmt.Sprintf(`{"textDocument":{"uri":%q},"position":{"line":0,"character":0},"pad":%q}`, otherURI, strings.Repeat("p", 5000)))
		m := c.reply(88)
		if m.Error == nil || m.Error.Code != -32600 || !strings.HasPrefix(m.Error.Message, "textDocument/hover: message of ") || !strings.Contains(m.Error.Message, "exceeds the limit of 4096 bytes") {
			t.Fatalf("oversized request: %+v", m.Error)
		}
		c.alive(1103)
	})
	t.Run("notification above the size limit", func(t *testing.T) {
		c.t = t
		c.open("file:///ws/huge.md", strings.Repeat("Better Auth and FastAPI. ", 400))
		m := c.next("showMessage", func(m rawMsg) bool { return m.Method == "window/showMessage" })
		var p struct {
			Type    int    `json:"type"`
			Message string `json:"message"`
		}
		_ = json.Unmarshal(m.Params, &p)
		if p.Type != 1 || !strings.HasPrefix(p.Message, "ipf-lsp: textDocument/didOpen dropped: message of ") {
			t.Fatalf("oversized notification: %+v", p)
		}
		c.alive(1104)
	})
	t.Run("bogus huge Content-Length", func(t *testing.T) {
		c.t = t
		// The declared body never comes: the reader finds the next
		// frame's header at a line start and serves it.
		c.sendRaw("Content-Length: 99999999999999\r\n\r\n" + `{"jsonrpc":"2.0","id":90,"method":"textDocument/hover"}` + "\r\n")
		c.expectError(90, -32600)
		c.alive(1105)
	})
}

// TestStreamSkipsOversizedWithoutKeepingIt reads a 256 MiB message past a
// 64 MiB bound: the reader answers and skips it holding only its buffer.
func TestStreamSkipsOversizedWithoutKeepingIt(t *testing.T) {
	const size = 256 << 20
	next := `{"jsonrpc":"2.0","method":"exit"}`
	in := io.MultiReader(strings.NewReader(fmt.Sprintf("Content-Length: %d\r\n\r\n", size)), io.LimitReader(zeros{}, size),
		strings.NewReader(fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(next), next)))
	var out strings.Builder
	s := newStream(in, &out, nil, slog.New(slog.DiscardHandler), 0)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	msg, _, err := s.Read(context.Background())
	runtime.ReadMemStats(&after)
	if err != nil || msg.(*jsonrpc2.Notification).Method() != "exit" {
		t.Fatalf("message after the oversized one: %v %v", msg, err)
	}
	if got := after.TotalAlloc - before.TotalAlloc; got > 1<<20 {
		t.Fatalf("skipping a %d-byte message allocated %d bytes", size, got)
	}
	want := `{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"message of 268435456 bytes exceeds the limit of 67108864 bytes (ipf-lsp serve --max-message-size): not read"}}`
	if !strings.HasSuffix(out.String(), want) {
		t.Fatalf("reply %q, want %q", out.String(), want)
	}
}

type zeros struct{}

func (zeros) Read(p []byte) (int, error) { clear(p); return len(p), nil }

func TestTortureRequests(t *testing.T) {
	c := newTortureClient(t)
	t.Run("unknown method", func(t *testing.T) {
		c.t = t
		c.request(20, "textDocument/teleport", `{}`)
		c.expectError(20, -32601)
		c.notify("$/unknownNotification", `{}`) // ignored, no reply
		c.alive(1020)
	})
	t.Run("wrong parameter types", func(t *testing.T) {
		c.t = t
		c.request(21, "textDocument/hover", `{"textDocument":{"uri":5},"position":"top"}`)
		c.expectError(21, -32602)
		c.request(22, "textDocument/hover", `[1]`)
		c.expectError(22, -32602)
		c.request(23, "textDocument/codeAction", `null`)
		c.expectError(23, -32602)
		c.request(24, "workspace/executeCommand", `{"command":"ipf.insertPattern","arguments":["nope"]}`)
		c.expectError(24, -32602)
		// A notification gets no reply: the client's log says it was
		// ignored, and why.
		c.notify("textDocument/didChange", `{"textDocument":{"uri":7},"contentChanges":"x"}`)
		m := c.next("window/logMessage", func(m rawMsg) bool { return m.Method == "window/logMessage" })
		if want := `{"message":"ipf-lsp ignored a textDocument/didChange notification: invalid params: json: cannot unmarshal number into Go struct field VersionedTextDocumentIdentifier.textDocument.TextDocumentIdentifier.uri of type uri.URI","type":1}`; string(m.Params) != want {
			t.Errorf("log message %s, want %s", m.Params, want)
		}
		c.alive(1021)
	})
	t.Run("positions past the end", func(t *testing.T) {
		c.t = t
		for i, p := range [][2]int{{0, 9999}, {9999, 0}, {4, 1 << 30}, {1<<31 - 1, 1<<31 - 1}} {
			c.request(30+i, "textDocument/hover", hoverParams(tortureURI, p[0], p[1]))
			if m := c.reply(30 + i); m.Error != nil {
				t.Fatalf("hover at %v: %+v", p, m.Error)
			}
		}
		c.request(35, "textDocument/codeAction", fmt.Sprintf(`{"textDocument":{"uri":%q},"range":{"start":{"line":999,"character":0},"end":{"line":0,"character":999}},"context":{"diagnostics":[]}}`, tortureURI))
		if m := c.reply(35); m.Error != nil {
			t.Fatalf("codeAction past the end: %+v", m.Error)
		}
		// An edit past the end of the document appends (clamped).
		c.notify("textDocument/didChange", fmt.Sprintf(`{"textDocument":{"uri":%q,"version":2},"contentChanges":[{"range":{"start":{"line":999,"character":5},"end":{"line":999,"character":9}},"text":"Tail."}]}`, tortureURI))
		c.diagnostics(tortureURI, 2)
		c.alive(1030)
	})
	t.Run("didChange for a document never opened", func(t *testing.T) {
		c.t = t
		c.notify("textDocument/didChange", `{"textDocument":{"uri":"file:///ws/never.md","version":2},"contentChanges":[{"text":"x"}]}`)
		c.request(40, "textDocument/hover", hoverParams("file:///ws/never.md", 0, 0))
		if m := c.reply(40); m.Error != nil || string(m.Result) != "null" {
			t.Fatalf("hover on a never-opened document: %+v %s", m.Error, m.Result)
		}
		c.alive(1040)
	})
	t.Run("older version", func(t *testing.T) {
		c.t = t
		c.notify("textDocument/didChange", fmt.Sprintf(`{"textDocument":{"uri":%q,"version":1},"contentChanges":[{"text":"# Replaced\n"}]}`, tortureURI))
		// The stale change is ignored: the text still has its point.
		c.request(41, "textDocument/hover", hoverParams(tortureURI, 4, 42))
		if m := c.reply(41); m.Error != nil || !strings.Contains(string(m.Result), "FastAPI") {
			t.Fatalf("an older version replaced the text: %+v %s", m.Error, m.Result)
		}
		c.alive(1041)
	})
}

func TestTortureLifecycle(t *testing.T) {
	t.Run("requests before initialize", func(t *testing.T) {
		c := newRawClient(t, nil)
		c.request(1, "textDocument/hover", hoverParams(otherURI, 0, 0))
		c.expectError(1, -32002)
		c.request("s1", "shutdown", `null`)
		c.expectError("s1", -32002)
		c.open(otherURI, otherText) // a notification before initialize is dropped
		c.initialize()
		c.request(2, "textDocument/hover", hoverParams(otherURI, 2, 1))
		if m := c.reply(2); m.Error != nil || string(m.Result) != "null" {
			t.Fatalf("document opened before initialize is known: %+v %s", m.Error, m.Result)
		}
		c.request(3, "initialize", `{"processId":null,"capabilities":{}}`)
		c.expectError(3, -32600)
	})
	t.Run("requests after shutdown", func(t *testing.T) {
		c := newTortureClient(t)
		c.request(1, "shutdown", `null`)
		if m := c.reply(1); m.Error != nil {
			t.Fatalf("shutdown: %+v", m.Error)
		}
		c.request(2, "textDocument/hover", hoverParams(otherURI, 2, 1))
		c.expectError(2, -32600)
		c.request(3, "shutdown", `null`)
		c.expectError(3, -32600)
		c.notify("exit", `null`)
		if code := <-c.exit; code != 0 {
			t.Fatalf("exit after shutdown: code %d, want 0", code)
		}
	})
	// A client that does not wait for replies: initialize, initialized,
	// shutdown and exit in one write. The replies owed go out before the
	// server exits (it closed the connection with none of them written).
	t.Run("the whole session in one write", func(t *testing.T) {
		c := newRawClient(t, nil)
		var burst strings.Builder
		for _, body := range []string{
			`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"processId":null,"capabilities":{}}}`,
			`{"jsonrpc":"2.0","method":"initialized","params":{}}`,
			`{"jsonrpc":"2.0","id":2,"method":"shutdown","params":null}`,
			`{"jsonrpc":"2.0","method":"exit","params":null}`,
		} {
			fmt.Fprintf(&burst, "Content-Length: %d\r\n\r\n%s", len(body), body)
		}
		c.sendRaw(burst.String())
		if m := c.reply(1); m.Error != nil || !strings.Contains(string(m.Result), `"capabilities"`) {
			t.Fatalf("initialize: %+v %s", m.Error, m.Result)
		}
		if m := c.reply(2); m.Error != nil || string(m.Result) != "null" {
			t.Fatalf("shutdown: %+v %s", m.Error, m.Result)
		}
		if code := <-c.exit; code != 0 {
			t.Fatalf("exit after shutdown: code %d, want 0", code)
		}
	})
	t.Run("exit without shutdown", func(t *testing.T) {
		c := newTortureClient(t)
		c.notify("exit", `null`)
		if code := <-c.exit; code != 1 {
			t.Fatalf("exit without shutdown: code %d, want 1", code)
		}
	})
	t.Run("exit before initialize", func(t *testing.T) {
		c := newRawClient(t, nil)
		c.notify("exit", `null`)
		if code := <-c.exit; code != 1 {
			t.Fatalf("exit before initialize: code %d, want 1", code)
		}
	})
	t.Run("stream closed without exit", func(t *testing.T) {
		c := newTortureClient(t)
		_ = c.conn.Close()
		if code := <-c.exit; code != 1 {
			t.Fatalf("EOF without exit: code %d, want 1", code)
		}
	})
}

// TestTortureCancel cancels requests by numeric and by string id while
// they wait: a command for the client's answer to workspace/applyEdit
// (which this client holds), a code action for an analysis (which a hook
// holds). Neither holds up the messages behind it.
func TestTortureCancel(t *testing.T) {
	for _, ids := range [][2]any{{50, 51}, {"c50", "c51"}} {
		t.Run(fmt.Sprintf("%T ids", ids[0]), func(t *testing.T) {
			release := make(chan struct{})
			started := make(chan struct{}, 1)
			c := newRawClientOpts(t, Options{Version: "test", analyzeHook: func(_ context.Context, uri protocol.DocumentURI, v int32) {
				if uri == tortureURI && v == 2 {
					started <- struct{}{}
					<-release
				}
			}})
			var once sync.Once
			unblock := func() { once.Do(func() { close(release) }) }
			t.Cleanup(unblock)
			c.initialize()
			c.open(otherURI, otherText)
			c.diagnostics(otherURI, 1)
			c.open(tortureURI, specText)
			c.diagnostics(tortureURI, 1)

			c.request(ids[0], "workspace/executeCommand", fmt.Sprintf(`{"command":"ipf.insertAllPatterns","arguments":[{"uri":%q,"version":1}]}`, tortureURI))
			held := c.heldRequest()
			// The client answers applyEdit later; meanwhile it is served.
			c.request(1049, "textDocument/hover", hoverParams(tortureURI, 4, 42))
			if m := c.reply(1049); m.Error != nil || !strings.Contains(string(m.Result), "Better Auth → FastAPI") {
				t.Fatalf("hover while a command waits for the client: %+v %s", m.Error, m.Result)
			}
			c.notify("textDocument/didChange", fmt.Sprintf(`{"textDocument":{"uri":%q,"version":2},"contentChanges":[{"range":{"start":{"line":5,"character":0},"end":{"line":5,"character":0}},"text":"More.\n"}]}`, tortureURI))
			<-started // the analysis of version 2 is held
			c.request(ids[1], "textDocument/codeAction", fmt.Sprintf(`{"textDocument":{"uri":%q},"range":{"start":{"line":4,"character":0},"end":{"line":4,"character":0}},"context":{"diagnostics":[]}}`, tortureURI))
			c.alive(1050)
			idj, _ := json.Marshal(ids[1])
			c.notify("$/cancelRequest", fmt.Sprintf(`{"id":%s}`, idj))
			c.expectError(ids[1], -32800)
			idj, _ = json.Marshal(ids[0])
			c.notify("$/cancelRequest", fmt.Sprintf(`{"id":%s}`, idj))
			c.expectError(ids[0], -32800)
			c.respond(held.ID, `{"applied":false}`)
			unblock()
			c.diagnostics(tortureURI, 2)
			c.notify("$/cancelRequest", `{"id":12345}`) // unknown id: ignored
			c.notify("$/cancelRequest", `{"id":{"x":1}}`)
			c.alive(1051)
		})
	}
}

// heldRequest waits for the workspace/applyEdit the client holds.
func (c *rawClient) heldRequest() rawMsg {
	c.t.Helper()
	select {
	case m := <-c.held:
		return m
	case <-time.After(waitTimeout):
		c.t.Fatal("no workspace/applyEdit")
	}
	return rawMsg{}
}

// TestCommandDoesNotHoldTheQueue: a client that answers workspace/applyEdit
// only after the server has answered its next message (a hover) is served,
// and the command still never edits twice: a second insert while the first
// waits, or for the version the first was applied to, is refused with
// ContentModified.
func TestCommandDoesNotHoldTheQueue(t *testing.T) {
	c := newTortureClient(t)
	insert := func(id, version int) {
		c.request(id, "workspace/executeCommand", fmt.Sprintf(`{"command":"ipf.insertPattern","arguments":[{"uri":%q,"version":%d,"pattern":"better-auth-fastapi/jwt-bearer-verified-with-jwks"}]}`, tortureURI, version))
	}
	insert(60, 1)
	held := c.heldRequest()
	var edit struct {
		Edit struct {
			DocumentChanges []struct {
				TextDocument struct {
					Version int `json:"version"`
				} `json:"textDocument"`
				Edits []struct {
					NewText string `json:"newText"`
				} `json:"edits"`
			} `json:"documentChanges"`
		} `json:"edit"`
	}
	if err := json.Unmarshal(held.Params, &edit); err != nil || len(edit.Edit.DocumentChanges) != 1 || edit.Edit.DocumentChanges[0].TextDocument.Version != 1 {
		t.Fatalf("applyEdit must carry version 1: %s", held.Params)
	}
	c.request(61, "textDocument/hover", hoverParams(tortureURI, 4, 42))
	if m := c.reply(61); m.Error != nil || !strings.Contains(string(m.Result), "Better Auth → FastAPI") {
		t.Fatalf("hover while the command waits: %+v %s", m.Error, m.Result)
	}
	insert(62, 1)
	if m := c.reply(62); m.Error == nil || m.Error.Code != -32801 || m.Error.Message != "an edit of this document is waiting for the client's answer to workspace/applyEdit: try again after it" {
		t.Fatalf("second insert while the first waits: %+v", m.Error)
	}
	c.respond(held.ID, `{"applied":true}`)
	if m := c.reply(60); m.Error != nil || string(m.Result) != "null" {
		t.Fatalf("insert: %+v %s", m.Error, m.Result)
	}
	// The client applied the edit but its didChange is not here yet.
	insert(63, 1)
	if m := c.reply(63); m.Error == nil || m.Error.Code != -32801 || m.Error.Message != "an edit computed for version 1 was already applied: try again at the next version" {
		t.Fatalf("insert for the version already edited: %+v", m.Error)
	}
	text, _ := json.Marshal(specText + edit.Edit.DocumentChanges[0].Edits[0].NewText)
	c.notify("textDocument/didChange", fmt.Sprintf(`{"textDocument":{"uri":%q,"version":2},"contentChanges":[{"text":%s}]}`, tortureURI, text))
	insert(64, 2)
	if m := c.reply(64); m.Error != nil || string(m.Result) != "null" {
		t.Fatalf("insert at version 2: %+v %s", m.Error, m.Result)
	}
	select {
	case m := <-c.held:
		t.Fatalf("the pattern was inserted twice: %s", m.Params)
	default:
	}
	c.alive(1065)
}

func TestTorture1000ConcurrentHovers(t *testing.T) {
	c := newTortureClient(t)
	const n = 1000
	go func() {
		for i := range n {
			c.request(2000+i, "textDocument/hover", hoverParams(tortureURI, 4, 14+i%40))
		}
	}()
	got := 0
	for got < n {
		m := c.next("hover replies", func(m rawMsg) bool { return m.Method == "" })
		if m.Error != nil {
			t.Fatalf("hover %s: %+v", m.ID, m.Error)
		}
		got++
	}
	c.alive(1060)
}

// TestDeclinedEditIsRequestFailed: when the client does not apply the
// command's edit, the command fails with RequestFailed (-32803) and the
// client's reason; the document is not claimed any longer, so the same
// insert can be asked again and is sent again.
func TestDeclinedEditIsRequestFailed(t *testing.T) {
	c := newTortureClient(t)
	for i, tc := range []struct{ answer, msg string }{
		{`{"applied":false,"failureReason":"the file is read-only"}`, "the client did not apply the edit: the file is read-only"},
		{`{"applied":false}`, "the client did not apply the edit: no reason given"},
	} {
		id := 70 + i
		c.request(id, "workspace/executeCommand", fmt.Sprintf(`{"command":"ipf.insertPattern","arguments":[{"uri":%q,"version":1,"pattern":"better-auth-fastapi/jwt-bearer-verified-with-jwks"}]}`, tortureURI))
		held := c.heldRequest()
		c.respond(held.ID, tc.answer)
		m := c.reply(id)
		if m.Error == nil || m.Error.Code != -32803 || m.Error.Message != tc.msg {
			t.Fatalf("declined edit %d: %+v (result %s), want -32803 %q", i, m.Error, m.Result, tc.msg)
		}
	}
	c.alive(1060)
}

// TestCancelMatchesOnlyItsOwnID: a $/cancelRequest whose id no request can
// have (a fraction, a number beyond int32) cancels nothing. The id was
// converted to int32, so {"id": 70.5} and {"id": 4294967366} (2³² + 70)
// cancelled request 70.
func TestCancelMatchesOnlyItsOwnID(t *testing.T) {
	c := newTortureClient(t)
	c.request(70, "workspace/executeCommand", fmt.Sprintf(`{"command":"ipf.insertPattern","arguments":[{"uri":%q,"version":1,"pattern":"better-auth-fastapi/jwt-bearer-verified-with-jwks"}]}`, tortureURI))
	held := c.heldRequest()
	for _, id := range []string{"70.5", "4294967366", "-4294967226", "70e400"} {
		c.notify("$/cancelRequest", `{"id":`+id+`}`)
	}
	c.alive(1070)
	c.respond(held.ID, `{"applied":true}`)
	if m := c.reply(70); m.Error != nil {
		t.Fatalf("request 70 after cancels of other ids: error %+v, want its result", m.Error)
	}
}
