package analysis

import (
	"bytes"
	"sort"
	"strings"
)

// Stack origins: where a StackEntry was chosen.
const (
	OriginConstitution = "constitution"
	OriginPlan         = "plan"
	OriginDocument     = "document"
)

// declRe matches a line that declares something: a list item or a field
// ("**Storage**: Neon", "Backend: FastAPI", "| Auth | Better Auth |").
var declRe = mustRx(`^\s*(?:[-*+]\s+|\d+[.)]\s+|\|)?\s*(?:\*\*|__)?[\p{L}][\p{L}0-9 /&()+.-]{1,40}(?:\*\*|__)?\s*(?:\*\*)?\s*[:：|]`)

// ExtractStack reads the technologies that a constitution or plan chooses:
// every technology it names in prose (lists, tables, fields, sentences) that
// is not excluded as a rejected alternative, a negation or a template
// placeholder. HTML comments and code are not read. An unfilled template
// chooses nothing.
func (e *Env) ExtractStack(path string, src []byte) *Stack {
	d := Parse(src)
	var ms []Mention
	for b := range d.Blocks {
		blk := &d.Blocks[b]
		if blk.Kind == KindCode || blk.Kind == KindHTML {
			continue
		}
		for _, run := range blk.Text {
			start := len(ms)
			ms = e.Matcher.Find(d.Src, run, b, ms)
			for i := start; i < len(ms); i++ {
				ms[i].Excluded = d.Exclusion(b, ms[i].Span)
			}
		}
	}
	ms = append(ms, e.codeSpanMentions(d)...)
	return e.stackFrom(d, NewLineIndex(src), ms, path, OriginDocument)
}

// codeSpanRe finds an inline code span.
var codeSpanRe = mustRx("`([^`\n]{1,80})`")

// codeSpanMentions returns the technologies that prose names as a package in
// an inline code span (`typeorm`, `@prisma/client`, `@nestjs/typeorm`): a
// dependency list chooses them as much as their names in prose would. They
// are for the stack only: code spans join no explicit pair.
func (e *Env) codeSpanMentions(d *Doc) []Mention {
	var out []Mention
	for b := range d.Blocks {
		blk := &d.Blocks[b]
		if blk.Kind == KindCode || blk.Kind == KindHTML || len(blk.Text) == 0 || !bytes.Contains(d.Src[blk.Span.Start:blk.Span.End], []byte("`")) {
			continue
		}
		for _, loc := range d.findAllSub(codeSpanRe, d.Src[blk.Span.Start:blk.Span.End], blk.Span.Start) {
			sp := Span{blk.Span.Start + loc[2], blk.Span.Start + loc[3]}
			id, ok := e.packageTech(string(d.Src[sp.Start:sp.End]))
			if !ok {
				continue
			}
			out = append(out, Mention{Span: sp, Tech: id, Block: b, Excluded: d.Exclusion(b, sp)})
		}
	}
	return out
}

// packageTech resolves a package name ("typeorm", "@nestjs/typeorm",
// "@prisma/client", "next-auth@beta") to a technology.
func (e *Env) packageTech(name string) (string, bool) {
	name = strings.TrimSpace(name)
	if i := strings.LastIndexByte(name, '@'); i > 0 {
		name = name[:i] // a version
	}
	if strings.ContainsAny(name, " .:=(){}<>") {
		return "", false // code, a path or a call, not a package
	}
	cands := []string{name}
	if strings.HasPrefix(name, "@") {
		if i := strings.IndexByte(name, '/'); i > 0 {
			cands = append(cands, name[i+1:], name[1:i])
		}
	} else if strings.Contains(name, "/") {
		return "", false
	}
	for _, c := range cands {
		if id, ok := e.Catalog.ResolveName(c); ok {
			return id, true
		}
	}
	return "", false
}

// stackFrom builds a stack from the mentions of a parsed document.
func (e *Env) stackFrom(d *Doc, li *LineIndex, ms []Mention, path, origin string) *Stack {
	s := &Stack{Source: path}
	idx := map[string]int{}
	// A section about a future phase or a rejected option chooses nothing.
	off := d.setAsideSections()
	for _, m := range ms {
		if m.Excluded != "" || off[d.Blocks[m.Block].Section] {
			continue
		}
		t, ok := e.Catalog.Lookup(m.Tech)
		if !ok {
			continue
		}
		weight := 1
		ls := lineStart(d.Src, m.Span.Start)
		if blk := d.Blocks[m.Block]; blk.Kind == KindTableRow || blk.ListDepth > 0 || d.match(declRe, d.Src[ls:m.Span.Start], ls) {
			weight = 3
		}
		if i, ok := idx[m.Tech]; ok {
			s.Entries[i].Score += weight
			continue
		}
		idx[m.Tech] = len(s.Entries)
		s.Entries = append(s.Entries, StackEntry{
			Tech: m.Tech, Role: t.Role, Path: path, Line: li.Line(m.Span.Start),
			Span: m.Span, Score: weight, Origin: origin,
		})
	}
	return s
}

// Stack returns the stack the document chooses itself.
func (r *Result) Stack(e *Env, path string) *Stack {
	ms := append(r.Mentions[:len(r.Mentions):len(r.Mentions)], e.codeSpanMentions(r.Doc)...)
	return e.stackFrom(r.Doc, r.Lines, ms, path, OriginDocument)
}

// For returns the entry the stack uses for role: the one with the highest
// score, the earliest on a tie. ok is false when the role is unfilled.
func (s *Stack) For(role Role) (StackEntry, bool) {
	if s == nil {
		return StackEntry{}, false
	}
	// By index: it runs for every cue of every requirement, and an entry
	// is a large struct to copy.
	best := -1
	for i := range s.Entries {
		en := &s.Entries[i]
		if en.Role != role || s.wrapped(en.Tech) {
			continue
		}
		if best < 0 {
			best = i
			continue
		}
		b := &s.Entries[best]
		if rankOrigin(en.Origin) < rankOrigin(b.Origin) || rankOrigin(en.Origin) == rankOrigin(b.Origin) && en.Score > b.Score {
			best = i
		}
	}
	if best < 0 {
		return StackEntry{}, false
	}
	b := &s.Entries[best]
	// "Supabase (PostgreSQL)": the platform that runs the engine is the
	// choice; the engine names what it runs.
	for i := range s.Entries {
		en := &s.Entries[i]
		if en.Role == role && hostedEngine[en.Tech] == b.Tech && rankOrigin(en.Origin) <= rankOrigin(b.Origin) {
			return *en, true
		}
	}
	return *b, true
}

// hostedEngine names the database engine a platform runs: Supabase is a
// PostgreSQL, so the two are one database, not two technologies that meet.
var hostedEngine = map[string]string{"supabase": "postgresql"}

// samePlatform reports whether a and b (canonical ids) are a platform and
// the engine it runs.
func samePlatform(a, b string) bool {
	return hostedEngine[a] == b || hostedEngine[b] == a
}

// wrappers lists, for a technology, the ones that build on it and so play
// its role in its place: React inside Next.js, Vite under React, SQLAlchemy
// under SQLModel.
var wrappers = map[string][]string{
	"react": {"nextjs"},
	// SQLModel is built on SQLAlchemy: named together, SQLAlchemy is its
	// engine, not a second ORM.
	"sqlalchemy": {"sqlmodel"},
	"vite":       {"react", "nextjs", "vue", "sveltekit"},
}

// wrapped is wrappedBy over the stack's entries. For is called for every
// requirement cue, so it scans the few entries rather than building a set.
func (s *Stack) wrapped(tech string) bool {
	for _, w := range wrappers[tech] {
		for i := range s.Entries {
			if s.Entries[i].Tech == w {
				return true
			}
		}
	}
	return false
}

func wrappedBy(tech string, have map[string]bool) bool {
	for _, w := range wrappers[tech] {
		if have[w] {
			return true
		}
	}
	return false
}

func rankOrigin(o string) int {
	switch o {
	case OriginConstitution:
		return 0
	case OriginPlan:
		return 1
	}
	return 2
}

// Has reports whether the stack chooses tech (or a technology it folds into,
// such as Neon for PostgreSQL).
func (s *Stack) Has(c *Catalog, tech string) (StackEntry, bool) {
	if s == nil {
		return StackEntry{}, false
	}
	for _, en := range s.Entries {
		if en.Tech == tech {
			return en, true
		}
	}
	for _, en := range s.Entries {
		if c.Canonical(en.Tech) == c.Canonical(tech) {
			return en, true
		}
	}
	return StackEntry{}, false
}

// Merge returns a stack holding s's entries then o's entries for technologies
// s does not have. Neither input is modified. Source and notes are s's.
func (s *Stack) Merge(o *Stack) *Stack {
	if s == nil && o == nil {
		return nil
	}
	out := &Stack{}
	if s != nil {
		*out = *s
		out.Entries = append([]StackEntry(nil), s.Entries...)
	}
	if o == nil {
		return out
	}
	have := map[string]bool{}
	for _, en := range out.Entries {
		have[en.Tech] = true
	}
	for _, en := range o.Entries {
		if !have[en.Tech] {
			out.Entries = append(out.Entries, en)
		}
	}
	return out
}

// WithOrigin returns a copy of s whose entries are marked as chosen by origin.
func (s *Stack) WithOrigin(origin string) *Stack {
	if s == nil {
		return nil
	}
	out := *s
	out.Entries = append([]StackEntry(nil), s.Entries...)
	for i := range out.Entries {
		out.Entries[i].Origin = origin
	}
	return &out
}

// Techs returns the ids of the entries, sorted.
func (s *Stack) Techs() []string {
	if s == nil {
		return nil
	}
	var ids []string
	for _, en := range s.Entries {
		ids = append(ids, en.Tech)
	}
	sort.Strings(ids)
	return ids
}

// lineText returns the text of the line holding off, trimmed.
func lineText(src []byte, off int) []byte {
	return bytes.TrimSpace(src[lineStart(src, off):lineEnd(src, off)])
}
