package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"

	"go.lsp.dev/protocol"
)

// TestHoverWhileAnalysisPending: with the analysis of the current version
// held by a hook, hover answers for the current version from the previous
// analysis mapped onto the new text (the pattern of a point the edit did
// not touch, at its new place) and from the current text alone where the
// edit is (the card of a technology just typed). Requests that need the
// exact analysis wait without holding the queue and fail with
// ContentModified when the document moves on; the diagnostics of the last
// version arrive once the analysis is let go.
func TestHoverWhileAnalysisPending(t *testing.T) {
	release := make(chan struct{})
	started := make(chan int32, 4)
	c := newRawClientOpts(t, Options{Version: "test", analyzeHook: func(_ context.Context, uri protocol.DocumentURI, v int32) {
		if uri == tortureURI && v >= 2 {
			started <- v
			<-release
		}
	}})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock)
	c.initialize()
	c.open(tortureURI, specText)
	c.diagnostics(tortureURI, 1)

	// Version 2 adds two lines at the top: the point moves from line 4 to 6.
	c.notify("textDocument/didChange", fmt.Sprintf(`{"textDocument":{"uri":%q,"version":2},"contentChanges":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"text":"Next.js renders it.\n\n"}]}`, tortureURI))
	if v := <-started; v != 2 {
		t.Fatalf("analysis of version %d started, want 2", v)
	}

	c.request(1, "textDocument/hover", hoverParams(tortureURI, 6, 42))
	m := c.reply(1)
	var h struct {
		Contents protocol.MarkupContent `json:"contents"`
		Range    protocol.Range         `json:"range"`
	}
	if m.Error != nil || json.Unmarshal(m.Result, &h) != nil {
		t.Fatalf("hover on the moved point: %+v %s", m.Error, m.Result)
	}
	if !strings.HasPrefix(h.Contents.Value, "**Better Auth → FastAPI** · pattern: **JWT bearer verified with JWKS**\n") || h.Range != (protocol.Range{Start: pos(6, 14), End: pos(6, 51)}) {
		t.Fatalf("hover on the moved point: %q at %+v", firstLines(h.Contents.Value, 1), h.Range)
	}

	c.request(2, "textDocument/hover", hoverParams(tortureURI, 0, 3))
	m = c.reply(2)
	want := `{"contents":{"kind":"markdown","value":"**Next.js** — frontend\n\nPatterns: Next.js → Auth.js, Next.js → Better Auth, Next.js → Clerk, Next.js → FastAPI, Next.js → Prisma, Next.js → Amazon S3, Next.js → Supabase Auth, Next.js → TanStack Query, Next.js → tRPC, Resend → Next.js, Stripe → Next.js, Supabase → Next.js\n"},"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":7}}}`
	if m.Error != nil || string(m.Result) != want {
		t.Fatalf("hover on the new text: %+v\n got %s\nwant %s", m.Error, m.Result, want)
	}

	// The analysis of version 2 is still pending: nothing was published.
	c.pmu.Lock()
	last := c.latest[tortureURI]
	c.pmu.Unlock()
	if !strings.Contains(string(last.Params), `"version":1`) {
		t.Fatalf("diagnostics published while the analysis was held: %s", last.Params)
	}

	// A code action needs the exact analysis: it waits off the queue (the
	// hover after it is answered), and fails with ContentModified when
	// version 3 arrives before the analysis of version 2.
	c.request(3, "textDocument/codeAction", fmt.Sprintf(`{"textDocument":{"uri":%q},"range":{"start":{"line":6,"character":0},"end":{"line":6,"character":0}},"context":{"diagnostics":[]}}`, tortureURI))
	c.request(4, "textDocument/hover", hoverParams(tortureURI, 0, 3))
	if m := c.reply(4); m.Error != nil || string(m.Result) != want {
		t.Fatalf("hover behind a waiting code action: %+v %s", m.Error, m.Result)
	}
	c.notify("textDocument/didChange", fmt.Sprintf(`{"textDocument":{"uri":%q,"version":3},"contentChanges":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"text":"x"}]}`, tortureURI))
	m = c.reply(3)
	if m.Error == nil || m.Error.Code != -32801 || m.Error.Message != "file:///ws/spec.md changed (version 2) before its analysis was done" {
		t.Fatalf("code action for a version left behind: %+v %s", m.Error, m.Result)
	}

	unblock()
	// The change to version 3 cancelled the analysis of version 2: once the
	// hook lets it go it stops at once, and version 3 is analysed.
	c.diagnostics(tortureURI, 3)
	c.request(5, "textDocument/hover", hoverParams(tortureURI, 6, 42))
	if m := c.reply(5); m.Error != nil || !strings.Contains(string(m.Result), "**Better Auth → FastAPI** · pattern: **JWT bearer verified with JWKS**") {
		t.Fatalf("hover after the analysis: %+v %s", m.Error, m.Result)
	}
}

// TestChangeCancelsStaleAnalysis: a change cancels the analysis of the
// version it replaces. The hook holds the analysis of version 2 until its
// context ends, so the diagnostics of version 3 arrive only because the
// change to 3 cancelled it.
func TestChangeCancelsStaleAnalysis(t *testing.T) {
	started := make(chan struct{}, 1)
	stopped := make(chan int32, 1)
	c := newRawClientOpts(t, Options{Version: "test", analyzeHook: func(ctx context.Context, uri protocol.DocumentURI, v int32) {
		if uri == tortureURI && v == 2 {
			started <- struct{}{}
			<-ctx.Done()
			stopped <- v
		}
	}})
	c.initialize()
	c.open(tortureURI, specText)
	c.diagnostics(tortureURI, 1)
	change := func(v int) {
		c.notify("textDocument/didChange", fmt.Sprintf(`{"textDocument":{"uri":%q,"version":%d},"contentChanges":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"text":"x"}]}`, tortureURI, v))
	}
	change(2)
	<-started
	change(3)
	if v := <-stopped; v != 2 {
		t.Fatalf("cancelled analysis of version %d, want 2", v)
	}
	m := c.diagnostics(tortureURI, 3)
	if !strings.Contains(string(m.Params), `"code":"integration-point"`) {
		t.Fatalf("diagnostics of version 3: %s", m.Params)
	}
}

// TestCommonPrefixSuffix compares the block-wise comparisons with a byte
// loop on texts that differ at every distance from either end.
func TestCommonPrefixSuffix(t *testing.T) {
	base := strings.Repeat("abcdefghij", 1000)
	for _, at := range []int{0, 1, 63, 64, 65, 4095, 4096, 4097, 5000, 9999} {
		b := base[:at] + "X" + base[at+1:]
		naiveP, naiveS := 0, 0
		for naiveP < len(base) && base[naiveP] == b[naiveP] {
			naiveP++
		}
		for naiveS < len(base) && base[len(base)-1-naiveS] == b[len(b)-1-naiveS] {
			naiveS++
		}
		if p, s := commonPrefix(base, b), commonSuffix(base, b); p != naiveP || s != naiveS {
			t.Errorf("difference at %d: prefix %d suffix %d, want %d %d", at, p, s, naiveP, naiveS)
		}
	}
	if p, s := commonPrefix(base, base[:100]), commonSuffix(base, base[len(base)-100:]); p != 100 || s != 100 {
		t.Errorf("prefix/suffix of a part: %d %d", p, s)
	}
}

// TestTypedDocumentSkipsBackgroundQueue: documents not typed into are
// analysed a few at a time (here one); a document being typed into does
// not wait behind them. The hook holds the analysis of a.md, which holds
// the only slot: b.md's first analysis waits, its first change does not.
func TestTypedDocumentSkipsBackgroundQueue(t *testing.T) {
	const a, b = "file:///ws/a.md", "file:///ws/b.md"
	release := make(chan struct{})
	held := make(chan struct{}, 1)
	c := newRawClientOpts(t, Options{Version: "test", analysisSlots: 1, analyzeHook: func(_ context.Context, uri protocol.DocumentURI, v int32) {
		if uri == a {
			held <- struct{}{}
			<-release
		}
	}})
	var once sync.Once
	unblock := func() { once.Do(func() { close(release) }) }
	t.Cleanup(unblock)
	c.initialize()
	c.open(a, otherText)
	<-held
	c.open(b, specText)
	c.notify("textDocument/didChange", fmt.Sprintf(`{"textDocument":{"uri":%q,"version":2},"contentChanges":[{"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":0}},"text":"x"}]}`, b))
	m := c.diagnostics(b, 2)
	if !strings.Contains(string(m.Params), `"code":"integration-point"`) {
		t.Fatalf("diagnostics of b.md: %s", m.Params)
	}
	c.pmu.Lock()
	_, aDone := c.latest[a]
	c.pmu.Unlock()
	if aDone {
		t.Fatal("a.md was published while its analysis was held")
	}
	unblock()
	c.diagnostics(a, 1)
}
