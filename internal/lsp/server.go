// Package lsp is the protocol layer of ipf-lsp: JSON-RPC transport, the
// LSP lifecycle, the document store and the translation of analysis results
// into LSP values. It decides nothing about spec documents; internal/analysis
// does.
package lsp

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"runtime"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// Lifecycle states.
const (
	stateNew int32 = iota
	stateInitialized
	stateShutdown
)

// Options configure a Server.
type Options struct {
	// Env is the analysis environment (catalog and pattern library).
	Env *analysis.Env
	// Logger receives the server's log; it must not write to stdout.
	Logger *slog.Logger
	// Version is reported in serverInfo.
	Version string
	// MaxMessage bounds one JSON-RPC message in bytes (DefaultMaxMessage
	// when 0): a longer one is refused without being read into memory.
	MaxMessage int64

	// onStart, set only by tests, receives the Server before it serves:
	// the soak test reads the server's own copy of a document through it.
	onStart func(*Server)
	// analysisSlots, set only by tests, replaces the number of CPUs as the
	// bound of concurrent analyses of documents not typed into.
	analysisSlots int
	// analyzeHook, set only by tests, runs before each analysis on the
	// worker's goroutine: a test blocks it to hold an analysis pending.
	analyzeHook func(ctx context.Context, uri protocol.DocumentURI, version int32)
}

// Server is one LSP session.
type Server struct {
	conn   jsonrpc2.Conn
	log    *slog.Logger
	ver    string
	state  atomic.Int32
	exited atomic.Bool
	// exitCode is decided when `exit` is read: 0 if shutdown came first.
	exitCode atomic.Int32
	exitCh   chan struct{}
	// shutdownSeen is set when a shutdown request is read.
	shutdownSeen atomic.Bool

	// ctx lives as long as the connection; background work uses it.
	ctx    context.Context
	cancel context.CancelFunc

	// scopes is the configuration and Env of each workspace folder
	// (settings.go); reloadConfig swaps in a new set.
	scopes atomic.Pointer[scopeSet]
	cfg    *configState // settings.go
	packs  packState    // packs.go
	watch  watchState   // settings.go
	// initDone is set by the initialized notification: the client may be
	// sent requests (watchers) from then on.
	initDone atomic.Bool

	mu    sync.Mutex
	docs  map[protocol.DocumentURI]*document
	memos memoLRU // which documents keep an analysis memo (sync.go)
	// slots bounds the analyses of documents not typed into (sync.go
	// worker) to the number of CPUs.
	slots chan struct{}
	caps  clientCaps
	wks   *wsState // the workspace model (workspace.go)
	// related maps related information into other files (workspace.go).
	related mapperCache

	reqMu   sync.Mutex
	pending map[string]context.CancelFunc

	routes map[string]route

	analyzeHook func(ctx context.Context, uri protocol.DocumentURI, version int32)
}

// route handles one method. Notifications return nil, nil.
type route struct {
	handle func(ctx context.Context, params json.RawMessage) (any, error)
}

// Serve runs an LSP session over in/out until the client exits or closes
// the stream. It returns the process exit code the LSP specification asks
// for: 0 after shutdown then exit, 1 otherwise.
func Serve(ctx context.Context, in io.Reader, out io.Writer, closer io.Closer, opts Options) int {
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{
		log:     log,
		ver:     opts.Version,
		docs:    map[protocol.DocumentURI]*document{},
		pending: map[string]context.CancelFunc{},
	}
	s.exitCh = make(chan struct{})
	slots := opts.analysisSlots
	if slots <= 0 {
		slots = runtime.GOMAXPROCS(0)
	}
	s.slots = make(chan struct{}, slots)
	s.exitCode.Store(1)
	s.scopes.Store(newScopeSet(opts.Env))
	s.cfg = newConfigState(opts.Env)
	s.ctx, s.cancel = context.WithCancel(ctx)
	defer s.cancel()
	s.routes = s.buildRoutes()
	s.analyzeHook = opts.analyzeHook
	if opts.onStart != nil {
		opts.onStart(s)
	}

	s.conn = jsonrpc2.NewConn(newStream(in, out, closer, log, opts.MaxMessage))
	s.conn.Go(s.ctx, s.handler())
	select {
	case <-s.conn.Done():
	case <-s.exitCh:
		// NOTE: closing os.Stdin does not unblock a read already waiting on
		// a pipe, so the read loop may never end by itself: exit is final,
		// return without waiting for it.
		_ = s.conn.Close()
	case <-ctx.Done():
		_ = s.conn.Close()
		<-s.conn.Done()
	}
	s.cancel()
	if s.exited.Load() {
		return int(s.exitCode.Load())
	}
	return 1
}

// handler builds the middleware chain, outermost first:
//
//	cancellation ($/cancelRequest with numeric or string ids)
//	→ inOrder (one goroutine per message, each after the previous one
//	  released the queue)
//	→ recover (a panic becomes an InternalError reply)
//	→ lifecycle gate
//	→ router.
//
// Every layer replies exactly once on every path: inOrder releases the next
// message on reply, or earlier when a handler calls releaseQueue.
func (s *Server) handler() jsonrpc2.Handler {
	inner, queueTail := inOrder(s.dispatch)
	return func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		if req.Method() == "exit" {
			// Decided here, in the read loop, so neither an EOF right
			// after exit nor a shutdown still being handled can race it.
			if s.shutdownSeen.Load() {
				s.exitCode.Store(0)
			}
			if s.exited.CompareAndSwap(false, true) {
				// The replies owed for the messages read before exit go
				// out first: a client that sends shutdown and exit
				// without waiting (initialize … exit in one write) got
				// none. A handler that hangs holds exit up for exitGrace
				// at most.
				tail := queueTail()
				go func() {
					t := time.NewTimer(exitGrace)
					defer t.Stop()
					select {
					case <-tail:
					case <-t.C:
					}
					close(s.exitCh)
				}()
			}
			return reply(ctx, nil, nil)
		}
		if req.Method() == "shutdown" {
			s.shutdownSeen.Store(true)
		}
		if req.Method() == "$/cancelRequest" {
			s.cancelRequest(req.Params())
			return reply(ctx, nil, nil)
		}
		call, ok := req.(*jsonrpc2.Call)
		if !ok {
			_ = inner(ctx, reply, req)
			return nil
		}
		// NOTE: go.lsp.dev's CancelHandler ignores numeric ids (they decode
		// as float64), and VS Code only sends numeric ids; this layer keys
		// requests by their JSON spelling instead.
		key := idKey(call.ID())
		cctx, cancel := context.WithCancel(ctx)
		s.reqMu.Lock()
		s.pending[key] = cancel
		s.reqMu.Unlock()
		wrapped := func(rctx context.Context, result any, err error) error {
			s.reqMu.Lock()
			delete(s.pending, key)
			s.reqMu.Unlock()
			cancelled := cctx.Err() != nil
			cancel()
			if cancelled && err == nil && result == nil {
				err = protocol.ErrRequestCancelled
			}
			return reply(context.WithoutCancel(rctx), result, err)
		}
		_ = inner(cctx, wrapped, req)
		return nil
	}
}

// releaseKey holds, in a request's context, the function that lets the next
// message start.
type releaseKey struct{}

// inOrder is jsonrpc2.AsyncHandler with an early release: each message runs
// in its own goroutine once the previous one has replied or called
// releaseQueue. Notifications (didChange) thus apply in order, and a request
// has seen every change sent before it; a request that then waits (for the
// client's answer to workspace/applyEdit, for the analysis of its version)
// releases the queue first, so the messages behind it are not held up.
//
// tail returns a channel closed once every message queued so far has
// replied (its reply written) or released the queue. Both functions are
// called from the connection's read loop only.
func inOrder(h jsonrpc2.Handler) (handler jsonrpc2.Handler, tail func() <-chan struct{}) {
	next := make(chan struct{})
	close(next)
	// Called from the connection's read loop only, one message at a time.
	handler = func(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) error {
		prev := next
		mine := make(chan struct{})
		next = mine
		var once sync.Once
		release := func() { once.Do(func() { close(mine) }) }
		ctx = context.WithValue(ctx, releaseKey{}, release)
		go func() {
			<-prev
			_ = h(ctx, func(ctx context.Context, result any, err error) error {
				rerr := reply(ctx, result, err)
				release()
				return rerr
			}, req)
			release() // a handler that forgot to reply must not stall the queue
		}()
		return nil
	}
	return handler, func() <-chan struct{} { return next }
}

// exitGrace bounds how long exit waits for the replies owed before it.
const exitGrace = time.Second

// releaseQueue lets the messages after the current request start. The
// request keeps what it read so far (its snapshot) and replies later.
func releaseQueue(ctx context.Context) {
	if f, ok := ctx.Value(releaseKey{}).(func()); ok {
		f()
	}
}

func idKey(id jsonrpc2.ID) string {
	b, _ := json.Marshal(&id)
	return string(b)
}

func (s *Server) cancelRequest(params json.RawMessage) {
	var p struct {
		ID json.RawMessage `json:"id"`
	}
	if err := json.Unmarshal(params, &p); err != nil || len(p.ID) == 0 {
		s.log.Warn("malformed $/cancelRequest", "params", string(params))
		return
	}
	key := string(p.ID)
	var n float64
	if json.Unmarshal(p.ID, &n) == nil {
		// Request ids are int32 here: a number that is no int32 (a
		// fraction, 2³² + 70) names no request, and converted it would
		// name another one.
		if n != math.Trunc(n) || n < math.MinInt32 || n > math.MaxInt32 {
			return
		}
		key = idKey(jsonrpc2.NewNumberID(int32(n)))
	}
	s.reqMu.Lock()
	cancel := s.pending[key]
	s.reqMu.Unlock()
	if cancel != nil {
		cancel()
	}
}

// dispatch runs inside AsyncHandler's goroutine.
func (s *Server) dispatch(ctx context.Context, reply jsonrpc2.Replier, req jsonrpc2.Request) (err error) {
	replied := false
	start := time.Now()
	once := func(ctx context.Context, result any, err error) error {
		if replied {
			return nil
		}
		replied = true
		if s.log.Enabled(ctx, slog.LevelDebug) {
			// IPF_LSP_DEBUG=1: a line per message handled, to see what the
			// editor sends and how long each answer took.
			s.log.Debug("handled", "method", req.Method(), "ms", msSince(start), "error", err)
		}
		return reply(ctx, result, err)
	}
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic in handler", "method", req.Method(), "panic", p, "stack", string(debug.Stack()))
			_ = once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.InternalError, "internal error in %s: %v", req.Method(), p))
		}
		err = nil
	}()
	_, isCall := req.(*jsonrpc2.Call)
	method := req.Method()

	switch st := s.state.Load(); {
	case st == stateNew && method != "initialize":
		if isCall {
			return once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.ServerNotInitialized, "server not initialized: send initialize first (got %s)", method))
		}
		return once(ctx, nil, nil) // notifications before initialize are dropped
	case st != stateNew && method == "initialize":
		return once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "initialize was already received"))
	case st == stateShutdown:
		if isCall {
			return once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.InvalidRequest, "server is shut down: only exit is accepted (got %s)", method))
		}
		return once(ctx, nil, nil)
	}

	r, ok := s.routes[method]
	if !ok {
		if isCall {
			return once(ctx, nil, jsonrpc2.Errorf(jsonrpc2.MethodNotFound, "method not found: %s", method))
		}
		return once(ctx, nil, nil) // unknown notifications ($/setTrace, …) are ignored
	}
	result, herr := r.handle(ctx, req.Params())
	if herr != nil {
		var je *jsonrpc2.Error
		if !errors.As(herr, &je) {
			herr = jsonrpc2.Errorf(jsonrpc2.InternalError, "%s: %v", method, herr)
		}
		if !isCall {
			// No reply carries it: say it where the user can see it (a
			// didChange that does not decode leaves the server's text
			// behind the editor's).
			s.log.Warn("notification failed", "method", method, "error", herr)
			s.notify(s.ctx, "window/logMessage", &protocol.LogMessageParams{
				Type:    protocol.MessageTypeError,
				Message: fmt.Sprintf("ipf-lsp ignored a %s notification: %v", method, herr),
			})
		}
	}
	if isCall && ctx.Err() != nil {
		// Cancelled: whatever the handler made of its cancelled context
		// (often an error of a call it was waiting on), the client is told
		// RequestCancelled, as LSP 3.17 prescribes.
		return once(ctx, nil, protocol.ErrRequestCancelled)
	}
	return once(ctx, result, herr)
}

// msSince returns the milliseconds since t, to the microsecond.
func msSince(t time.Time) float64 {
	return float64(time.Since(t).Microseconds()) / 1000
}

// decode unmarshals params into v, turning failure into InvalidParams.
func decode(params json.RawMessage, v any) error {
	if len(params) == 0 || string(params) == "null" {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "missing params")
	}
	if err := json.Unmarshal(params, v); err != nil {
		return jsonrpc2.Errorf(jsonrpc2.InvalidParams, "invalid params: %v", err)
	}
	return nil
}

// handle adapts a typed handler to a route.
func handle[P any, R any](f func(ctx context.Context, p *P) (R, error)) route {
	return route{handle: func(ctx context.Context, raw json.RawMessage) (any, error) {
		p := new(P)
		if err := decode(raw, p); err != nil {
			return nil, err
		}
		return f(ctx, p)
	}}
}

// notify sends a notification, logging failure: a closed connection is not
// an error worth more than a log line.
func (s *Server) notify(ctx context.Context, method string, params any) {
	if err := s.conn.Notify(ctx, method, params); err != nil {
		s.log.Debug("notify failed", "method", method, "error", err)
	}
}

// logToClient shows a message in the client's log (window/logMessage).
func (s *Server) logToClient(typ protocol.MessageType, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	s.log.Info(msg)
	s.notify(s.ctx, "window/logMessage", &protocol.LogMessageParams{Type: typ, Message: msg})
}
