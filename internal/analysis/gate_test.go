package analysis

import (
	"bytes"
	"fmt"
	"go/format"
	"math/rand/v2"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// TestRequiredLiterals: the first set of requiredSets, the one gate of
// an expression whose matches share no further literals.
func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		re   string
		want string // literals joined by "|", "" for no gate
	}{
		{`(?i)\b(?:tokens?|jwts?|bearer)\b`, "token|jwt|bearer"},
		{`allow_origins\s*=\s*\[`, "allow_origins"},
		{`(?i)\b(?:local\s?storage|session\s?storage)\b`, "storage|session"},
		{`\bexp\b`, "exp"},
		{`(?:a|b*)`, ""},
		{`[0-9]+`, ""},
		{`(?i)Next\.js`, "next.js"},
	}
	for _, tt := range tests {
		var got []string
		var first [][]byte
		if sets := requiredSets(regexp.MustCompile(tt.re)); len(sets) > 0 {
			first = sets[0]
		}
		for _, l := range first {
			got = append(got, string(l))
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("%s: got %q, want %q", tt.re, got, tt.want)
		}
	}
}

// TestGateNeverHidesAMatch: on real text, whenever an expression matches,
// the gate lets it run.
func TestGateNeverHidesAMatch(t *testing.T) {
	texts := []string{
		"Store the JWT in localStorage.", "ALLOW_ORIGINS = ['*']", "NEXT_PUBLIC_STRIPE_SECRET_KEY=sk_live_x",
		"Users Sign-In with OAuth", "the Webhook Endpoint /api/webhooks/stripe", "jwt.decode(token, options={'verify_signature': False})",
	}
	res := []*rx{storageWordRe, corsWildcardCodeRe, publicEnvRe, secretPrefixRe, webhookEndpointRe, unverifiedCodeRe, tokenWordRe, sharedSecretRe}
	for _, c := range concerns {
		res = append(res, c.cue)
	}
	for _, re := range res {
		for _, s := range texts {
			if re.MatchString(s) && !re.info().may(asciiLower([]byte(s))) {
				t.Errorf("gate of %s hides its match in %q", re, s)
			}
		}
	}
}

func TestWebhookSignatureWording(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"we verify the webhook before use", true},
		{"the handler verifies each event", true},
		{"payloads are verified", true},
		{"webhook events are verified on arrival", true},
		{"verify that the order exists, then log the event", false},
		{"the event log is kept for 30 days", false},
		{"check the Stripe-Signature header", true},
	} {
		if got := signsLower(asciiLower([]byte(tt.text))); got != tt.want {
			t.Errorf("%q: %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestLongLineIsNotAnalysed(t *testing.T) {
	src := append([]byte("# T\r\n\r\n"), bytes.Repeat([]byte("[a]("), 1<<18)...)
	r := testEnv(t).Analyze(&Input{Src: src})
	if len(r.Findings) != 1 || r.Findings[0].Code != CodeTooLarge ||
		r.Findings[0].Message != "not analysed: line 3 has 1048576 bytes, above the limit of 32768 bytes for one line" {
		t.Fatalf("findings = %+v", r.Findings)
	}
	if l, n := longestLine([]byte("ab\r\ncde\rf\n")); l != 1 || n != 3 {
		t.Fatalf("longestLine = %d, %d", l, n)
	}
}

func TestMayHaveLineOver(t *testing.T) {
	tests := []struct {
		src  string
		max  int
		want bool
	}{
		{"", 3, false},
		{"abc", 3, false},
		{"abcd", 3, true},
		{"abc\nabc\nabc", 3, false},
		{"abc\nabcd\nab", 3, true},
		{"abc\r\nab", 3, true}, // the CR counts until the line feed: a superset
		{"ab\rcd\n", 3, true},  // lone CRs too; longestLine decides
		{"abc\n\n\nabc\n", 3, false},
	}
	for _, tt := range tests {
		if got := mayHaveLineOver([]byte(tt.src), tt.max); got != tt.want {
			t.Errorf("mayHaveLineOver(%q, %d) = %v, want %v", tt.src, tt.max, got, tt.want)
		}
		if _, n := longestLine([]byte(tt.src)); n > tt.max && !mayHaveLineOver([]byte(tt.src), tt.max) {
			t.Errorf("%q has a line of %d bytes, mayHaveLineOver says none", tt.src, n)
		}
	}
}

func TestLoweredVariantExists(t *testing.T) {
	for _, tc := range []struct {
		re   string
		want bool
	}{
		{`(?i)\bbetter auth\b`, true},
		{`(?i)[A-Z]+_SECRET`, true},
		{`\bFR-\d+`, false},             // no case folding
		{`(?i)token(?-i:JWT)`, false},   // a case-sensitive upper-case part
		{`(?i)token(?-i:[A-Z])`, false}, // the same in a class
		{`(?i)été|ÉTÉ`, true},           // non-ASCII letters keep folding
		{`(?i)localStorage\b`, true},
	} {
		if got := lowered(regexp.MustCompile(tc.re)) != nil; got != tc.want {
			t.Errorf("lowered(%q) exists = %v, want %v", tc.re, got, tc.want)
		}
	}
}

// TestLoweredVariants: every expression the detectors use (registered by
// analysing the corpus) gives, through its lowered variant on lowered text,
// exactly the matches it gives on the original, on every paragraph
// of the corpus.
func TestLoweredVariants(t *testing.T) {
	env := testEnv(t)
	docs := testenv.CorpusDocs(t, 0)
	for _, src := range docs {
		env.Analyze(&Input{Src: src})
	}
	var variants []*regexp.Regexp
	infos := map[*regexp.Regexp]*gateInfo{}
	for re, gi := range *gates.m.Load() {
		if gi.low != nil {
			variants = append(variants, re)
			infos[re] = gi
		}
	}
	if len(variants) < 20 {
		t.Fatalf("only %d expressions have a lowered variant", len(variants))
	}
	pieces := 0
	for _, src := range docs {
		for _, piece := range bytes.Split(src, []byte("\n\n")) {
			pieces++
			low := asciiLower(piece)
			for _, re := range variants {
				got := infos[re].low.FindAllSubmatchIndex(low, -1)
				want := re.FindAllSubmatchIndex(piece, -1)
				if !reflect.DeepEqual(got, want) {
					t.Fatalf("%s on %q:\nlowered %v\noriginal %v", re, piece, got, want)
				}
			}
		}
	}
	t.Logf("%d expressions with lowered variants agree on %d pieces of the corpus", len(variants), pieces)
}

func TestRequiredSets(t *testing.T) {
	tests := []struct {
		re   string
		want string // sets joined by " & ", literals by "|"
	}{
		{`(?i)\b(?:decision|status|verdict)\W{0,6}\s*(?:rejected|not chosen|discarded|deferred)\b`, "rejected|not chosen|iscarded|eferred & decision|status|verdict"}, // Simplify factors d(?:iscarded|eferred)
		{`(?i)\b(?:tokens?|jwts?|bearer)\b`, "token|jwt|bearer"},
		{`(?i)jwt\.decode\(\s*token`, "jwt.decode(" + " & " + "token"},
		{`(?i)\bapi\s+gateway\b`, "gateway & api"},
		{`a\s*=\s*b`, "a"}, // single bytes are not worth a second set
		{`(?i)(?:xx|yy)\w+(?:aa|bb)`, "xx|yy & aa|bb"},
		{`[0-9]+`, ""},
	}
	for _, tt := range tests {
		var sets []string
		for _, set := range requiredSets(regexp.MustCompile(tt.re)) {
			sets = append(sets, string(bytes.Join(set, []byte("|"))))
		}
		if got := strings.Join(sets, " & "); got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.re, got, tt.want)
		}
	}
}

// TestGateNeverHidesAMatchCorpus: for every expression of the detectors,
// on the corpus's paragraphs and lines and on mutated copies of them,
// whenever the expression matches, its gate (every set of literals) lets
// it run.
func TestGateNeverHidesAMatchCorpus(t *testing.T) {
	env := testEnv(t)
	docs := testenv.CorpusDocs(t, 0)
	for _, src := range docs {
		env.Analyze(&Input{Src: src})
	}
	var pieces [][]byte
	for _, src := range docs {
		for i, p := range bytes.Split(src, []byte("\n\n")) {
			if i%2 == 0 {
				pieces = append(pieces, p)
			}
		}
		for i, l := range bytes.Split(src, []byte("\n")) {
			if i%7 == 0 {
				pieces = append(pieces, l)
			}
		}
	}
	rng := rand.New(rand.NewPCG(9, 2026))
	for n := len(pieces); n > 0; n-- {
		p := append([]byte(nil), pieces[rng.IntN(len(pieces))]...)
		if len(p) > 0 {
			at := rng.IntN(len(p))
			if p[at] >= 'a' && p[at] <= 'z' {
				p[at] -= 'a' - 'A'
			} else {
				p = slices.Insert(p, at, []byte("\u212a")...)
			}
		}
		pieces = append(pieces, p)
	}
	sets, checked := 0, 0
	for re, gi := range *gates.m.Load() {
		if gi.lits == nil {
			continue
		}
		sets += len(gi.also)
		for _, p := range pieces {
			if re.Match(p) {
				checked++
				if !gi.may(asciiLower(p)) {
					t.Fatalf("gate %q & %q of %s hides its match in %q", gi.lits, gi.also, re, p)
				}
			}
		}
	}
	if sets < 10 || checked < 1000 {
		t.Fatalf("%d further sets, %d matches checked: too few to mean anything", sets, checked)
	}
	t.Logf("%d matches checked, %d expressions' further sets", checked, sets)
}

// TestLoweredTable: loweredTable holds, for every detector expression, what
// loweredExpr answers. With -update it is rewritten.
func TestLoweredTable(t *testing.T) {
	Warm()
	var exprs []string
	for _, x := range gates.all {
		exprs = append(exprs, x.String())
	}
	slices.Sort(exprs)
	exprs = slices.Compact(exprs)
	if *update { // -update also rewrites the golden files (antipatterns_test.go)
		var b strings.Builder
		b.WriteString("// Code generated by TestLoweredTable -update; DO NOT EDIT.\n\npackage analysis\n\n")
		b.WriteString("// loweredTable maps each detector expression to the source of its lowered\n// variant (\"\" for none): loweredExpr's answers, worked out once when the\n// expressions change (go test ./internal/analysis -run TestLoweredTable\n// -update) rather than at every start. TestLoweredTable fails when it is\n// not current.\nvar loweredTable = map[string]string{\n")
		for _, e := range exprs {
			fmt.Fprintf(&b, "\t%s: %s,\n", strconv.Quote(e), strconv.Quote(loweredExpr(e)))
		}
		b.WriteString("}\n")
		src, err := format.Source([]byte(b.String()))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile("lowered_table.go", src, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	for _, e := range exprs {
		got, ok := loweredTable[e]
		if want := loweredExpr(e); !ok || got != want {
			t.Errorf("loweredTable[%q] = %q (present %v), want %q: run go test ./internal/analysis -run TestLoweredTable -update", e, got, ok, want)
		}
	}
	if len(loweredTable) != len(exprs) {
		t.Errorf("loweredTable has %d entries for %d expressions: run -update", len(loweredTable), len(exprs))
	}
}
