package analysis

import (
	"math/rand/v2"
	"reflect"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// TestMemoMatchesFreshAnalysis edits real documents at random and checks
// that the analysis through the document's memo (what the language server
// runs per keystroke) equals a fresh analysis of the same text: mentions,
// points, repeats and findings.
func TestMemoMatchesFreshAnalysis(t *testing.T) {
	env := testEnv(t)
	docs := testenv.CorpusDocs(t, 0)
	rng := rand.New(rand.NewPCG(1, 2))
	snippets := []string{"x", " ", "\n", "\n\n", "- ", "| a | b |\n", "```\n", "Better Auth", " → FastAPI", "not ", "localStorage", "FR-001: ", "😀", "中文", "\r\n", "[e.g., Prisma]"}
	edits := 0
	for i, src := range docs {
		if i%3 != 0 || len(src) > 80<<10 {
			continue // a third of the corpus keeps the test quick
		}
		memo := NewMemo()
		text := append([]byte(nil), src...)
		for step := 0; step < 25; step++ {
			at := rng.IntN(len(text) + 1)
			end := min(len(text), at+rng.IntN(8))
			if rng.IntN(3) == 0 {
				end = at
			}
			text = append(text[:at:at], append([]byte(snippets[rng.IntN(len(snippets))]), text[end:]...)...)
			got := env.Analyze(&Input{Src: text, Memo: memo})
			want := env.Analyze(&Input{Src: text})
			edits++
			for _, c := range []struct {
				name      string
				got, want any
			}{
				{"mentions", got.Mentions, want.Mentions},
				{"points", got.Points, want.Points},
				{"repeats", got.Repeats, want.Repeats},
				{"findings", got.Findings, want.Findings},
			} {
				if !reflect.DeepEqual(c.got, c.want) {
					t.Fatalf("document %d, edit %d: memoised %s differ from a fresh analysis:\n got %+v\nwant %+v", i, step, c.name, c.got, c.want)
				}
			}
		}
		if memo.Len() == 0 {
			t.Fatalf("document %d: the memo holds no answers after 25 analyses", i)
		}
	}
	t.Logf("%d edits compared", edits)
}
