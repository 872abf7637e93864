// Package patterns parses integration-pattern files: Markdown in the Output
// Format of the integration-pattern-finder skill (see references/FORMAT.md),
// and checks them against the skill's checklist. It knows nothing about
// editors or about how integration points are found.
package patterns

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Pattern is one `### Pattern:` section of a pattern file.
type Pattern struct {
	ID       string // "<file stem>/<slug of Name>"
	Name     string
	From, To string // technology ids of the file's pair
	Keywords []string
	UseCase  string
	Flow     []string
	Code     []CodeBlock
	Gotchas  []string
	Sources  []string
	TradeOff string
	// Markdown is the section's source text, from its `### Pattern:` line to
	// the end of the section, with "\n" line endings.
	Markdown string
	File     string // path of the pattern file ("references/x.md" for built-ins)
	Line     int    // 0-based line of the `### Pattern:` heading in File
	Builtin  bool
}

// CodeBlock is a fenced code example.
type CodeBlock struct {
	Lang string
	Code string
}

// File is a parsed pattern file: one pair, several patterns.
type File struct {
	Path     string
	From, To string
	Heading  string // text of the `## Integration:` heading
	Keywords []string
	Patterns []*Pattern
	Problems []Problem
	// Refused is set when the file was not read (it resolves outside the
	// workspace, or cannot be read): Problems say why, about the file, not
	// its text.
	Refused bool
}

// Problem is a checklist failure, located by 0-based line in its file.
type Problem struct {
	Line    int
	Message string
}

var (
	// The keywords in any case: "## integration: A → B" is meant the same.
	integrationRe = regexp.MustCompile(`^#{1,6}\s+(?i:integration):\s*(.+?)\s*#*\s*$`)
	patternRe     = regexp.MustCompile(`^#{1,6}\s+(?i:pattern):\s*(.+?)\s*#*\s*$`)
	labelRe       = regexp.MustCompile(`^\*\*([A-Za-z][A-Za-z /-]*?)\*\*\s*:?\s*(.*)$`)
	fenceRe       = regexp.MustCompile("^ {0,3}(`{3,}|~{3,})\\s*([^`\\s]*)")
	urlRe         = regexp.MustCompile(`https?://[^\s)>\]]+|\S+://\S+`)
)

// Slug turns a pattern name into an id fragment.
func Slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	return strings.TrimRight(b.String(), "-")
}

// splitFrontMatter returns the key: value pairs of a leading `---` block and
// the number of lines it spans; on error, the 0-based line of the problem.
func splitFrontMatter(lines []string) (fm map[string]string, n, errLine int, err error) {
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return nil, 0, 0, nil
	}
	fm = map[string]string{}
	for i := 1; i < len(lines); i++ {
		l := strings.TrimSpace(lines[i])
		if l == "---" {
			return fm, i + 1, 0, nil
		}
		if l == "" || strings.HasPrefix(l, "#") {
			continue
		}
		k, v, ok := strings.Cut(l, ":")
		if !ok {
			return nil, 0, i, fmt.Errorf("front matter line %d: want `key: value`, got %q", i+1, l)
		}
		fm[strings.TrimSpace(strings.ToLower(k))] = strings.TrimSpace(v)
	}
	return nil, 0, 0, fmt.Errorf("front matter starting on line 1 is not closed by `---`")
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(strings.Trim(s, "[]"), ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, strings.ToLower(p))
		}
	}
	return out
}

// Lines splits src into lines without their terminators (CRLF, LF or CR).
func Lines(src string) []string {
	src = strings.TrimPrefix(src, "\uFEFF")
	src = strings.ReplaceAll(src, "\r\n", "\n")
	src = strings.ReplaceAll(src, "\r", "\n")
	return strings.Split(src, "\n")
}

// ParseFile parses one pattern file. A file that cannot be used at all
// (broken front matter, no pair) is returned with Problems and no patterns.
func ParseFile(filePath, src string) *File {
	f := &File{Path: filePath}
	lines := Lines(src)
	fm, start, errLine, err := splitFrontMatter(lines)
	if err != nil {
		f.Problems = append(f.Problems, Problem{errLine, err.Error()})
		return f
	}
	if fm == nil {
		f.Problems = append(f.Problems, Problem{0, "pattern file has no front matter: add `---`, `from: <id>`, `to: <id>`, `---` at the top"})
		return f
	}
	f.From, f.To = strings.TrimSpace(fm["from"]), strings.TrimSpace(fm["to"])
	f.Keywords = splitList(fm["keywords"])
	if f.From == "" || f.To == "" {
		f.Problems = append(f.Problems, Problem{0, "front matter needs both `from` and `to` technology ids"})
		return f
	}
	stem := strings.TrimSuffix(path.Base(filePath), path.Ext(filePath))
	for _, s := range ParseSections(lines[start:]) {
		s.Line += start
		for i := range s.Problems {
			s.Problems[i].Line += start
		}
		if s.Integration != "" && f.Heading == "" {
			f.Heading = s.Integration
		}
		if s.Pattern == nil {
			continue
		}
		p := s.Pattern
		p.Line = s.Line
		p.ID = stem + "/" + Slug(p.Name)
		p.From, p.To, p.Keywords, p.File = f.From, f.To, f.Keywords, filePath
		f.Patterns = append(f.Patterns, p)
		f.Problems = append(f.Problems, s.Problems...)
	}
	if f.Heading == "" {
		f.Problems = append(f.Problems, Problem{start, "pattern file has no `## Integration: A → B` heading"})
	}
	if len(f.Patterns) == 0 {
		f.Problems = append(f.Problems, Problem{start, "pattern file has no `### Pattern:` section"})
	}
	return f
}

// Section is a `### Pattern:` section found in any Markdown document, or an
// `## Integration:` heading (Pattern nil).
type Section struct {
	Integration     string // heading text after "Integration:" (nearest above)
	IntegrationLine int
	Pattern         *Pattern
	Line            int // 0-based line of the heading
	EndLine         int // exclusive
	Problems        []Problem
}

// ParseSections finds the `## Integration:` headings and `### Pattern:`
// sections of a document given as lines, and checks each pattern against
// the checklist. Headings inside fenced code are ignored.
func ParseSections(lines []string) []Section {
	return ParseSectionsOf(lines, nil)
}

// ParseSectionsOf is ParseSections for a document whose headings the caller
// has parsed: a line that reads as a heading but for which isHeadingLine(i) is
// false (one inside an HTML comment or block, or in the front matter) is
// text, and neither starts nor ends a section. A nil isHeadingLine accepts
// every line.
func ParseSectionsOf(lines []string, isHeadingLine func(i int) bool) []Section {
	if isHeadingLine == nil {
		isHeadingLine = func(int) bool { return true }
	}
	var out []Section
	var cur *Section
	integration, integrationLine := "", -1
	fence := ""
	var code *CodeBlock
	label := ""
	closeCur := func(end int) {
		if cur == nil {
			return
		}
		cur.EndLine = end
		finish(cur, lines)
		out = append(out, *cur)
		cur = nil
	}
	skip := -1
	for i, line := range lines {
		if i == skip {
			continue
		}
		if fence != "" {
			if isFenceClose(line, fence) {
				fence = ""
				if cur != nil && code != nil {
					cur.Pattern.Code = append(cur.Pattern.Code, *code)
				}
				code = nil
				continue
			}
			if code != nil {
				code.Code += line + "\n"
			}
			continue
		}
		// Cheap checks first: the expressions would run on every line.
		if m := matchIf(mayFence(line), fenceRe, line); m != nil && !backtickInInfo(line, m[1]) {
			fence = m[1]
			if cur != nil {
				code = &CodeBlock{Lang: m[2]}
				if code.Lang == "" {
					cur.Problems = append(cur.Problems, Problem{i, "code fence without a language tag: add one (```ts, ```python …) so readers and tools know what it is"})
				}
			}
			continue
		}
		may := isHeadingLine(i)
		heading := may && strings.HasPrefix(line, "#")
		m := matchIf(heading, integrationRe, line)
		if m == nil && may && !heading && setextIntegration(lines, i) {
			m = integrationRe.FindStringSubmatch("## " + strings.TrimLeft(line, " "))
			skip = i + 1 // the underline
		}
		if m != nil {
			closeCur(i)
			integration, integrationLine = m[1], i
			out = append(out, Section{Integration: integration, IntegrationLine: i, Line: i, EndLine: i + 1})
			continue
		}
		if m := matchIf(heading, patternRe, line); m != nil {
			closeCur(i)
			cur = &Section{Integration: integration, IntegrationLine: integrationLine, Line: i, Pattern: &Pattern{Name: m[1], Line: i}}
			label = ""
			continue
		}
		if cur != nil && may && isHeading(line) {
			// Any other heading of the same or a higher level ends the section.
			if headingLevel(line) <= headingLevel(lines[cur.Line]) {
				closeCur(i)
				continue
			}
		}
		if cur == nil {
			continue
		}
		p := cur.Pattern
		if m := labelRe.FindStringSubmatch(strings.TrimSpace(line)); m != nil {
			label = strings.ToLower(strings.TrimSpace(m[1]))
			rest := strings.TrimSpace(m[2])
			switch label {
			case "use case":
				p.UseCase = rest
			case "official source", "official sources", "source", "sources":
				label = "source"
				p.Sources = append(p.Sources, urls(rest)...)
				if rest != "" && len(urls(rest)) == 0 {
					p.Sources = append(p.Sources, rest)
				}
			case "trade-off", "tradeoff", "trade-offs":
				label = "trade-off"
				p.TradeOff = rest
			}
			continue
		}
		t := strings.TrimSpace(line)
		if t == "" {
			continue
		}
		switch label {
		case "use case":
			p.UseCase = strings.TrimSpace(p.UseCase + " " + t)
		case "flow":
			p.Flow = append(p.Flow, trimItem(t))
		case "gotchas":
			if isItem(t) {
				p.Gotchas = append(p.Gotchas, trimItem(t))
			} else if n := len(p.Gotchas); n > 0 {
				p.Gotchas[n-1] += " " + t
			}
		case "source":
			if u := urls(t); len(u) > 0 {
				p.Sources = append(p.Sources, u...)
			} else {
				p.Sources = append(p.Sources, trimItem(t))
			}
		case "trade-off":
			p.TradeOff = strings.TrimSpace(p.TradeOff + " " + t)
		}
	}
	closeCur(len(lines))
	return out
}

// MayHaveSections reports whether ParseSections can find a section in src:
// false when no line is an `Integration:` or `Pattern:` heading, which is
// most documents, sparing them the split into lines.
func MayHaveSections(src []byte) bool {
	// The keywords are matched in any case, as ParseSections reads them:
	// each colon is looked at, and the word before it.
	words := [2][]byte{[]byte("integration"), []byte("pattern")}
	for at := 0; at < len(src); {
		c := bytes.IndexByte(src[at:], ':')
		if c < 0 {
			return false
		}
		c += at
		at = c + 1
		for w, word := range words {
			i := c - len(word)
			if i < 0 || !bytes.EqualFold(src[i:c], word) {
				continue
			}
			ls := max(bytes.LastIndexByte(src[:i], '\n'), bytes.LastIndexByte(src[:i], '\r')) + 1
			prefix := bytes.TrimPrefix(src[ls:i], []byte("\uFEFF"))
			hashes := len(prefix) - len(bytes.TrimLeft(prefix, "#"))
			space := prefix[hashes:]
			if hashes >= 1 && hashes <= 6 && len(space) > 0 && len(bytes.Trim(space, " \t\f")) == 0 {
				return true
			}
			// A setext heading's text starts its line (ParseSections decides).
			if hashes == 0 && len(prefix) <= 3 && len(bytes.Trim(prefix, " ")) == 0 && w == 0 {
				return true
			}
		}
	}
	return false
}

// backtickInInfo reports whether line, which starts with the fence run
// (after up to three spaces), is a run of backticks with a backtick after
// it: no fence in CommonMark ("```npm install``` first." is inline code).
func backtickInInfo(line, run string) bool {
	if run[0] != '`' {
		return false
	}
	t := strings.TrimLeft(line, " ")
	return strings.Contains(t[len(run):], "`")
}

// matchIf is re.FindStringSubmatch(line) when may holds, else nil.
func matchIf(may bool, re *regexp.Regexp, line string) []string {
	if !may {
		return nil
	}
	return re.FindStringSubmatch(line)
}

// mayFence reports whether line can open a fence: up to three spaces, then
// three backticks or tildes.
func mayFence(line string) bool {
	for i := 0; i < 3 && strings.HasPrefix(line, " "); i++ {
		line = line[1:]
	}
	return strings.HasPrefix(line, "```") || strings.HasPrefix(line, "~~~")
}

func finish(s *Section, lines []string) {
	p := s.Pattern
	end := s.EndLine
	for end > s.Line+1 && strings.TrimSpace(lines[end-1]) == "" {
		end--
	}
	p.Markdown = strings.Join(lines[s.Line:end], "\n") + "\n"
	var missing []string
	if p.UseCase == "" {
		missing = append(missing, "Use Case")
	}
	if len(p.Flow) == 0 {
		missing = append(missing, "Flow")
	}
	if len(p.Code) == 0 {
		missing = append(missing, "Code Example")
	}
	if len(p.Gotchas) == 0 {
		missing = append(missing, "Gotchas")
	}
	if len(p.Sources) == 0 {
		missing = append(missing, "Official Source")
	}
	if len(missing) > 0 {
		s.Problems = append(s.Problems, Problem{s.Line, fmt.Sprintf("pattern %q is missing %s (the checklist asks for Use Case, Flow, Code Example, Gotchas and Official Source)", p.Name, strings.Join(missing, ", "))})
	}
	for _, c := range p.Code {
		if strings.TrimSpace(c.Code) == "" {
			s.Problems = append(s.Problems, Problem{s.Line, fmt.Sprintf("pattern %q has an empty code example", p.Name)})
		}
	}
	for _, src := range p.Sources {
		if !strings.HasPrefix(src, "https://") {
			s.Problems = append(s.Problems, Problem{sourceLine(lines, s), fmt.Sprintf("official source %q is not an https URL: cite the official documentation page", src)})
		}
	}
}

func sourceLine(lines []string, s *Section) int {
	for i := s.Line; i < s.EndLine; i++ {
		if strings.Contains(strings.ToLower(lines[i]), "source") && strings.HasPrefix(strings.TrimSpace(lines[i]), "**") {
			return i
		}
	}
	return s.Line
}

// urls returns the URLs in s without the punctuation that ends a sentence or
// separates a list ("a, b." must not give "a,").
func urls(s string) []string {
	out := urlRe.FindAllString(s, -1)
	for i, u := range out {
		out[i] = strings.TrimRight(u, ".,;:!?'\"")
	}
	return out
}

func isItem(t string) bool {
	return strings.HasPrefix(t, "- ") || strings.HasPrefix(t, "* ") || strings.HasPrefix(t, "+ ") || trimItem(t) != t
}

func trimItem(t string) string {
	for _, p := range []string{"- ", "* ", "+ "} {
		if strings.HasPrefix(t, p) {
			return strings.TrimSpace(t[len(p):])
		}
	}
	i := 0
	for i < len(t) && t[i] >= '0' && t[i] <= '9' {
		i++
	}
	if i > 0 && i+1 < len(t) && (t[i] == '.' || t[i] == ')') && t[i+1] == ' ' {
		return strings.TrimSpace(t[i+2:])
	}
	return t
}

func isHeading(line string) bool { return headingLevel(line) > 0 }

// hasPrefixFold is strings.HasPrefix ignoring case.
func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// setextIntegration reports whether lines[i] is an "Integration: A → B"
// heading written setext-style, underlined with = or -: a paragraph of that
// one line (a line before it would make the heading's text longer) whose
// next line is the underline.
func setextIntegration(lines []string, i int) bool {
	line := lines[i]
	if i+1 >= len(lines) || len(line)-len(strings.TrimLeft(line, " ")) > 3 ||
		!hasPrefixFold(strings.TrimLeft(line, " "), "Integration:") {
		return false
	}
	if i > 0 && strings.TrimSpace(lines[i-1]) != "" && !isHeading(lines[i-1]) {
		return false
	}
	u := strings.TrimRight(strings.TrimLeft(lines[i+1], " "), " \t\r")
	if len(lines[i+1])-len(strings.TrimLeft(lines[i+1], " ")) > 3 || u == "" {
		return false
	}
	return strings.Trim(u, "=") == "" || strings.Trim(u, "-") == ""
}

func headingLevel(line string) int {
	n := 0
	for n < len(line) && n < 7 && line[n] == '#' {
		n++
	}
	if n == 0 || n > 6 || (n < len(line) && line[n] != ' ' && line[n] != '\t') {
		return 0
	}
	return n
}

func isFenceClose(line, fence string) bool {
	t := strings.TrimLeft(line, " ")
	if len(line)-len(t) > 3 || !strings.HasPrefix(t, fence[:1]) {
		return false
	}
	n := 0
	for n < len(t) && t[n] == fence[0] {
		n++
	}
	return n >= len(fence) && strings.TrimSpace(t[n:]) == ""
}

// Library is an immutable set of patterns, indexed by id and by pair.
type Library struct {
	Files   []*File
	byID    map[string]*Pattern
	ordered []*Pattern
	// byPair holds ForPair's answers, by the pair in either order: the
	// analysis asks for every point of every keystroke.
	byPair map[[2]string][]*Pattern
}

// NewLibrary merges files in order; a later pattern with the same id replaces
// an earlier one (a workspace pack overrides the built-in library).
func NewLibrary(files ...*File) *Library {
	l := &Library{byID: map[string]*Pattern{}}
	for _, f := range files {
		l.Files = append(l.Files, f)
		for _, p := range f.Patterns {
			if _, ok := l.byID[p.ID]; !ok {
				l.ordered = append(l.ordered, p)
			} else {
				for i, q := range l.ordered {
					if q.ID == p.ID {
						l.ordered[i] = p
					}
				}
			}
			l.byID[p.ID] = p
		}
	}
	l.byPair = map[[2]string][]*Pattern{}
	for _, p := range l.ordered {
		l.byPair[[2]string{p.From, p.To}] = append(l.byPair[[2]string{p.From, p.To}], p)
		if p.From != p.To {
			l.byPair[[2]string{p.To, p.From}] = append(l.byPair[[2]string{p.To, p.From}], p)
		}
	}
	return l
}

// LoadFS parses every *.md file (except FORMAT.md and README.md) in dir of fsys.
func LoadFS(fsys fs.FS, dir string, builtin bool) ([]*File, error) {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return nil, fmt.Errorf("reading pattern folder %s: %w", dir, err)
	}
	var files []*File
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".md") || name == "FORMAT.md" || name == "README.md" {
			continue
		}
		p := path.Join(dir, name)
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return nil, fmt.Errorf("reading pattern file %s: %w", p, err)
		}
		f := ParseFile(p, string(b))
		for _, pt := range f.Patterns {
			pt.Builtin = builtin
		}
		files = append(files, f)
	}
	return files, nil
}

// Get returns the pattern with the given id.
func (l *Library) Get(id string) (*Pattern, bool) {
	p, ok := l.byID[id]
	return p, ok
}

// All returns every pattern in load order.
func (l *Library) All() []*Pattern { return l.ordered }

// ForPair returns the patterns for the unordered pair {a, b}, in library
// order. The slice is the library's: callers must not modify it.
func (l *Library) ForPair(a, b string) []*Pattern {
	return l.byPair[[2]string{a, b}]
}

// Pairs returns the distinct pairs of the library as "from→to" keys, sorted.
func (l *Library) Pairs() [][2]string {
	seen := map[[2]string]bool{}
	var out [][2]string
	for _, p := range l.ordered {
		k := [2]string{p.From, p.To}
		if !seen[k] {
			seen[k] = true
			out = append(out, k)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i][0] != out[j][0] {
			return out[i][0] < out[j][0]
		}
		return out[i][1] < out[j][1]
	})
	return out
}

// Pack is the result of loading a folder of workspace pattern files.
type Pack struct {
	// Files are the usable pattern files (they may still have checklist
	// problems).
	Files []*File
	// Broken are files that look like pattern files (they have front
	// matter) but yield no pattern: they are skipped, and their Problems
	// say why. Path is the file's path on disk.
	Broken []*File
}

// LoadDir loads the pattern files of folder (relative to root, or absolute
// inside root). It refuses a folder or file that resolves outside root
// through `..` or a symbolic link: the folder is an error, a file is
// reported in Broken. A file without front matter is not a pattern file and
// is skipped silently (a README, notes); a missing folder is an empty pack.
// Paths in the result are absolute.
func LoadDir(root, folder string) (*Pack, error) {
	pack := &Pack{}
	realRoot, err := filepath.EvalSymlinks(root)
	if err != nil {
		return pack, fmt.Errorf("pattern folder root %s: %w", root, err)
	}
	dir := folder
	if !filepath.IsAbs(dir) {
		dir = filepath.Join(root, filepath.FromSlash(folder))
	}
	if !within(root, dir) {
		return pack, fmt.Errorf("pattern folder %s is outside the workspace %s: skipped", folder, root)
	}
	realDir, err := filepath.EvalSymlinks(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return pack, nil
	}
	if err != nil {
		return pack, fmt.Errorf("pattern folder %s: %w", dir, err)
	}
	if !within(realRoot, realDir) {
		return pack, fmt.Errorf("pattern folder %s resolves to %s, outside the workspace %s: skipped", folder, realDir, root)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		return pack, fmt.Errorf("reading pattern folder %s: %w", dir, err)
	}
	for _, e := range entries {
		name := e.Name()
		if e.IsDir() || !strings.HasSuffix(name, ".md") || name == "FORMAT.md" || name == "README.md" {
			continue
		}
		p := filepath.Join(dir, name)
		if real, err := filepath.EvalSymlinks(p); err != nil || !within(realRoot, real) {
			pack.Broken = append(pack.Broken, &File{Path: p, Refused: true, Problems: []Problem{{0, "pattern file resolves outside the workspace (symbolic link): skipped"}}})
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			pack.Broken = append(pack.Broken, &File{Path: p, Refused: true, Problems: []Problem{{0, fmt.Sprintf("reading pattern file: %v", err)}}})
			continue
		}
		if !IsPatternFile(string(b)) {
			continue
		}
		f := ParseFile(p, string(b))
		if len(f.Patterns) == 0 {
			pack.Broken = append(pack.Broken, f)
			continue
		}
		pack.Files = append(pack.Files, f)
	}
	return pack, nil
}

// IsPatternFile reports whether src claims to be a pattern file: it starts
// with front matter (well-formed or not) that names `from` or `to`.
func IsPatternFile(src string) bool {
	lines := Lines(src)
	if len(lines) == 0 || strings.TrimSpace(lines[0]) != "---" {
		return false
	}
	for _, l := range lines[1:] {
		t := strings.TrimSpace(l)
		if t == "---" {
			return false
		}
		k, _, _ := strings.Cut(strings.ToLower(t), ":")
		if k = strings.TrimSpace(k); k == "from" || k == "to" {
			return true
		}
	}
	return false
}

// within reports whether path is root or below it (lexically).
func within(root, path string) bool {
	rel, err := filepath.Rel(filepath.Clean(root), filepath.Clean(path))
	return err == nil && rel != ".." && !strings.HasPrefix(rel, ".."+string(filepath.Separator)) && !filepath.IsAbs(rel)
}
