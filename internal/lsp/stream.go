package lsp

// NOTE: jsonrpc2 v0.10.0's stream ends the whole session on the first
// malformed message: its read loop treats any decode error as fatal
// (go-lsp-style.md §1.4). A language server must instead answer a parse error
// and keep serving, so this stream does its own Content-Length framing, and
// answers what it cannot decode itself.

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"sync"

	"go.lsp.dev/jsonrpc2"
)

// maxMessage bounds one message body; a Content-Length above it is answered
// with a parse error and its body skipped, so a bogus header cannot make the
// server allocate gigabytes.
const maxMessage = 64 << 20

type tolerantStream struct {
	in     *bufio.Reader
	out    io.Writer
	closer io.Closer
	log    *slog.Logger
	wmu    sync.Mutex
}

func newStream(in io.Reader, out io.Writer, closer io.Closer, log *slog.Logger) *tolerantStream {
	return &tolerantStream{in: bufio.NewReaderSize(in, 64<<10), out: out, closer: closer, log: log}
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
		length, n, err := s.readHeader()
		total += n
		if err != nil {
			var he headerError
			if errors.As(err, &he) {
				s.log.Warn("skipping malformed frame", "error", err)
				s.writeError(nil, jsonrpc2.ParseError, err.Error())
				continue
			}
			return nil, total, err
		}
		if length > maxMessage {
			s.writeError(nil, jsonrpc2.ParseError, fmt.Sprintf("message of %d bytes exceeds the limit of %d", length, maxMessage))
			if _, err := io.CopyN(io.Discard, s.in, length); err != nil {
				return nil, total, fmt.Errorf("skipping oversized message: %w", err)
			}
			total += length
			continue
		}
		data := make([]byte, length)
		if _, err := io.ReadFull(s.in, data); err != nil {
			return nil, total, fmt.Errorf("reading message body: %w", err)
		}
		total += length
		msg, err := jsonrpc2.DecodeMessage(data)
		if err == nil && !isBareID(msg, data) {
			return msg, total, nil
		}
		if err == nil {
			err = errors.New("a message needs a method, a result or an error")
		}
		s.answerUndecodable(data, err)
	}
}

type headerError struct{ msg string }

func (e headerError) Error() string { return e.msg }

// readHeader reads header lines up to the blank line. A frame without a
// usable Content-Length is a headerError: the reader resynchronises on the
// next header block.
func (s *tolerantStream) readHeader() (int64, int64, error) {
	var total, length int64 = 0, -1
	var bad string
	for {
		line, err := s.in.ReadString('\n')
		total += int64(len(line))
		if err != nil {
			return 0, total, fmt.Errorf("reading header line: %w", err)
		}
		line = strings.TrimSpace(line)
		// Resynchronise after a body shorter than its Content-Length said:
		// its tail runs into the next header line.
		if i := strings.Index(strings.ToLower(line), "content-length:"); i > 0 {
			line = line[i:]
		}
		if line == "" {
			if length < 0 && bad == "" && total <= 2 {
				// Stray blank line between messages: keep reading.
				total = 0
				continue
			}
			break
		}
		name, value, ok := strings.Cut(line, ":")
		if !ok {
			bad = fmt.Sprintf("invalid header line %q", truncate(line, 80))
			continue
		}
		if strings.EqualFold(strings.TrimSpace(name), "Content-Length") {
			n, err := strconv.ParseInt(strings.TrimSpace(value), 10, 64)
			if err != nil || n <= 0 {
				bad = fmt.Sprintf("invalid Content-Length %q", truncate(value, 40))
				continue
			}
			length = n
		}
	}
	if bad != "" {
		return 0, total, headerError{bad}
	}
	if length < 0 {
		return 0, total, headerError{"missing Content-Length header"}
	}
	return length, total, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n] + "…"
	}
	return s
}

// answerUndecodable replies to a body that is not a JSON-RPC message: a
// parse error for invalid JSON, an invalid-request error (echoing the id when
// there is one) for valid JSON of the wrong shape.
func (s *tolerantStream) answerUndecodable(data []byte, decodeErr error) {
	var probe struct {
		ID     json.RawMessage `json:"id"`
		Method *string         `json:"method"`
	}
	if !json.Valid(data) {
		s.log.Warn("invalid JSON in message", "error", decodeErr)
		s.writeError(nil, jsonrpc2.ParseError, "parse error: "+decodeErr.Error())
		return
	}
	if err := json.Unmarshal(data, &probe); err != nil {
		// Valid JSON but not an object (a batch, a string): LSP has no
		// batches, so it is an invalid request.
		s.log.Warn("JSON-RPC message is not an object", "error", err)
		s.writeError(nil, jsonrpc2.InvalidRequest, "invalid request: a message must be a JSON object")
		return
	}
	s.log.Warn("invalid JSON-RPC message", "error", decodeErr)
	id := probe.ID
	if probe.Method != nil && len(id) == 0 {
		return // a malformed notification gets no reply
	}
	if len(id) > 0 && id[0] != '"' && (id[0] < '0' || id[0] > '9') && id[0] != '-' {
		id = nil
	}
	s.writeError(id, jsonrpc2.InvalidRequest, "invalid request: "+decodeErr.Error())
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

func (s *tolerantStream) writeFrame(body []byte) (int64, error) {
	s.wmu.Lock()
	defer s.wmu.Unlock()
	n, err := fmt.Fprintf(s.out, "Content-Length: %d\r\n\r\n", len(body))
	if err != nil {
		return int64(n), fmt.Errorf("writing header: %w", err)
	}
	m, err := s.out.Write(body)
	if err != nil {
		return int64(n + m), fmt.Errorf("writing body: %w", err)
	}
	return int64(n + m), nil
}

// Write implements jsonrpc2.Stream.
func (s *tolerantStream) Write(ctx context.Context, msg jsonrpc2.Message) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	data, err := json.Marshal(msg)
	if err != nil {
		return 0, fmt.Errorf("marshaling message: %w", err)
	}
	return s.writeFrame(data)
}

// Close implements jsonrpc2.Stream.
func (s *tolerantStream) Close() error {
	if s.closer == nil {
		return nil
	}
	return s.closer.Close()
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
