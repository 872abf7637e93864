package lsp

// This file is the in-process test client shared by the protocol tests: a
// real jsonrpc2 connection over net.Pipe with Content-Length framing, a
// recorder of publishDiagnostics per (uri, version), and answers to the
// server's requests (workspace/configuration, workspace/applyEdit,
// client/registerCapability). Tests wait on channels, never sleep.

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"sync"
	"testing"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// waitTimeout bounds every wait; it is a deadlock guard, not a timing
// assertion.
const waitTimeout = 20 * time.Second

type published struct {
	URI         protocol.DocumentURI  `json:"uri"`
	Version     *int32                `json:"version"`
	Diagnostics []protocol.Diagnostic `json:"diagnostics"`
}

type testClient struct {
	t      testing.TB
	conn   jsonrpc2.Conn
	exit   chan int
	mu     sync.Mutex
	diags  map[protocol.DocumentURI][]published
	notify chan struct{}
	texts  map[protocol.DocumentURI]string
	vers   map[protocol.DocumentURI]int32
	// config answers workspace/configuration; applied collects applyEdit.
	config any
	// configAnswer, when set, is the whole answer to workspace/configuration
	// (instead of one config per item).
	configAnswer json.RawMessage
	scoped       map[protocol.DocumentURI]any // answers for items with that scopeUri
	// configItems collects the items of each workspace/configuration.
	configItems [][]protocol.ConfigurationItem
	applied     []protocol.ApplyWorkspaceEditParams
	logs        []string
	// requests lists the methods of the server's requests, in order, and
	// requestParams their parameters.
	requests      []string
	requestParams []json.RawMessage
}

type clientOptions struct {
	env          *analysis.Env
	capabilities map[string]any // raw client capabilities; nil means a typical client
	initOptions  any
	rootURI      protocol.DocumentURI
	// folders are the workspace folders of initialize (rootUri is the
	// first); they take the place of rootURI.
	folders  []protocol.DocumentURI
	skipInit bool
	// settings answers workspace/configuration from the first request on;
	// scopedSettings answers the items with these scopeUris.
	settings       any
	scopedSettings map[protocol.DocumentURI]any
}

// newTestClient starts a server on one end of a pipe and a client on the
// other, and initializes the session unless opts.skipInit.
func newTestClient(t testing.TB, opts clientOptions) *testClient {
	t.Helper()
	if opts.env == nil {
		env, err := analysis.DefaultEnv()
		if err != nil {
			t.Fatal(err)
		}
		opts.env = env
	}
	sc, cc := net.Pipe()
	c := &testClient{
		t: t, exit: make(chan int, 1),
		diags:  map[protocol.DocumentURI][]published{},
		notify: make(chan struct{}, 1),
		texts:  map[protocol.DocumentURI]string{},
		vers:   map[protocol.DocumentURI]int32{},
		config: opts.settings,
		scoped: opts.scopedSettings,
	}
	ctx, cancel := context.WithCancel(context.Background())
	go func() {
		c.exit <- Serve(ctx, sc, sc, sc, Options{Env: opts.env, Version: "test"})
	}()
	c.conn = jsonrpc2.NewConn(jsonrpc2.NewStream(cc))
	c.conn.Go(ctx, c.handle)
	t.Cleanup(func() {
		cancel()
		_ = c.conn.Close()
		_ = sc.Close()
	})
	if !opts.skipInit {
		c.initialize(opts)
	}
	return c
}

func (c *testClient) initialize(opts clientOptions) json.RawMessage {
	c.t.Helper()
	caps := opts.capabilities
	if caps == nil {
		caps = map[string]any{
			"textDocument": map[string]any{
				"hover":           map[string]any{"contentFormat": []string{"markdown", "plaintext"}},
				"codeAction":      map[string]any{"codeActionLiteralSupport": map[string]any{"codeActionKind": map[string]any{"valueSet": []string{"quickfix"}}}},
				"synchronization": map[string]any{"didSave": true},
			},
			"workspace": map[string]any{
				"workspaceEdit": map[string]any{"documentChanges": true},
				"configuration": true,
			},
		}
	}
	params := map[string]any{"processId": nil, "capabilities": caps}
	if opts.initOptions != nil {
		params["initializationOptions"] = opts.initOptions
	}
	if opts.rootURI != "" {
		params["rootUri"] = opts.rootURI
		params["workspaceFolders"] = []map[string]any{{"uri": opts.rootURI, "name": "root"}}
	}
	if len(opts.folders) > 0 {
		params["rootUri"] = opts.folders[0]
		var fs []map[string]any
		for i, f := range opts.folders {
			fs = append(fs, map[string]any{"uri": f, "name": fmt.Sprintf("folder%d", i)})
		}
		params["workspaceFolders"] = fs
	}
	var res json.RawMessage
	c.call("initialize", params, &res)
	if err := c.conn.Notify(context.Background(), "initialized", map[string]any{}); err != nil {
		c.t.Fatalf("initialized: %v", err)
	}
	return res
}

// handle answers the server. It never returns an error: jsonrpc2 v0.10.0
// would fail the connection, and a second failure (the pipe closing at the
// end of a test while the server still sends a refresh request) panics in
// conn.fail with an inconsistently typed atomic.Value.
func (c *testClient) handle(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	_ = c.answer(ctx, reply, req)
	return nil
}

func (c *testClient) answer(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
	if _, ok := req.(*jsonrpc2.Call); ok {
		c.mu.Lock()
		c.requests = append(c.requests, req.Method())
		c.requestParams = append(c.requestParams, req.Params())
		c.mu.Unlock()
		defer c.signal()
	}
	switch req.Method() {
	case "textDocument/publishDiagnostics":
		var p published
		if err := json.Unmarshal(req.Params(), &p); err != nil {
			c.t.Errorf("bad publishDiagnostics: %v", err)
		}
		c.mu.Lock()
		c.diags[p.URI] = append(c.diags[p.URI], p)
		c.mu.Unlock()
		select {
		case c.notify <- struct{}{}:
		default:
		}
		return reply(ctx, nil, nil)
	case "window/logMessage", "window/showMessage":
		var p protocol.LogMessageParams
		_ = json.Unmarshal(req.Params(), &p)
		c.mu.Lock()
		c.logs = append(c.logs, p.Message)
		c.mu.Unlock()
		return reply(ctx, nil, nil)
	case "workspace/configuration":
		var p protocol.ConfigurationParams
		_ = json.Unmarshal(req.Params(), &p)
		c.mu.Lock()
		c.configItems = append(c.configItems, p.Items)
		if c.configAnswer != nil {
			// A client that answers something else than a list.
			raw := c.configAnswer
			c.mu.Unlock()
			return reply(ctx, raw, nil)
		}
		out := make([]any, len(p.Items))
		for i, it := range p.Items {
			out[i] = c.config
			if v, ok := c.scoped[protocol.DocumentURI(it.ScopeURI)]; ok {
				out[i] = v
			}
		}
		c.mu.Unlock()
		return reply(ctx, out, nil)
	case "workspace/applyEdit":
		var p protocol.ApplyWorkspaceEditParams
		if err := json.Unmarshal(req.Params(), &p); err != nil {
			return reply(ctx, nil, err)
		}
		c.mu.Lock()
		c.applied = append(c.applied, p)
		c.mu.Unlock()
		return reply(ctx, map[string]any{"applied": true}, nil)
	case "client/registerCapability", "client/unregisterCapability", "window/workDoneProgress/create",
		"workspace/inlayHint/refresh", "workspace/codeLens/refresh", "workspace/diagnostic/refresh":
		return reply(ctx, nil, nil)
	}
	return reply(ctx, nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "test client: %s", req.Method()))
}

// call sends a request and fails the test on an error reply.
func (c *testClient) call(method string, params, result any) {
	c.t.Helper()
	if err := c.tryCall(method, params, result); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

func (c *testClient) tryCall(method string, params, result any) error {
	ctx, cancel := context.WithTimeout(context.Background(), waitTimeout)
	defer cancel()
	_, err := c.conn.Call(ctx, method, params, result)
	return err
}

func (c *testClient) notifyServer(method string, params any) {
	c.t.Helper()
	if err := c.conn.Notify(context.Background(), method, params); err != nil {
		c.t.Fatalf("%s: %v", method, err)
	}
}

// open sends didOpen (version 1) and returns the URI.
func (c *testClient) open(uri protocol.DocumentURI, text string) protocol.DocumentURI {
	c.t.Helper()
	c.mu.Lock()
	c.texts[uri], c.vers[uri] = text, 1
	c.mu.Unlock()
	c.notifyServer("textDocument/didOpen", map[string]any{"textDocument": map[string]any{
		"uri": uri, "languageId": "markdown", "version": 1, "text": text,
	}})
	return uri
}

// change sends one didChange with the given content changes, bumping the
// version, and returns the new version. Changes are maps so a test can omit
// "range" for a whole-text change.
func (c *testClient) change(uri protocol.DocumentURI, changes ...map[string]any) int32 {
	c.t.Helper()
	c.mu.Lock()
	c.vers[uri]++
	v := c.vers[uri]
	c.mu.Unlock()
	c.notifyServer("textDocument/didChange", map[string]any{
		"textDocument":   map[string]any{"uri": uri, "version": v},
		"contentChanges": changes,
	})
	return v
}

// replaceAll changes the whole text of uri.
func (c *testClient) replaceAll(uri protocol.DocumentURI, text string) int32 {
	c.mu.Lock()
	c.texts[uri] = text
	c.mu.Unlock()
	return c.change(uri, map[string]any{"text": text})
}

// waitDiagnostics waits for the diagnostics published for uri at version.
func (c *testClient) waitDiagnostics(uri protocol.DocumentURI, version int32) []protocol.Diagnostic {
	c.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		c.mu.Lock()
		for _, p := range c.diags[uri] {
			if p.Version != nil && *p.Version == version {
				c.mu.Unlock()
				return p.Diagnostics
			}
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline:
			c.t.Fatalf("no diagnostics for %s version %d", uri, version)
		}
	}
}

// signal wakes the waiters.
func (c *testClient) signal() {
	select {
	case c.notify <- struct{}{}:
	default:
	}
}

// publishCount returns how many publishes for uri arrived so far; with
// waitPublishAfter it waits for the next one (a re-analysis of the same
// version after a configuration change).
func (c *testClient) publishCount(uri protocol.DocumentURI) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.diags[uri])
}

// waitPublishAfter waits for publish number n+1 (0-based n) for uri.
func (c *testClient) waitPublishAfter(uri protocol.DocumentURI, n int) published {
	c.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		c.mu.Lock()
		if ps := c.diags[uri]; len(ps) > n {
			c.mu.Unlock()
			return ps[n]
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline:
			c.t.Fatalf("no publishDiagnostics number %d for %s", n+1, uri)
		}
	}
}

// waitRequest waits until the server has sent a request of method.
func (c *testClient) waitRequest(method string) {
	c.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		c.mu.Lock()
		for _, m := range c.requests {
			if m == method {
				c.mu.Unlock()
				return
			}
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline:
			c.t.Fatalf("the server sent no %s request", method)
		}
	}
}

// waitRequests waits until the server has sent n requests of method and
// returns the parameters of each, in order.
func (c *testClient) waitRequests(method string, n int) []json.RawMessage {
	c.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		var got []json.RawMessage
		c.mu.Lock()
		for i, m := range c.requests {
			if m == method {
				got = append(got, c.requestParams[i])
			}
		}
		c.mu.Unlock()
		if len(got) >= n {
			return got
		}
		select {
		case <-c.notify:
		case <-deadline:
			c.t.Fatalf("the server sent %d %s requests, want %d", len(got), method, n)
		}
	}
}

// lastDiagnostics waits until a publish for uri satisfies ok.
func (c *testClient) waitPublish(uri protocol.DocumentURI, ok func(published) bool) published {
	c.t.Helper()
	deadline := time.After(waitTimeout)
	for {
		c.mu.Lock()
		ps := c.diags[uri]
		for i := len(ps) - 1; i >= 0; i-- {
			if ok(ps[i]) {
				c.mu.Unlock()
				return ps[i]
			}
		}
		c.mu.Unlock()
		select {
		case <-c.notify:
		case <-deadline:
			c.t.Fatalf("no matching publishDiagnostics for %s", uri)
		}
	}
}

// applyEdit applies a workspace edit to the client's copy of the texts and
// sends the matching didChange; it returns the new version of each document.
func (c *testClient) applyEdit(e *protocol.WorkspaceEdit) map[protocol.DocumentURI]int32 {
	c.t.Helper()
	out := map[protocol.DocumentURI]int32{}
	apply := func(uri protocol.DocumentURI, edits []protocol.TextEdit) {
		c.mu.Lock()
		text := c.texts[uri]
		c.mu.Unlock()
		// Apply from the last edit backwards so earlier offsets stay valid.
		m := NewMapper(text, UTF16)
		type span struct {
			s, e int
			t    string
		}
		var spans []span
		for _, te := range edits {
			s, e := m.RangeOffsets(te.Range)
			spans = append(spans, span{s, e, te.NewText})
		}
		for i := len(spans) - 1; i >= 0; i-- {
			text = text[:spans[i].s] + spans[i].t + text[spans[i].e:]
		}
		out[uri] = c.replaceAll(uri, text)
	}
	for _, dc := range e.DocumentChanges {
		c.mu.Lock()
		cur := c.vers[dc.TextDocument.URI]
		c.mu.Unlock()
		if dc.TextDocument.Version != nil && *dc.TextDocument.Version != cur {
			c.t.Fatalf("edit for %s version %d, document is at %d", dc.TextDocument.URI, *dc.TextDocument.Version, cur)
		}
		apply(dc.TextDocument.URI, dc.Edits)
	}
	for uri, edits := range e.Changes {
		apply(uri, edits)
	}
	return out
}

func (c *testClient) text(uri protocol.DocumentURI) string {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.texts[uri]
}

// shutdownExit ends the session and returns the server's exit code.
func (c *testClient) shutdownExit(shutdown bool) int {
	c.t.Helper()
	if shutdown {
		c.call("shutdown", nil, nil)
	}
	_ = c.conn.Notify(context.Background(), "exit", nil)
	select {
	case code := <-c.exit:
		return code
	case <-time.After(waitTimeout):
		c.t.Fatal("server did not exit")
	}
	return -1
}

// diagString renders a diagnostic compactly for exact comparisons.
func diagString(d protocol.Diagnostic) string {
	return fmt.Sprintf("%d:%d-%d:%d %v %v %s", d.Range.Start.Line, d.Range.Start.Character, d.Range.End.Line, d.Range.End.Character, d.Severity, d.Code, d.Message)
}

var _ = io.EOF
