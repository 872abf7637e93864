package lsp

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// blockingReader hands out its frames, then blocks like a pipe whose writer
// is still open (os.Stdin of a server whose client did not close it).
type blockingReader struct {
	r     io.Reader
	block chan struct{}
}

func (b *blockingReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err == io.EOF {
		<-b.block
	}
	return n, err
}

func frame(body string) string { return fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(body), body) }

// TestExitEndsServeWithoutEOF: exit must end the session even though the
// input never reaches EOF, with code 0 after shutdown and 1 without.
func TestExitEndsServeWithoutEOF(t *testing.T) {
	for _, tt := range []struct {
		name     string
		shutdown bool
		want     int
	}{{"after shutdown", true, 0}, {"without shutdown", false, 1}} {
		t.Run(tt.name, func(t *testing.T) {
			in := frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"capabilities":{}}}`)
			if tt.shutdown {
				in += frame(`{"jsonrpc":"2.0","id":2,"method":"shutdown"}`)
			}
			in += frame(`{"jsonrpc":"2.0","method":"exit"}`)
			br := &blockingReader{r: bytes.NewBufferString(in), block: make(chan struct{})}
			defer close(br.block)
			done := make(chan int, 1)
			env, err := analysis.DefaultEnv()
			if err != nil {
				t.Fatal(err)
			}
			go func() { done <- Serve(context.Background(), br, io.Discard, nil, Options{Env: env}) }()
			select {
			case code := <-done:
				if code != tt.want {
					t.Fatalf("exit code %d, want %d", code, tt.want)
				}
			case <-time.After(waitTimeout):
				t.Fatal("Serve did not return after exit")
			}
		})
	}
}
