package lsp

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"strings"
	"testing"

	"go.lsp.dev/jsonrpc2"
)

// TestWriteNotificationAsJSONRPC2Does checks that the stream's own encoding
// of notifications frames the same JSON value that jsonrpc2's marshalling
// gives, for the parameters the server sends.
func TestWriteNotificationAsJSONRPC2Does(t *testing.T) {
	tests := []struct {
		name   string
		method string
		params any
	}{
		{"diagnostics", "textDocument/publishDiagnostics", map[string]any{
			"uri": "file:///ws/a.md", "version": 3,
			"diagnostics": []any{map[string]any{"message": "Next.js → Better Auth <a&b> \"quoted\" 日本 😀\u2028", "range": map[string]any{}}},
		}},
		{"no params", "exit", nil},
		{"empty list", "textDocument/publishDiagnostics", map[string]any{"uri": "file:///x.md", "diagnostics": []any{}}},
		{"method needing escapes", "$/custom\"<>", []int{1, 2}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := jsonrpc2.NewNotification(tt.method, tt.params)
			if err != nil {
				t.Fatal(err)
			}
			want, err := json.Marshal(n)
			if err != nil {
				t.Fatal(err)
			}
			var out bytes.Buffer
			s := newStream(strings.NewReader(""), &out, nil, slog.New(slog.DiscardHandler), 0)
			if _, err := s.Write(context.Background(), n); err != nil {
				t.Fatal(err)
			}
			header, body, ok := strings.Cut(out.String(), "\r\n\r\n")
			if !ok || header != "Content-Length: "+itoa(len(body)) {
				t.Fatalf("frame %q: header does not give the body's length", out.String())
			}
			var got, exp any
			if err := json.Unmarshal([]byte(body), &got); err != nil {
				t.Fatalf("body %s is not JSON: %v", body, err)
			}
			if err := json.Unmarshal(want, &exp); err != nil {
				t.Fatal(err)
			}
			gb, _ := json.Marshal(got)
			eb, _ := json.Marshal(exp)
			if string(gb) != string(eb) {
				t.Errorf("body = %s\nwant  %s", body, want)
			}
			// The peer's reader must take it as the same notification.
			dec, err := jsonrpc2.DecodeMessage([]byte(body))
			if err != nil {
				t.Fatalf("jsonrpc2 cannot decode %s: %v", body, err)
			}
			if dn, ok := dec.(*jsonrpc2.Notification); !ok || dn.Method() != tt.method {
				t.Errorf("decoded %#v, want notification %q", dec, tt.method)
			}
		})
	}
}
