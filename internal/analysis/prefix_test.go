package analysis

import (
	"bytes"
	"math/rand/v2"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

func TestPrefixesOf(t *testing.T) {
	tests := []struct {
		expr string
		want []string // nil: no prefix search
	}{
		{`(?i)\b(tokens?|jwts?|bearer)\b`, []string{"bearer", "jwt", "token"}},
		{`(?i)\b(pay(?:s|ing|ment)?|payouts?)\b`, []string{"pay"}}, // payout starts with pay
		{`(?i)(\bapis?\b|/api/|接口)`, []string{"/api/", "api", "接口"}},
		{`\b((?:FR|NFR|SC)-?\d+)\b`, []string{"fr", "nfr", "sc"}},
		{`(?m)^\s*[-*+]\s+`, nil},   // may start with spaces
		{`(?i)\b\w+Adapter\b`, nil}, // starts with any word
		{`(?i)(?:x|y)?secret`, nil}, // the first part is optional
		{`(?i)[-*+] item`, []string{"*", "+", "-"}},
		{`(?i)\b数据\w*`, []string{"数据"}},
		{`(?i)\bÉcole\b`, nil}, // É folds to é: not found by its bytes
	}
	for _, tt := range tests {
		t.Run(tt.expr, func(t *testing.T) {
			ps := newPrefixSearch(tt.expr)
			if tt.want == nil {
				if ps != nil {
					t.Fatalf("prefix literals %q, want none", ps.lits)
				}
				return
			}
			if ps == nil {
				t.Fatalf("no prefix search, want %q", tt.want)
			}
			var got []string
			for _, l := range ps.lits {
				got = append(got, string(l))
			}
			slices.Sort(got)
			if !reflect.DeepEqual(got, tt.want) {
				t.Errorf("prefix literals %q, want %q", got, tt.want)
			}
		})
	}
}

// TestPrefixSearchAgrees: for every expression of the detectors that has a
// prefix search, the search gives exactly the answers of the expression's
// unanchored search, for every operation the memo answers, on the corpus's
// paragraphs and on mutated copies of them (invalid UTF-8, CJK, emoji,
// changed case, words glued together).
func TestPrefixSearchAgrees(t *testing.T) {
	env := testEnv(t)
	docs := testenv.CorpusDocs(t, 0)
	for _, src := range docs {
		env.Analyze(&Input{Src: src})
	}
	type variant struct {
		re      *regexp.Regexp // as run on a slice of the document
		lowered bool
		ps      *prefixSearch
	}
	var vs []variant
	for re, gi := range *gates.m.Load() {
		if gi.pre == nil {
			continue
		}
		if gi.low != nil {
			vs = append(vs, variant{gi.low, true, gi.pre})
		} else {
			vs = append(vs, variant{re, false, gi.pre})
		}
	}
	if len(vs) < 40 {
		t.Fatalf("only %d expressions have a prefix search", len(vs))
	}
	rng := rand.New(rand.NewPCG(6, 2026))
	inserts := [][]byte{[]byte("\xff"), []byte("\xe6\x95"), []byte("数据库"), []byte("😀"), []byte("API"), []byte("token"), []byte("_"), []byte("K"), []byte("\u212a"), []byte("é")}
	// Every third paragraph of the corpus, and as many mutated ones: the
	// reference answers are the slow unanchored searches this file avoids.
	var pieces [][]byte
	for _, src := range docs {
		for i, p := range bytes.Split(src, []byte("\n\n")) {
			if i%3 == 0 {
				pieces = append(pieces, p)
			}
		}
	}
	n := len(pieces)
	for range n {
		p := append([]byte(nil), pieces[rng.IntN(n)]...)
		for range 1 + rng.IntN(4) {
			at := rng.IntN(len(p) + 1)
			switch rng.IntN(3) {
			case 0:
				p = slices.Insert(p, at, inserts[rng.IntN(len(inserts))]...)
			case 1:
				if at < len(p) {
					p = slices.Delete(p, at, min(len(p), at+1+rng.IntN(3)))
				}
			case 2:
				if at < len(p) && p[at] >= 'a' && p[at] <= 'z' {
					p[at] -= 'a' - 'A'
				}
			}
		}
		pieces = append(pieces, p)
	}
	ops := []memoOp{opMatch, opFind, opFindSub, opFindAll, opFindAllSub}
	fallbacks := 0
	for _, piece := range pieces {
		low := asciiLower(piece)
		for _, v := range vs {
			text := piece
			if v.lowered {
				text = low
			}
			for _, op := range ops {
				got, ok := v.ps.run(op, text, low)
				if !ok {
					fallbacks++
					continue // past its bounds: the expression runs itself
				}
				var want memoVal
				switch op {
				case opMatch:
					want.ok = v.re.Match(text)
				case opFind:
					want.loc = v.re.FindIndex(text)
				case opFindSub:
					want.loc = v.re.FindSubmatchIndex(text)
				case opFindAll:
					want.all = v.re.FindAllIndex(text, -1)
				case opFindAllSub:
					want.all = v.re.FindAllSubmatchIndex(text, -1)
				}
				if got.ok != want.ok || !reflect.DeepEqual(got.loc, want.loc) || !reflect.DeepEqual(got.all, want.all) {
					t.Fatalf("%s, op %d, on %q:\nprefix search %+v\nexpression    %+v", v.re, op, text, got, want)
				}
			}
		}
	}
	t.Logf("%d expressions agree on %d pieces (%d answers past the bounds)", len(vs), len(pieces), fallbacks)
}

// TestPrefixSearchBounded: where attempts at every candidate would cost the
// square of the text — a long word of repeated prefixes, with an expression
// whose match can run to the word's end — the search gives up and the
// expression runs unanchored; so does a text with too many candidates.
func TestPrefixSearchBounded(t *testing.T) {
	tests := []struct {
		name string
		expr string
		text string
		want bool // answered by the prefix search
	}{
		{"long word, unbounded", `(?i)\bverif\w+ (?:the )?token`, strings.Repeat("verif", 200000), false},
		{"long word, bounded", `(?i)\bverif(?:y|ies) token`, strings.Repeat("verif", 200000), false}, // 200,000 candidates
		{"paragraph, unbounded", `(?i)\bverif\w+ (?:the )?token`, "We verify the token on every request.", true},
		{"no candidate in a long text", `(?i)\bverif\w+ token`, strings.Repeat("x", 1<<20), true},
		{"few candidates, bounded", `(?i)\bverif(?:y|ies) token`, strings.Repeat("x", 1<<20) + " verify token", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ps := newPrefixSearch(tt.expr)
			if ps == nil {
				t.Fatal("no prefix search")
			}
			text := []byte(tt.text)
			v, ok := ps.run(opFindAll, text, asciiLower(text))
			if ok != tt.want {
				t.Fatalf("answered = %v, want %v", ok, tt.want)
			}
			if ok {
				want := regexp.MustCompile(tt.expr).FindAllIndex(text, -1)
				if !reflect.DeepEqual(v.all, want) {
					t.Errorf("matches %v, want %v", v.all, want)
				}
			}
		})
	}
}
