package lsp

import (
	"context"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

func rng(l1, c1, l2, c2 uint32) *protocol.Range {
	return &protocol.Range{Start: pos(l1, c1), End: pos(l2, c2)}
}

func TestApplyChanges(t *testing.T) {
	tests := []struct {
		name    string
		text    string
		enc     Encoding
		changes []contentChange
		want    string
	}{
		{"insert", "hello world", UTF16, []contentChange{{rng(0, 5, 0, 5), ","}}, "hello, world"},
		{"delete", "hello world", UTF16, []contentChange{{rng(0, 5, 0, 11), ""}}, "hello"},
		{"replace across lines", "a\nb\nc", UTF16, []contentChange{{rng(0, 1, 2, 0), "-"}}, "a-c"},
		{"full text", "old", UTF16, []contentChange{{nil, "new\ntext"}}, "new\ntext"},
		{"full then incremental", "old", UTF16, []contentChange{{nil, "abc"}, {rng(0, 3, 0, 3), "d"}}, "abcd"},
		{
			"several changes each against the previous result", "abc\ndef", UTF16,
			[]contentChange{{rng(0, 0, 0, 0), "X\n"}, {rng(2, 3, 2, 3), "!"}, {rng(1, 1, 1, 2), ""}},
			"X\nac\ndef!",
		},
		{"after emoji", "a😀b", UTF16, []contentChange{{rng(0, 3, 0, 4), "c"}}, "a😀c"},
		{"replace emoji", "a😀b", UTF16, []contentChange{{rng(0, 1, 0, 3), "你"}}, "a你b"},
		{"utf-8 columns", "é你x", UTF8, []contentChange{{rng(0, 5, 0, 6), "y"}}, "é你y"},
		{"crlf kept", "a\r\nb\r\n", UTF16, []contentChange{{rng(1, 0, 1, 1), "c"}}, "a\r\nc\r\n"},
		{"insert lf after cr joins the terminator", "a\rb", UTF16, []contentChange{{rng(1, 0, 1, 0), "\n"}}, "a\r\nb"},
		{"split crlf", "a\r\nb", UTF16, []contentChange{{rng(0, 1, 0, 1), "x"}}, "ax\r\nb"},
		{"past end of line clamps", "ab\ncd", UTF16, []contentChange{{rng(0, 99, 0, 99), "!"}}, "ab!\ncd"},
		{"past end of document clamps", "ab\ncd", UTF16, []contentChange{{rng(9, 0, 9, 5), "!"}}, "ab\ncd!"},
		{"reversed range", "abcd", UTF16, []contentChange{{rng(0, 3, 0, 1), ""}}, "ad"},
		{"inside surrogate pair", "a😀b", UTF16, []contentChange{{rng(0, 2, 0, 2), "x"}}, "ax😀b"},
		{"bom counts as a character", "\uFEFFab", UTF16, []contentChange{{rng(0, 1, 0, 1), "x"}}, "\uFEFFxab"},
		{"empty document", "", UTF16, []contentChange{{rng(0, 0, 0, 0), "# T\n"}}, "# T\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := applyChanges(NewMapper(tt.text, tt.enc), tt.changes)
			if m.Text() != tt.want {
				t.Fatalf("got %q, want %q", m.Text(), tt.want)
			}
			checkSameMapper(t, m, NewMapper(tt.want, tt.enc))
		})
	}
}

func checkSameMapper(t *testing.T, got, want *Mapper) {
	t.Helper()
	if got.text != want.text || len(got.starts) != len(want.starts) {
		t.Fatalf("mapper differs: %q %v, want %q %v", got.text, got.starts, want.text, want.starts)
	}
	for i := range got.starts {
		if got.starts[i] != want.starts[i] {
			t.Fatalf("line starts %v, want %v", got.starts, want.starts)
		}
	}
}

// FuzzMapper compares the Mapper with the reference conversion on every
// offset and position of the text, in both encodings.
func FuzzMapper(f *testing.F) {
	for _, s := range []string{"", "a\nb", "é\r\n你\r😀\n", "\uFEFF# x\r\n", "\r\r\n\n", "\xff\xfe\n\xc3"} {
		f.Add(s)
	}
	for _, src := range testenv.CorpusSeeds(f, 8) {
		f.Add(string(src[:min(len(src), 300)]))
	}
	f.Fuzz(func(t *testing.T, text string) {
		if len(text) > 200 {
			text = text[:200]
		}
		if !utf8.ValidString(text) {
			// Clients send JSON strings, which are valid UTF-8; other bytes
			// must only not crash.
			m := NewMapper(text, UTF16)
			for off := 0; off <= len(text); off++ {
				m.PositionOffset(m.OffsetPosition(off))
			}
			text = strings.ToValidUTF8(text, "\uFFFD")
		}
		checkMapper(t, text)
	})
}

// FuzzEdits applies random edits, given as positions that may lie past the
// ends of lines and of the text, through applyChanges and through a
// reference string model, and compares text and line index after each.
func FuzzEdits(f *testing.F) {
	f.Add("hello\nworld", []byte{0, 1, 2, 3, 4, 5, 6, 7, 8, 9})
	f.Add("a😀b\r\nc你d\re", []byte{1, 2, 0, 1, 3, 3, 2, 2, 1, 5, 4, 0})
	f.Add("", []byte{0, 0, 0, 0, 7})
	inserts := []string{"", "x", "\n", "\r\n", "\r", "😀", "你好", "é", "\uFEFF", "- [ ] a\n", "```\n", "| a |\n"}
	f.Fuzz(func(t *testing.T, text string, ops []byte) {
		text = strings.ToValidUTF8(text, "?")
		for _, enc := range []Encoding{UTF16, UTF8} {
			m := NewMapper(text, enc)
			ref := text
			for i := 0; i+4 < len(ops); i += 5 {
				p1 := pos(uint32(ops[i]%8), uint32(ops[i+1]%16))
				p2 := pos(uint32(ops[i+2]%8), uint32(ops[i+3]%16))
				ins := inserts[int(ops[i+4])%len(inserts)]
				s, e := refOffset(ref, enc, p1), refOffset(ref, enc, p2)
				if e < s {
					s, e = e, s
				}
				ref = ref[:s] + ins + ref[e:]
				m = applyChanges(m, []contentChange{{&protocol.Range{Start: p1, End: p2}, ins}})
				if m.Text() != ref {
					t.Fatalf("after edit %d: text %q, reference %q", i/5, m.Text(), ref)
				}
				checkSameMapper(t, m, NewMapper(ref, enc))
			}
		}
	})
}

// FuzzStream feeds arbitrary bytes to the JSON-RPC reader: it must never
// panic or hang, only return messages, answer errors and end at EOF.
func FuzzStream(f *testing.F) {
	frame := func(body string) string {
		return "Content-Length: " + itoa(len(body)) + "\r\n\r\n" + body
	}
	f.Add([]byte(frame(`{"jsonrpc":"2.0","id":1,"method":"initialize","params":{}}`)))
	f.Add([]byte(frame(`{"jsonrpc":"2.0","id":1,"method":"x"`)))
	f.Add([]byte("Content-Length: 5\r\n\r\n{}"))
	f.Add([]byte("Content-Length: -1\r\n\r\n"))
	f.Add([]byte("Content-Length: 99999999999\r\n\r\nabc"))
	f.Add([]byte("garbage\r\n\r\n" + frame(`{"jsonrpc":"2.0","method":"exit"}`)))
	f.Add([]byte(frame(`{"jsonrpc":"1.0","id":"a","method":"x"}`) + frame(`[1,2]`) + frame(`{"id":1.5,"method":"m"}`)))
	f.Add([]byte("\r\n\r\nContent-Type: x\r\n\r\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		s := newStream(strings.NewReader(string(data)), io.Discard, nil, slog.New(slog.DiscardHandler), 0)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		for range len(data) + 2 {
			msg, _, err := s.Read(ctx)
			if err != nil {
				return
			}
			if msg == nil {
				t.Fatal("nil message without error")
			}
			if _, ok := msg.(*jsonrpc2.Call); ok {
				continue
			}
		}
		t.Fatalf("more messages than bytes: the reader is looping")
	})
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for n > 0 {
		b = append([]byte{byte('0' + n%10)}, b...)
		n /= 10
	}
	return string(b)
}
