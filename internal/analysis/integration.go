package analysis

import (
	"bytes"
	"html"
	"regexp"

	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
	"sort"
	"strings"
)

// IntegrationPoint is a place where two technologies of the stack must
// integrate.
type IntegrationPoint struct {
	From, To string // technology ids, in the direction of the data flow
	Span     Span   // what the diagnostic covers
	Block    int
	Section  int
	Patterns []string // pattern ids, best match first
	// Documented is set when the document already holds an
	// `## Integration:` heading or `### Pattern:` section for the pair.
	Documented bool
	// Reason names why a point was inferred from the stack rather than
	// written ("FR-004"); empty for explicit points.
	Reason  string
	Related []Related
}

// Related points at another place that explains a finding, such as the
// constitution line that chose a technology.
type Related struct {
	Path    string // file path; "" means the same document
	Line    int    // 0-based line in Path
	Span    Span   // byte span in Path's content (when known)
	Message string
}

// roleRank orders roles along the usual data flow, so a pair reads
// "Better Auth → FastAPI → SQLModel → PostgreSQL".
var roleRank = map[Role]int{
	RoleFrontend: 0, RoleData: 1, RoleAPI: 2, RoleAuth: 3, RoleJWT: 4, RoleBackend: 5,
	RoleQueue: 6, RoleCache: 7, RoleMigrate: 8, RoleORM: 9, RoleDatabase: 10,
	RolePayments: 11, RoleEmail: 11, RoleStorage: 11, RoleAI: 11, RoleHosting: 12,
}

// integrates lists the role pairs that form an integration point. A JWT
// library (PyJWT, python-jose) is not in it: it is a part of the service that
// verifies tokens, not a boundary between two components.
var integrates = map[[2]Role]bool{}

func init() {
	for _, p := range [][2]Role{
		{RoleFrontend, RoleAuth}, {RoleAuth, RoleBackend}, {RoleFrontend, RoleBackend},
		{RoleBackend, RoleORM}, {RoleORM, RoleDatabase}, {RoleBackend, RoleDatabase},
		{RoleMigrate, RoleORM}, {RoleMigrate, RoleDatabase}, {RoleAuth, RoleDatabase}, {RoleAuth, RoleORM},
		{RoleBackend, RolePayments}, {RoleFrontend, RolePayments}, {RoleAuth, RolePayments},
		{RoleBackend, RoleEmail}, {RoleAuth, RoleEmail}, {RoleFrontend, RoleEmail},
		{RoleFrontend, RoleStorage}, {RoleBackend, RoleStorage},
		{RoleBackend, RoleQueue}, {RoleQueue, RoleCache}, {RoleBackend, RoleCache},
		{RoleFrontend, RoleAPI}, {RoleAPI, RoleBackend}, {RoleAPI, RoleData},
		{RoleData, RoleFrontend}, {RoleData, RoleBackend},
		{RoleHosting, RoleBackend}, {RoleHosting, RoleFrontend},
		{RoleFrontend, RoleDatabase}, {RoleBackend, RoleAI}, {RoleBackend, RoleAuth},
	} {
		integrates[p] = true
		integrates[[2]Role{p[1], p[0]}] = true
	}
}

// CanIntegrate reports whether technologies a and b form an integration
// point by their roles.
func (c *Catalog) CanIntegrate(a, b string) bool {
	ta, ok1 := c.Lookup(a)
	tb, ok2 := c.Lookup(b)
	if !ok1 || !ok2 || c.Canonical(a) == c.Canonical(b) || samePlatform(c.Canonical(a), c.Canonical(b)) {
		return false
	}
	if integrates[[2]Role{ta.Role, tb.Role}] {
		return true
	}
	return false
}

// connectorRe matches what joins two technologies in one sentence.
var connectorRe = mustRx(`(?i)(→|->|=>|⟶|↔|<->|←|<-|⇄|\+|&|\b(with|to|and|via|calls?|verif(?:y|ies|ied)|validat(?:e|es|ed)|through|into|from|against|using|uses|backed by|talks? to|sends?|issues?|integrat\w*|connect\w*|for|on|in|over|by|behind|across)\b)`)

// maxJoin is the most bytes two mentions may be apart and still be read as
// one integration ("Better Auth issues a JWT that FastAPI verifies").
const maxJoin = 120

// orient returns the pair in data-flow order: the direction of a library
// pattern when there is one, else by role.
func (e *Env) orient(a, b string) (string, string) {
	if ps := e.Library.ForPair(a, b); len(ps) > 0 {
		if ps[0].From == b && ps[0].To == a {
			return b, a
		}
		return a, b
	}
	ta, _ := e.Catalog.Lookup(a)
	tb, _ := e.Catalog.Lookup(b)
	if ta != nil && tb != nil && roleRank[tb.Role] < roleRank[ta.Role] {
		return b, a
	}
	return a, b
}

// PatternsFor returns the pattern ids for the pair, best match for text
// first: patterns whose keywords occur in text rank higher. A pair with no
// pattern of its own falls back to the canonical technologies' patterns
// (Neon → PostgreSQL).
func (e *Env) PatternsFor(a, b string, text []byte) []string {
	ps := e.Library.ForPair(a, b)
	if len(ps) == 0 {
		ca, cb := e.Catalog.Canonical(a), e.Catalog.Canonical(b)
		if ca != a || cb != b {
			ps = e.Library.ForPair(ca, cb)
		}
	}
	if len(ps) == 0 {
		return nil
	}
	words := map[string]bool{}
	asciiWords(text, func(w []byte) { words[string(w)] = true })
	type scored struct {
		id    string
		score int
	}
	ss := make([]scored, 0, len(ps))
	for i, p := range ps {
		n := patternScore(p, words, squash(e.Catalog.Name(p.From)+e.Catalog.Name(p.To)+p.From+p.To))
		// One shared word ("token", "session") is too weak a signal to
		// move a reader off the pair's default, which is the safest choice.
		if i > 0 && n < 2 {
			n = 0
		}
		ss = append(ss, scored{p.ID, n})
	}
	// Ties keep library order, so a file's first pattern is the default.
	sort.SliceStable(ss, func(i, j int) bool { return ss[i].score > ss[j].score })
	ids := make([]string, len(ss))
	for i, s := range ss {
		ids[i] = s.id
	}
	return ids
}

// patternScore counts how many of a pattern's distinctive words (from its
// name) occur as words of the requirement text. Use cases are long prose
// whose common words would outvote the default pattern.
// Words naming the pair itself say nothing about which pattern fits.
func patternScore(p *patterns.Pattern, words map[string]bool, pairNames string) int {
	n := 0
	seen := map[string]bool{}
	var names []string
	asciiWords([]byte(p.Name), func(w []byte) { names = append(names, string(w)) })
	for _, w := range names {
		if len(w) < 5 || stopWords[w] || seen[w] || strings.Contains(pairNames, w) {
			continue
		}
		seen[w] = true
		if words[w] {
			n++
		}
	}
	return n
}

var stopWords = map[string]bool{}

// asciiWords calls fn with each word of b — a run of ASCII letters, digits
// and underscores — lowered. It runs for every new integration point, so it
// is a loop rather than an expression; fn must not keep the slice.
func asciiWords(b []byte, fn func(w []byte)) {
	var buf []byte
	for i := 0; i < len(b); {
		j := i
		for j < len(b) && (b[j] >= 'a' && b[j] <= 'z' || b[j] >= 'A' && b[j] <= 'Z' || b[j] >= '0' && b[j] <= '9' || b[j] == '_') {
			j++
		}
		if j == i {
			i++
			continue
		}
		buf = append(buf[:0], b[i:j]...)
		for k, c := range buf {
			if c >= 'A' && c <= 'Z' {
				buf[k] = c + 'a' - 'A'
			}
		}
		fn(buf)
		i = j
	}
}

func init() {
	for _, w := range strings.Fields("server client side with that when from this need your into have each which than then their they them used uses using only also more over same want wants should must will what where while after before every other about these those there here does done make makes made like just one two") {
		stopWords[w] = true
	}
}

// explicitPoints finds pairs of technologies joined in one sentence, list
// item, table row or heading.
func (r *Result) explicitPoints(e *Env) {
	d := r.Doc
	byBlock := map[int][]int{}
	for i, m := range r.Mentions {
		if m.Excluded == "" {
			byBlock[m.Block] = append(byBlock[m.Block], i)
		}
	}
	seen := map[string]bool{}
	for b := range d.Blocks {
		ms := byBlock[b]
		if len(ms) < 2 {
			continue
		}
		blk := &d.Blocks[b]
		for x := 0; x < len(ms); x++ {
			for y := x + 1; y < len(ms); y++ {
				m1, m2 := r.Mentions[ms[x]], r.Mentions[ms[y]]
				if m2.Span.Start-m1.Span.End > maxJoin {
					break
				}
				if !e.Catalog.CanIntegrate(m1.Tech, m2.Tech) {
					continue
				}
				if blk.Kind != KindHeading && blk.Kind != KindTableRow {
					run := d.runOf(b, m1.Span)
					if m2.Span.Start > run.End || sentence(d.Src, run, m1.Span.Start) != sentence(d.Src, run, m2.Span.Start) {
						continue
					}
				}
				// In an enumeration ("Next.js 16+, React 18 + Vite, Express")
				// what joins two items stands after the last comma between
				// them: a "+" inside an earlier item joins that item only.
				between, boff := d.Src[m1.Span.End:m2.Span.Start], m1.Span.End
				if i := bytes.LastIndexByte(between, ','); i >= 0 {
					between, boff = between[i+1:], boff+i+1
				}
				if !d.match(connectorRe, between, boff) {
					continue
				}
				from, to := e.orient(m1.Tech, m2.Tech)
				key := pairKey(e.Catalog, from, to) + "\x00" + itoa(blk.Section)
				if seen[key] {
					r.repeat(IntegrationPoint{From: from, To: to, Span: Span{m1.Span.Start, m2.Span.End}, Block: b, Section: blk.Section}, e)
					continue
				}
				seen[key] = !r.pointSuppressed(r.Lines.Line(m1.Span.Start))
				r.Points = append(r.Points, IntegrationPoint{
					From: from, To: to,
					Span:     Span{m1.Span.Start, m2.Span.End},
					Block:    b,
					Section:  blk.Section,
					Patterns: d.patternsFor(e, from, to, d.textOf(*blk)),
				})
			}
		}
	}
}

// repeat records a point of a pair already reported in the same section:
// it gets no diagnostic (one per pair per section), but editors may show it
// as an inlay hint. One per line and pair.
func (r *Result) repeat(p IntegrationPoint, e *Env) {
	if r.noRepeats {
		return
	}
	k := repeatKey{r.Lines.Line(p.Span.Start), p.From, p.To}
	if r.repeated == nil {
		r.repeated = map[repeatKey]bool{}
	}
	if r.repeated[k] {
		return
	}
	r.repeated[k] = true
	// Repeats of a pair in a section share the ranking of the first
	// repeat: ranking every repeated line again dominated long documents.
	pk := p.From + "\x00" + p.To + "\x00" + itoa(p.Section)
	if r.repeatPatterns == nil {
		r.repeatPatterns = map[string][]string{}
	}
	ps, ok := r.repeatPatterns[pk]
	if !ok {
		ps = r.Doc.patternsFor(e, p.From, p.To, r.Doc.textOf(r.Doc.Blocks[p.Block]))
		r.repeatPatterns[pk] = ps
	}
	p.Patterns = ps
	r.Repeats = append(r.Repeats, p)
}

// repeatKey identifies a repeat: a pair on a line.
type repeatKey struct {
	line     int
	from, to string
}

func itoa(i int) string {
	if i < 0 {
		return "-"
	}
	var b [20]byte
	n := len(b)
	for {
		n--
		b[n] = byte('0' + i%10)
		i /= 10
		if i == 0 {
			break
		}
	}
	return string(b[n:])
}

// pairKey is an order-free key of a pair on canonical ids.
func pairKey(c *Catalog, a, b string) string {
	a, b = c.Canonical(a), c.Canonical(b)
	if a > b {
		a, b = b, a
	}
	return a + "|" + b
}

var arrowSplitRe = mustRx(`\s*(?:→|->|=>|⟶|↔|<->|⇄|\+|&|\band\b|\bto\b|\bwith\b|/)\s*`)

// headingLinkRe matches an inline link, [text](destination "title"), whose
// destination may be in <> or hold balanced parentheses; headingAutolinkRe an
// autolink, <scheme:…>.
var (
	headingLinkRe     = regexp.MustCompile(`\[([^\[\]]*)\]\((?:<[^<>\n]*>|(?:[^()\s]|\([^()\s]*\))*)(?:\s+(?:"[^"]*"|'[^']*'|\([^()]*\)))?\s*\)`)
	headingAutolinkRe = regexp.MustCompile(`<[A-Za-z][A-Za-z0-9+.-]{1,31}:[^<>\s]*>`)
)

// splitHeading splits an integration heading's text into the names between
// its arrows and connectors. A link counts as its text and an autolink as
// nothing: a URL's slashes are no connectors and its parts no technologies.
// A left arrow ('FastAPI ← Better Auth') separates as a right arrow does: a
// pair is documented whichever way it is written.
func splitHeading(h string) []string {
	if strings.Contains(h, "&") {
		// Entities are text: "Better&nbsp;Auth" is one name ("&" would
		// split it), "&rarr;" an arrow.
		h = strings.ReplaceAll(html.UnescapeString(h), "\u00a0", " ")
	}
	if strings.ContainsAny(h, "[<") {
		h = headingLinkRe.ReplaceAllString(h, "$1")
		h = headingAutolinkRe.ReplaceAllString(h, "")
	}
	if strings.ContainsAny(h, "←⟵") {
		h = leftArrows.Replace(h)
	}
	return arrowSplitRe.Split(h, -1)
}

var leftArrows = strings.NewReplacer("←", " → ", "⟵", " → ")

// documentedPairs reads the `## Integration: A → B` headings and
// `### Pattern:` sections of the document.
func (r *Result) documentedPairs(e *Env) map[string]bool {
	out := map[string]bool{}
	for _, s := range r.Sections {
		if s.Integration == "" {
			continue
		}
		for _, p := range e.headingPairs(s.Integration) {
			out[pairKey(e.Catalog, p[0], p[1])] = true
		}
	}
	return out
}

// headingPairs resolves an integration heading's text ("Next.js 16 ↔ Better
// Auth", "FastAPI → SQLModel → Neon") to consecutive technology pairs.
func (e *Env) headingPairs(h string) [][2]string {
	parts := splitHeading(h)
	var ids []string
	for _, p := range parts {
		if id, ok := e.resolveLoose(p); ok {
			ids = append(ids, id)
		}
	}
	var out [][2]string
	for i := 0; i+1 < len(ids); i++ {
		out = append(out, [2]string{ids[i], ids[i+1]})
	}
	return out
}

// resolveLoose resolves a technology name that may carry a version or a
// parenthesis ("Next.js 16 (App Router)").
func (e *Env) resolveLoose(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if i := strings.IndexAny(s, "(["); i > 0 {
		s = strings.TrimSpace(s[:i])
	}
	if id, ok := e.Catalog.ResolveName(s); ok {
		return id, true
	}
	f := strings.Fields(s)
	for len(f) > 1 {
		last := f[len(f)-1]
		if last[0] >= '0' && last[0] <= '9' || last[0] == 'v' && len(last) > 1 && last[1] >= '0' && last[1] <= '9' || strings.HasSuffix(last, "+") {
			f = f[:len(f)-1]
			if id, ok := e.Catalog.ResolveName(strings.Join(f, " ")); ok {
				return id, true
			}
			continue
		}
		break
	}
	ms := e.Matcher.Find([]byte(s), Span{0, len(s)}, 0, nil)
	if len(ms) == 1 {
		return ms[0].Tech, true
	}
	return "", false
}
