package analysis

import (
	"sort"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Mention is a technology named in prose.
type Mention struct {
	Span  Span
	Tech  string // technology id
	Block int    // index into Doc.Blocks
	// Excluded says why the mention is not a choice of the document
	// ("rejected alternative", "negation", "template placeholder"), or "".
	Excluded string
}

type alias struct {
	text  string // lower-cased unless exact
	exact bool
	tech  string
}

// Matcher finds technology mentions in text. It is built once per catalog
// and safe for concurrent use.
type Matcher struct {
	byFirst [256][]alias // keyed by the lower-cased first byte
	// second[c] is the set of the second bytes of the aliases in
	// byFirst[c] (lower-cased for the case-insensitive ones), and
	// short[c] whether one of them has a single byte: most positions that
	// start like a name cannot continue like one, and are passed over
	// without trying every alias of their letter.
	second [256][4]uint64
	short  [256]bool
}

// NewMatcher compiles the aliases of a catalog.
func NewMatcher(c *Catalog) *Matcher {
	m := &Matcher{}
	seen := map[string]bool{}
	addAlias := func(t string, s string, exact bool) {
		if s == "" {
			return
		}
		key := s
		if !exact {
			key = strings.ToLower(s)
		}
		k := t + "\x00" + key
		if seen[k] {
			return
		}
		seen[k] = true
		c0 := lower(key[0])
		m.byFirst[c0] = append(m.byFirst[c0], alias{text: key, exact: exact, tech: t})
		if len(key) == 1 {
			m.short[c0] = true
		} else {
			m.second[c0][key[1]/64] |= 1 << (key[1] % 64)
		}
	}
	for _, t := range c.All() {
		for _, a := range t.Aliases {
			addAlias(t.ID, a, false)
		}
		for _, a := range t.CaseSensitive {
			addAlias(t.ID, a, true)
		}
		if len(t.Aliases) == 0 && len(t.CaseSensitive) == 0 {
			addAlias(t.ID, t.Name, false)
		}
	}
	for i := range m.byFirst {
		// Longest first, so "Supabase Auth" wins over "Supabase".
		sort.SliceStable(m.byFirst[i], func(a, b int) bool { return len(m.byFirst[i][a].text) > len(m.byFirst[i][b].text) })
	}
	return m
}

func lower(b byte) byte {
	if b >= 'A' && b <= 'Z' {
		return b + 32
	}
	return b
}

func isWordByte(b byte) bool {
	return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' || b >= '0' && b <= '9' || b == '_' || b >= 0x80
}

// wordBefore reports whether the rune ending at i continues a word. Scripts
// written without spaces (Han, Kana, Hangul) and all punctuation end a word:
// "用Next.js" and "页面：Next.js" name Next.js.
func wordBefore(src []byte, i int) bool {
	if b := src[i-1]; b < utf8.RuneSelf {
		return isWordByte(b)
	}
	r, _ := utf8.DecodeLastRune(src[:i])
	return continuesWord(r)
}

// wordAfter reports whether the rune starting at i continues a word.
func wordAfter(src []byte, i int) bool {
	if b := src[i]; b < utf8.RuneSelf {
		return isWordByte(b)
	}
	r, _ := utf8.DecodeRune(src[i:])
	return continuesWord(r)
}

func continuesWord(r rune) bool {
	if unicode.In(r, unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul) {
		return false
	}
	return unicode.IsLetter(r) || unicode.IsDigit(r) || unicode.IsMark(r)
}

// Find appends the mentions in src[span] to out.
func (m *Matcher) Find(src []byte, span Span, block int, out []Mention) []Mention {
	end := min(span.End, len(src))
	lastEnd := -1 // where the previous mention ended
	for i := span.Start; i < end; i++ {
		c := src[i]
		c0 := lower(c)
		cands := m.byFirst[c0]
		if len(cands) == 0 || !m.short[c0] && (i+1 == end || !m.mayFollow(c0, src[i+1])) {
			continue
		}
		// wordBefore sees only the span, so that the answer depends on the
		// span's bytes alone (the memo relies on it). After a slash, a name
		// is part of a path ("app/prisma/schema.prisma") unless the slash
		// joins two names ("Stripe/PayPal").
		if i > span.Start && (wordBefore(src[span.Start:], i-span.Start) || src[i-1] == '-' || src[i-1] == '.' || src[i-1] == '@' || src[i-1] == '/' && lastEnd != i-1) {
			continue
		}
		for _, a := range cands {
			n := len(a.text)
			if i+n > end || !matchAt(src[i:i+n], a) {
				continue
			}
			if i+n < end && wordAfter(src, i+n) {
				continue
			}
			if inURL(src, span, i) {
				break
			}
			out = append(out, Mention{Span: Span{i, i + n}, Tech: a.tech, Block: block})
			lastEnd = i + n
			i += n - 1
			break
		}
	}
	return out
}

// mayFollow reports whether an alias starting with c0 can have b as its
// second byte (as written, or lower-cased).
func (m *Matcher) mayFollow(c0, b byte) bool {
	set := &m.second[c0]
	lb := lower(b)
	return set[b/64]&(1<<(b%64)) != 0 || set[lb/64]&(1<<(lb%64)) != 0
}

func matchAt(b []byte, a alias) bool {
	if a.exact {
		return string(b) == a.text
	}
	for j := 0; j < len(b); j++ {
		if lower(b[j]) != a.text[j] {
			return false
		}
	}
	return true
}

// inURL reports whether offset i sits inside a whitespace-delimited token
// that looks like a URL or a file path.
func inURL(src []byte, span Span, i int) bool {
	s := i
	lo := max(span.Start, i-contextWindow)
	for s > lo && src[s-1] != ' ' && src[s-1] != '\t' && src[s-1] != '\n' && src[s-1] != '(' {
		s--
	}
	tok := src[s:i]
	return strings.Contains(string(tok), "://") || strings.HasPrefix(string(tok), "www.")
}
