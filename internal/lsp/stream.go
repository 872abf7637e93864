package lsp

// NOTE: jsonrpc2 v0.10.0's stream ends the whole session on the first
// malformed message: its read loop treats any decode error as fatal
// (go-lsp-style.md §1.4). A language server must instead answer a parse error
// and keep serving, so this stream does its own Content-Length framing, and
// answers what it cannot decode itself.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
)

// DefaultMaxMessage bounds one message body unless Options.MaxMessage says
// otherwise: a Content-Length above it is refused without allocating it
// (documents above the analysis size limit, 10 MB by default, are still
// synced, so the bound is well above that).
const DefaultMaxMessage = 64 << 20

// maxHeaderLine bounds one header line. A line that reaches it without a
// line end is answered at once (the client may be waiting for a reply) and
// consumed to its end without keeping it.
const maxHeaderLine = 8 << 10

// headerTail is what is kept of an over-long header line: its end, where a
// body shorter than its Content-Length runs into the next frame's header.
const headerTail = 64

type tolerantStream struct {
	in     *bufio.Reader
	out    io.Writer
	closer io.Closer
	log    *slog.Logger
	max    int64
	wmu    sync.Mutex
}

func newStream(in io.Reader, out io.Writer, closer io.Closer, log *slog.Logger, max int64) *tolerantStream {
	if max <= 0 {
		max = DefaultMaxMessage
	}
	return &tolerantStream{in: bufio.NewReaderSize(in, 64<<10), out: out, closer: closer, log: log, max: max}
}

// Read returns the next message that decodes. Malformed frames and bodies
// are answered with the JSON-RPC error the specification prescribes and
// skipped. Only I/O errors (EOF, closed pipe) end the stream.
func (s *tolerantStream) Read(ctx context.Context) (jsonrpc2.Message, int64, error) {
	var total int64
	for {
		if err := ctx.Err(); err != nil {
			return nil, total, err
		}
		h, n, err := s.safeReadHeader()
		total += n
		if err != nil {
			return nil, total, err
		}
		if h.bad != "" {
			s.log.Warn("skipping malformed frame", "error", h.bad)
			if !h.answered {
				s.writeError(nil, jsonrpc2.ParseError, h.bad)
			}
			if h.length > 0 && h.length <= s.max {
				// The frame's length is known: skip its body, or the body
				// would be read as the next header.
				n, err := s.skipBody(h.length)
				total += n
				if err != nil {
					return nil, total, fmt.Errorf("skipping a malformed frame's body: %w", err)
				}
			}
			continue
		}
		if h.length > s.max {
			n, err := s.refuseOversized(h.length)
			total += n
			if err != nil {
				return nil, total, fmt.Errorf("skipping oversized message: %w", err)
			}
			continue
		}
		data := make([]byte, h.length)
		if _, err := io.ReadFull(s.in, data); err != nil {
			return nil, total, fmt.Errorf("reading message body: %w", err)
		}
		total += h.length
		msg, err := jsonrpc2.DecodeMessage(data)
		if err == nil && !isBareID(msg, data) {
			if id, reason := unusableID(msg, data); reason != "" {
				s.log.Warn("request with an unusable id", "id", string(id))
				s.writeError(id, jsonrpc2.InvalidRequest, reason)
				continue
			}
			return msg, total, nil
		}
		if err == nil {
			err = errors.New("a message needs a method, a result or an error")
		}
		s.answerUndecodable(data, err)
	}
}

// header is one parsed header block.
type header struct {
	length int64 // -1 when there is no usable Content-Length
	// bad says what is wrong with the block; answered is set when the
	// client was already told (an over-long line is answered at once).
	bad      string
	answered bool
}

// safeReadHeader is readHeader with a panic turned into a malformed frame:
// the stream has no recover above it, and a fault in framing must cost the
// client one message, not the session.
func (s *tolerantStream) safeReadHeader() (h header, n int64, err error) {
	defer func() {
		if p := recover(); p != nil {
			s.log.Error("panic reading a header", "panic", p, "stack", string(debug.Stack()))
			h, err = header{length: -1, bad: fmt.Sprintf("internal error reading the header: %v", p)}, nil
		}
	}()
	return s.readHeader()
}

// readHeader reads header lines up to the blank line. A block without a
// usable Content-Length comes back with bad set: the reader resynchronises
// on the next header block. Its error is an I/O error only.
func (s *tolerantStream) readHeader() (header, int64, error) {
	h := header{length: -1}
	var total int64
	lines := 0
	for {
		line, n, long, err := s.readLine()
		total += n
		if err != nil {
			return h, total, fmt.Errorf("reading header line: %w", err)
		}
		line = strings.TrimSpace(line)
		// Resynchronise after a body shorter than its Content-Length said:
		// its tail runs into the next header line.
		if i := indexASCIIFold(line, "content-length:"); i > 0 {
			line, long = line[i:], false
		}
		if long {
			h.bad = fmt.Sprintf("header line longer than %d bytes", maxHeaderLine)
			h.answered = true
			lines++
			continue
		}
		if line == "" {
			if lines == 0 {
				// Stray blank line between messages: keep reading.
				continue
			}
			break
		}
		lines++
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			if h.bad == "" {
				h.bad = fmt.Sprintf("invalid header line %q", truncate(line, 80))
			}
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || n <= 0 {
				if h.bad == "" {
					h.bad = fmt.Sprintf("invalid Content-Length %q", truncate(value, 40))
				}
				continue
			}
			h.length = n
		}
	}
	if h.bad == "" && h.length < 0 {
		h.bad = "missing Content-Length header"
	}
	return h, total, nil
}

// readLine reads one line, to its '\n'. It never holds more than
// maxHeaderLine bytes: a longer line is answered with a parse error as soon
// as it crosses the bound, consumed to its end, and returned as its last
// headerTail bytes with long set.
func (s *tolerantStream) readLine() (string, int64, bool, error) {
	var buf []byte
	var n int64
	long := false
	for {
		// Peek(1) waits for data; Buffered then is what has arrived, so a
		// client waiting for an answer is answered without more input.
		if _, err := s.in.Peek(1); err != nil {
			return string(buf), n, long, err
		}
		b, _ := s.in.Peek(s.in.Buffered())
		i := bytes.IndexByte(b, '\n')
		k := len(b)
		if i >= 0 {
			k = i + 1
		}
		if !long && len(buf)+k > maxHeaderLine {
			long = true
			s.log.Warn("header line too long", "limit", maxHeaderLine)
			s.writeError(nil, jsonrpc2.ParseError, fmt.Sprintf("header line longer than %d bytes: skipped to its end", maxHeaderLine))
		}
		buf = append(buf, b[:k]...)
		_, _ = s.in.Discard(k)
		n += int64(k)
		if long && len(buf) > headerTail {
			buf = append(buf[:0], buf[len(buf)-headerTail:]...)
		}
		if i >= 0 {
			return string(buf), n, long, nil
		}
	}
}

// skipBody discards up to n bytes of a body the server does not read. It
// stops early at a line that starts with "Content-Length:": JSON cannot
// hold a raw line break inside a string, so that line is the next frame's
// header, and a bogus length cannot swallow the messages after it.
func (s *tolerantStream) skipBody(n int64) (int64, error) {
	var done int64
	lineStart := true
	for done < n {
		if lineStart && s.headerAhead(n-done) {
			return done, nil
		}
		if _, err := s.in.Peek(1); err != nil {
			return done, err
		}
		b, _ := s.in.Peek(s.in.Buffered())
		if int64(len(b)) > n-done {
			b = b[:n-done]
		}
		k := len(b)
		lineStart = false
		if i := bytes.IndexByte(b, '\n'); i >= 0 {
			k, lineStart = i+1, true
		}
		_, _ = s.in.Discard(k)
		done += int64(k)
	}
	return done, nil
}

func (s *tolerantStream) headerAhead(left int64) bool {
	const h = "content-length:"
	if left < int64(len(h)) {
		return false
	}
	b, err := s.in.Peek(len(h))
	return err == nil && strings.EqualFold(string(b), h)
}

// refuseOversized answers a message whose Content-Length exceeds the bound
// and skips its body without keeping it. What has already arrived of the
// body names the message when it can: a request gets its error reply with
// its id (InvalidRequest), a notification (a didOpen of a huge file) is
// reported to the user with window/showMessage, as it gets no reply.
func (s *tolerantStream) refuseOversized(length int64) (int64, error) {
	msg := fmt.Sprintf("message of %d bytes exceeds the limit of %d bytes (ipf-lsp serve --max-message-size): not read", length, s.max)
	s.log.Warn("refusing oversized message", "bytes", length, "limit", s.max)
	var id json.RawMessage
	var method string
	if _, err := s.in.Peek(1); err == nil {
		b, _ := s.in.Peek(int(min(int64(s.in.Buffered()), length)))
		id, method = identity(b)
	}
	switch {
	case id != nil:
		s.writeError(id, jsonrpc2.InvalidRequest, method+": "+msg)
	case method != "":
		s.writeNotification("window/showMessage", map[string]any{"type": 1, "message": "ipf-lsp: " + method + " dropped: " + msg})
	default:
		s.writeError(nil, jsonrpc2.InvalidRequest, msg)
	}
	return s.skipBody(length)
}

// identity reads the id and method of a message from the start of its body
// (clients write them before the params).
func identity(prefix []byte) (id json.RawMessage, method string) {
	dec := json.NewDecoder(bytes.NewReader(prefix))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil, ""
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return id, method
		}
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return id, method
		}
		switch tok {
		case "id":
			id = validID(raw)
		case "method":
			_ = json.Unmarshal(raw, &method)
		}
	}
	return id, method
}

// validID returns raw if it is a JSON-RPC id (a string or a number), else nil.
func validID(raw json.RawMessage) json.RawMessage {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		return nil
	}
	var str string
	var num json.Number
	if json.Unmarshal(raw, &str) == nil || (raw[0] != '"' && json.Unmarshal(raw, &num) == nil) {
		return raw
	}
	return nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// answerUndecodable replies to a body that is not a JSON-RPC message: a
// parse error for invalid JSON, an invalid-request error for valid JSON of
// the wrong shape, with the message's id whenever it can be read
// ({"jsonrpc":"2.0","id":77,"method":5} gets -32600 with id 77).
func (s *tolerantStream) answerUndecodable(data []byte, decodeErr error) {
	if !json.Valid(data) {
		s.log.Warn("invalid JSON in message", "error", decodeErr)
		s.writeError(nil, jsonrpc2.ParseError, "parse error: "+decodeErr.Error())
		return
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		// Valid JSON but not an object (a batch, a string): LSP has no
		// batches, so it is an invalid request.
		s.log.Warn("JSON-RPC message is not an object", "error", err)
		s.writeError(nil, jsonrpc2.InvalidRequest, "invalid request: a message must be a JSON object")
		return
	}
	s.log.Warn("invalid JSON-RPC message", "error", decodeErr)
	rawID, hasID := fields["id"]
	var method string
	isNotification := !hasID && json.Unmarshal(fields["method"], &method) == nil && method != ""
	if isNotification {
		return // a malformed notification gets no reply
	}
	reason := decodeErr.Error()
	if m, ok := fields["method"]; ok && json.Unmarshal(m, &method) != nil {
		reason = "method must be a string"
	} else if validID(rawID) == nil {
		// An object or a boolean: jsonrpc2 names its own Go types.
		reason = idRangeReason
	} else if id := validID(rawID); id[0] != '"' {
		// jsonrpc2 says "cannot unmarshal … of type string" of a number
		// its int32 cannot hold.
		var n int32
		if json.Unmarshal(id, &n) != nil {
			reason = idRangeReason
		}
	}
	s.writeError(validID(rawID), jsonrpc2.InvalidRequest, "invalid request: "+reason)
}

func (s *tolerantStream) writeError(id json.RawMessage, code jsonrpc2.Code, msg string) {
	if id == nil {
		id = json.RawMessage("null")
	}
	body, _ := json.Marshal(struct {
		JSONRPC string          `json:"jsonrpc"`
		ID      json.RawMessage `json:"id"`
		Error   jsonrpc2.Error  `json:"error"`
	}{"2.0", id, jsonrpc2.Error{Code: code, Message: msg}})
	s.writeFrame(body)
}

func (s *tolerantStream) writeNotification(method string, params any) {
	body, _ := json.Marshal(struct {
		JSONRPC string `json:"jsonrpc"`
		Method  string `json:"method"`
		Params  any    `json:"params"`
	}{"2.0", method, params})
	s.writeFrame(body)
}

func (s *tolerantStream) writeFrame(body []byte) (int64, error) {
	// One write per frame: a header written apart from its body costs a
	// system call of its own on every publish.
	frame := appendHeader(make([]byte, 0, len(body)+32), len(body))
	return s.writeRaw(append(frame, body...))
}

// appendHeader appends the frame header of a body of n bytes.
func appendHeader(b []byte, n int) []byte {
	b = append(b, "Content-Length: "...)
	b = strconv.AppendInt(b, int64(n), 10)
	return append(b, "\r\n\r\n"...)
}

// writeRaw writes one whole frame.
func (s *tolerantStream) writeRaw(frame []byte) (int64, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	n, err := s.out.Write(frame)
	if err != nil {
		return int64(n), fmt.Errorf("writing frame: %w", err)
	}
	return int64(n), nil
}

// Write implements jsonrpc2.Stream.
func (s *tolerantStream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	if n, ok := msg.(*jsonrpc2.Notification); ok {
		frame, err := notificationFrame(n)
		if err != nil {
			return 0, fmt.Errorf("marshaling message: %w", err)
		}
		return s.writeRaw(frame)
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	return s.writeFrame(data)
}

// notificationFrame writes n, framed, as jsonrpc2 would encode it, without
// its two extra passes over the parameters: Notification.MarshalJSON
// validates them again as a json.RawMessage, and encoding/json then
// validates and compacts what MarshalJSON returned. The parameters were
// marshalled by jsonrpc2 when the notification was made, so they are
// compact, valid JSON already; for publishDiagnostics, the largest message
// the server sends on every keystroke, those passes cost about a third of
// publishing. The frame is built in one buffer.
func notificationFrame(n *jsonrpc2.Notification) ([]byte, error) {
	method, err := json.Marshal(n.Method())
	if err != nil {
		return nil, err
	}
	params := []byte(n.Params())
	if len(params) == 0 {
		params = []byte("null")
	}
	const head, mid = `{"jsonrpc":"2.0","method":`, `,"params":`
	size := len(head) + len(method) + len(mid) + len(params) + 1
	out := appendHeader(make([]byte, 0, size+32), size)
	out = append(out, head...)
	out = append(out, method...)
	out = append(out, mid...)
	out = append(out, params...)
	return append(out, '}'), nil
}

// Close implements jsonrpc2.Stream.
func (s *tolerantStream) Close() error {
	if s.closer == nil {
		return nil
	}
	return s.closer.Close()
}

// idRangeReason answers a request whose id is a number LSP does not allow.
const idRangeReason = "an id must be an integer from -2147483648 to 2147483647 or a string (LSP 3.17)"

// unusableID finds the ids jsonrpc2 decodes without complaint but cannot
// answer: a null id, which it takes for a notification (LSP 3.17 allows an
// integer or a string), and an empty string, which it takes for the number
// 0. It returns the id to answer with and the reason, or "" when the
// message is fine. Only messages that may carry one are parsed again: a
// notification whose body mentions "id", a request whose id reads as 0.
func unusableID(msg jsonrpc2.Message, data []byte) (json.RawMessage, string) {
	switch m := msg.(type) {
	case *jsonrpc2.Notification:
		if !bytes.Contains(data, []byte(`"id"`)) {
			return nil, ""
		}
	case *jsonrpc2.Call:
		if m.ID() != jsonrpc2.NewNumberID(0) {
			return nil, ""
		}
	default:
		return nil, ""
	}
	var fields map[string]json.RawMessage
	if json.Unmarshal(data, &fields) != nil {
		return nil, ""
	}
	raw, ok := fields["id"]
	if !ok {
		return nil, ""
	}
	switch raw = bytes.TrimSpace(raw); string(raw) {
	case "null":
		return raw, "invalid request: an id must be an integer or a string (LSP 3.17), not null"
	case `""`:
		return raw, "invalid request: an empty string id is not supported"
	}
	return nil, ""
}

// isBareID reports whether msg decoded as a response although its body has
// neither result nor error ({"jsonrpc":"2.0","id":7}): jsonrpc2 reads any
// message without a method as a response, and would drop it silently.
func isBareID(msg jsonrpc2.Message, data []byte) bool {
	if _, ok := msg.(*jsonrpc2.Response); !ok {
		return false
	}
	var probe map[string]json.RawMessage
	if json.Unmarshal(data, &probe) != nil {
		return false
	}
	_, hasResult := probe["result"]
	_, hasError := probe["error"]
	return !hasResult && !hasError
}

// indexASCIIFold is strings.Index with ASCII letters compared without case.
// strings.ToLower would not do: it rewrites invalid UTF-8 into longer
// replacement characters, so its offsets are not the line's (FuzzStream
// found the slice that ran past the line's end).
func indexASCIIFold(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		j := 0
		for j < len(sub) && lowerASCII(s[i+j]) == lowerASCII(sub[j]) {
			j++
		}
		if j == len(sub) {
			return i
		}
	}
	return -1
}

func lowerASCII(c byte) byte {
	if c >= 'A' && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}
