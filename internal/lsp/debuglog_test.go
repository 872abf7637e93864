package lsp

import (
	"bytes"
	"log/slog"
	"regexp"
	"slices"
	"strings"
	"sync"
	"testing"
)

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestDebugLogTracesMessages: at the debug level (IPF_LSP_DEBUG=1) the log
// has a line for every message handled and every analysis, with its
// duration; at the default level it has none of them.
func TestDebugLogTracesMessages(t *testing.T) {
	timing := regexp.MustCompile(`time=\S+ |ms=[0-9.]+`)
	for _, tt := range []struct {
		level slog.Level
		want  []string
	}{
		{slog.LevelDebug, []string{
			"level=DEBUG msg=handled method=initialize ms=T error=<nil>",
			"level=DEBUG msg=handled method=initialized ms=T error=<nil>",
			"level=DEBUG msg=handled method=textDocument/didOpen ms=T error=<nil>",
			"level=DEBUG msg=analysed uri=file:///ws/other.md version=1 ms=T cancelled=false",
			"level=DEBUG msg=handled method=textDocument/hover ms=T error=<nil>",
			`level=DEBUG msg=handled method=no/such ms=T error="method not found: no/such"`,
		}},
		{slog.LevelWarn, nil},
	} {
		t.Run(tt.level.String(), func(t *testing.T) {
			var buf syncBuffer
			c := newRawClientOpts(t, Options{Version: "test", Logger: slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: tt.level}))})
			c.initialize()
			c.open(otherURI, otherText)
			c.diagnostics(otherURI, 1)
			c.request(1, "textDocument/hover", hoverParams(otherURI, 2, 1))
			c.reply(1)
			c.request(2, "no/such", `{}`)
			c.reply(2)
			var got []string
			for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
				if l = timing.ReplaceAllStringFunc(l, func(m string) string {
					if strings.HasPrefix(m, "ms=") {
						return "ms=T"
					}
					return ""
				}); strings.Contains(l, "msg=handled") || strings.Contains(l, "msg=analysed") {
					got = append(got, l)
				}
			}
			// The worker's line and the handlers' may interleave.
			slices.Sort(got)
			want := slices.Sorted(slices.Values(tt.want))
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("log lines:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
			}
		})
	}
}
