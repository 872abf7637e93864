// Package analysis turns a spec document into findings: the technologies it
// names, the integration points between them, the patterns that fit, and the
// anti-patterns it contains. It is pure and editor-free: it takes bytes and
// returns values with byte offsets; the LSP layer converts them.
package analysis

import (
	"context"
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
)

// Severity of a finding; the values are LSP's.
type Severity uint8

// Severities.
const (
	SevError       Severity = 1
	SevWarning     Severity = 2
	SevInformation Severity = 3
	SevHint        Severity = 4
)

// String returns the lower-case name used in JSON output.
func (s Severity) String() string {
	switch s {
	case SevError:
		return "error"
	case SevWarning:
		return "warning"
	case SevInformation:
		return "information"
	case SevHint:
		return "hint"
	}
	return "unknown"
}

// ParseSeverity maps "error", "warning", "information" (or "info") and "hint".
func ParseSeverity(s string) (Severity, bool) {
	switch strings.ToLower(s) {
	case "error":
		return SevError, true
	case "warning", "warn":
		return SevWarning, true
	case "information", "info":
		return SevInformation, true
	case "hint":
		return SevHint, true
	}
	return 0, false
}

// Diagnostic codes.
const (
	CodeIntegrationPoint  = "integration-point"
	CodeIncompletePattern = "incomplete-pattern"
	CodeOffStack          = "off-stack"
	CodeNoConstitution    = "no-constitution"
)

// Codes returns every diagnostic code the analysis reports, sorted, for
// checking the codes a configuration names. The server's own "config" code
// is not among them.
func Codes() []string {
	return []string{
		CodeAuthCallPerRequest, CodeCORSWildcardCredentials, CodeTooLarge, CodeHardcodedSecret,
		CodeIncompletePattern, CodeIntegrationPoint, CodeMissingExpCheck, CodeMissingJWTAlgorithms,
		CodeNoConstitution, CodeOffStack, CodeOtherConstitution, CodeProxyOnlyAuth, CodePublicEnvSecret,
		CodeSharedSecretJWT, CodeTokenInBrowserStorage, CodeUnverifiedJWTSignature, CodeWebhookWithoutSignature,
	}
}

// Finding is one diagnostic-worthy result.
type Finding struct {
	Span     Span
	Severity Severity
	Code     string
	Message  string
	// Href links to the official documentation for the code.
	Href    string
	Point   *IntegrationPoint // set for integration-point findings
	Related []Related
	// Patterns are ids of patterns that fix the finding (for quick fixes and
	// hovers on anti-patterns).
	Patterns []string
}

// Env is what an analysis runs against: the catalog, the pattern library
// and, when known, the project's stack. An Env is immutable and shared.
type Env struct {
	Catalog *Catalog
	Matcher *Matcher
	Library *patterns.Library
	// Disabled codes produce no findings; "all" (SuppressAll) disables
	// every code.
	Disabled map[string]bool
	// Severity overrides per code.
	Severity map[string]Severity
	// Broken are workspace pattern files that were skipped (no usable
	// pattern, or outside the workspace), with their Problems.
	Broken []*patterns.File
	// MaxFileSize is the largest input analysed, in bytes; 0 means no limit.
	// A larger input gets one CodeTooLarge finding instead (toolarge.go).
	MaxFileSize int64
}

// NewEnv builds an Env over a catalog and a library.
func NewEnv(c *Catalog, lib *patterns.Library) *Env {
	return &Env{Catalog: c, Matcher: NewMatcher(c), Library: lib}
}

// Result is the analysis of one document.
type Result struct {
	Doc      *Doc
	Mentions []Mention
	Points   []IntegrationPoint
	// Repeats are further occurrences of a point's pair in the same
	// section: no diagnostic, but an inlay hint.
	Repeats []IntegrationPoint
	// repeated keys Repeats by line and pair while detectors run.
	repeated       map[repeatKey]bool
	repeatPatterns map[string][]string
	noRepeats      bool // Input.NoRepeats
	// supp are the document's suppression comments, read before the
	// detectors: a suppressed line's point does not stand for its pair.
	supp *suppressions
	// mentionIdx holds, per block, the range of its mentions in Mentions.
	mentionIdx map[int][2]int
	// techs is the set of the technologies of the stack techsOf.
	techsOf *Stack
	techs   map[string]bool
	// narrowFeature is set while implicit points are found in a document
	// of a frontend or authentication feature (narrowFeature).
	narrowFeature bool
	// authFeature is set for a document of an authentication feature.
	authFeature bool
	// viaGateway is set for a document whose frontend calls a managed API
	// gateway in front of the backend.
	viaGateway bool
	// authUID caches whether the document names auth.uid() (0: not asked
	// yet, 1: no, 2: yes); rowsOfTheUser asks it for every RLS cue.
	authUID  uint8
	Sections []patterns.Section
	Findings []Finding
	// Lines indexes line starts for Line/Col conversions.
	Lines *LineIndex
}

// Input is one document to analyse, with what is known about its project.
type Input struct {
	Src   []byte
	Stack *Stack // the project's stack; nil when no constitution was found
	// Path is the document's file path, for messages only.
	Path string
	// Memo, when set, is the document's memo from its previous analyses:
	// the language server keeps one per open document so that analysing
	// after an edit costs about what the edit changed. The memo keeps Src:
	// with a memo, Src must not be modified after Analyze (the server's
	// snapshots are immutable strings).
	Memo *Memo
	// NoRepeats leaves Result.Repeats empty: a caller that shows no
	// inlay hints (check) is spared ranking and naming them.
	NoRepeats bool
	// Ctx, when set, stops the analysis early once it is done: the
	// detectors' expressions then answer nothing and Analyze returns nil.
	// The language server cancels the analysis of a version the editor has
	// already left. What the memo learnt before the stop is kept.
	Ctx context.Context
}

// Stack is the set of technologies a project has chosen, with where each was
// chosen. It is filled by stack extraction (ExtractStack) from a
// constitution and the plan of the document's feature folder.
type Stack struct {
	Entries []StackEntry
	// Source is the path of the constitution the stack came from; "" when
	// none was found.
	Source string
	// Missing says why there is no constitution ("no constitution found
	// under …", a read error); the analysis reports it once at the top of
	// the document.
	Missing string
	// Others are constitutions further up the tree that Source overrides.
	Others []string
	// Root is the workspace root Source and Others were found in: the
	// notices name them relative to it, as the same on every machine.
	Root string
	// Plan is the path of the feature folder's plan merged into the stack.
	Plan string
	// Quiet turns off the no-constitution notice.
	Quiet bool
	// Texts holds, by path, the text the entries' lines and spans were
	// read from, so that they can be mapped to positions without reading
	// the file again (and are mapped in the text they came from). It may
	// lack a path; the texts are shared and never modified.
	Texts map[string][]byte
}

// StackEntry is one chosen technology.
type StackEntry struct {
	Tech string
	Role Role
	Path string // the file that chose it
	Line int    // 0-based line in Path
	Span Span   // byte span of the mention in Path
	// Score weighs how firmly the document chose it: mentions, counted
	// thrice in lists, tables and fields.
	Score int
	// Origin is OriginConstitution, OriginPlan or OriginDocument.
	Origin string
}

// detector adds findings to a result. Detectors run in order after mentions,
// sections and explicit integration points are known.
type detector func(r *Result, e *Env, in *Input)

// detectors is the fixed pipeline. Each entry lives in its own file.
var detectors = []detector{
	detectIntegrationPoints,
	detectImplicitPoints,
	detectOffStack,
	detectConstitutionNotice,
	detectIncompletePatterns,
	detectAntiPatterns,
	detectPatternFile,
}

// Analyze runs every detector over one document.
func (e *Env) Analyze(in *Input) *Result {
	if e.MaxFileSize > 0 && int64(len(in.Src)) > e.MaxFileSize {
		return e.tooLarge(in)
	}
	if mayHaveLineOver(in.Src, MaxLineBytes) {
		if line, n := longestLine(in.Src); n > MaxLineBytes {
			return e.lineTooLong(in, line, n)
		}
	}
	var d *Doc
	if in.Memo != nil && in.Memo.acquire() {
		d = in.Memo.parse(in.Src)
		d.memo = in.Memo
		if !in.Memo.edit.ok {
			// The memo's first analysis: every slice is new to it.
			d.lits = gates.litScanner().index(d.Lower)
		}
		defer func() {
			if d.stopped {
				in.Memo.prevNodes = in.Memo.carry(d.nodes)
				d.memo, d.lastText, d.lastNode, d.nodes, d.lits, d.docLits = nil, nil, nil, nil, nil, nil
				in.Memo.abandon()
				return
			}
			in.Memo.keepNodes(d.nodes)
			d.memo, d.lastText, d.lastNode, d.nodes, d.lits, d.docLits = nil, nil, nil, nil, nil, nil
			in.Memo.release()
		}()
	} else {
		d = Parse(in.Src)
		// Detectors ask the same questions of the same text more than once
		// (every cue of a paragraph names its requirement): a memo for this
		// one analysis answers the repeats.
		d.memo = NewMemo()
		d.lits = gates.litScanner().index(d.Lower)
		defer func() { d.memo, d.lastText, d.lastNode, d.nodes, d.lits, d.docLits = nil, nil, nil, nil, nil, nil }()
	}
	d.ctx, d.polls, d.stopped = in.Ctx, 0, false
	defer func() { d.ctx = nil }() // the result's later uses are not cancelled
	r := &Result{Doc: d, Lines: NewLineIndex(in.Src), noRepeats: in.NoRepeats}
	for b := range d.Blocks {
		blk := &d.Blocks[b]
		if blk.Kind == KindCode || blk.Kind == KindHTML {
			continue
		}
		for _, run := range blk.Text {
			start := len(r.Mentions)
			r.Mentions = d.findMentions(e.Matcher, run, b, r.Mentions)
			for i := start; i < len(r.Mentions); i++ {
				r.Mentions[i].Excluded = d.Exclusion(b, r.Mentions[i].Span)
			}
		}
	}
	// Sections start only at `Integration:` and `Pattern:` headings; most
	// documents have none, and splitting them into lines is not free.
	if patterns.MayHaveSections(in.Src) {
		r.Sections = patterns.ParseSectionsOf(splitLinesKeep(in.Src), r.headingLines())
	}
	r.excludePatternSections()
	r.supp = r.parseSuppressions()
	for _, det := range detectors {
		if d.stop() {
			break
		}
		det(r, e, in)
	}
	if d.stopped {
		return nil
	}
	r.dropInsidePatterns()
	r.applySuppressions()
	r.Findings = e.filter(r.Findings)
	sort.SliceStable(r.Findings, func(i, j int) bool { return r.Findings[i].Span.Start < r.Findings[j].Span.Start })
	return r
}

// headingLines returns whether a line starts a heading of the document: a
// line that only reads as one inside an HTML comment or block, or in the
// front matter, is no section heading (a commented-out `## Integration:`
// documents nothing).
func (r *Result) headingLines() func(i int) bool {
	starts := map[int]bool{}
	for _, blk := range r.Doc.Blocks {
		if blk.Kind == KindHeading {
			starts[r.Lines.Line(blk.Span.Start)] = true
		}
	}
	return func(i int) bool { return starts[i] }
}

// excludePatternSections marks mentions inside `### Pattern:` sections: a
// pattern is reference text the document already adopted, not a new
// integration point.
func (r *Result) excludePatternSections() {
	for _, s := range r.Sections {
		if s.Pattern == nil {
			continue
		}
		lo, hi := r.Lines.Start(s.Line), r.Lines.Start(s.EndLine)
		for i := range r.Mentions {
			if m := &r.Mentions[i]; m.Excluded == "" && m.Span.Start >= lo && m.Span.Start < hi {
				m.Excluded = ExclDocumented
			}
		}
	}
}

// dropInsidePatterns removes what detectors found inside `### Pattern:`
// sections, except the checklist's own findings: an adopted pattern is
// reference text (its code shows the recommended way, its prose names the
// pair), so flagging it again would make the quick fix create findings.
func (r *Result) dropInsidePatterns() {
	var spans []Span
	for _, s := range r.Sections {
		if s.Pattern != nil {
			spans = append(spans, Span{r.Lines.Start(s.Line), r.Lines.Start(s.EndLine)})
		}
	}
	if len(spans) == 0 {
		return
	}
	inside := func(off int) bool {
		for _, sp := range spans {
			if off >= sp.Start && off < sp.End {
				return true
			}
		}
		return false
	}
	fs := r.Findings[:0]
	for _, f := range r.Findings {
		if f.Code == CodeIncompletePattern || !inside(f.Span.Start) {
			fs = append(fs, f)
		}
	}
	r.Findings = fs
	// A new slice: findings hold pointers into the old one.
	ps := make([]IntegrationPoint, 0, len(r.Points))
	for _, p := range r.Points {
		if !inside(p.Span.Start) {
			ps = append(ps, p)
		}
	}
	r.Points = ps
}

func (e *Env) filter(fs []Finding) []Finding {
	out := fs[:0]
	all := e.Disabled[SuppressAll]
	for _, f := range fs {
		if all || e.Disabled[f.Code] {
			continue
		}
		if s, ok := e.Severity[f.Code]; ok {
			f.Severity = s
		}
		out = append(out, f)
	}
	return out
}

// splitLinesKeep splits src into lines for the line-oriented section parser;
// line i of the result is line i of the document.
func splitLinesKeep(src []byte) []string {
	return patterns.Lines(string(src))
}

func detectIntegrationPoints(r *Result, e *Env, in *Input) {
	r.explicitPoints(e)
	documented := r.documentedPairs(e)
	for i := range r.Points {
		p := &r.Points[i]
		if documented[pairKey(e.Catalog, p.From, p.To)] {
			p.Documented = true
			continue
		}
		r.Findings = append(r.Findings, Finding{
			Span:     p.Span,
			Severity: SevInformation,
			Code:     CodeIntegrationPoint,
			Message:  e.PointMessage(p),
			Point:    p,
			Related:  p.Related,
			Patterns: p.Patterns,
		})
	}
}

// PointMessage is the diagnostic message of an integration point.
// It is built for every point on every keystroke, so without fmt.
func (e *Env) PointMessage(p *IntegrationPoint) string {
	var b strings.Builder
	b.Grow(160 + len(p.Reason))
	b.WriteString("Integration point: ")
	b.WriteString(e.Catalog.Name(p.From))
	b.WriteString(" → ")
	b.WriteString(e.Catalog.Name(p.To))
	if p.Reason != "" {
		b.WriteString(" (")
		b.WriteString(p.Reason)
		b.WriteString(")")
	}
	switch n := len(p.Patterns); n {
	case 0:
		b.WriteString(" — no pattern in the library yet (quick fix inserts a blank integration template)")
	case 1:
		pt, _ := e.Library.Get(p.Patterns[0])
		b.WriteString(" — pattern available: ")
		b.WriteString(strconv.Quote(pt.Name))
		b.WriteString(" (quick fix inserts it)")
	default:
		pt, _ := e.Library.Get(p.Patterns[0])
		b.WriteString(" — ")
		b.WriteString(strconv.Itoa(n))
		b.WriteString(" patterns available, best match: ")
		b.WriteString(strconv.Quote(pt.Name))
		b.WriteString(" (quick fix inserts one)")
	}
	return b.String()
}

func detectIncompletePatterns(r *Result, e *Env, in *Input) {
	for _, s := range r.Sections {
		if s.Pattern == nil {
			if s.Integration != "" {
				r.checkIntegrationHeading(e, s)
			}
			continue
		}
		for _, p := range s.Problems {
			r.Findings = append(r.Findings, Finding{
				Span:     r.Lines.LineSpan(p.Line),
				Severity: SevWarning,
				Code:     CodeIncompletePattern,
				Message:  p.Message,
			})
		}
	}
}

func (r *Result) checkIntegrationHeading(e *Env, s patterns.Section) {
	for _, part := range splitHeading(s.Integration) {
		part = strings.TrimSpace(part)
		if part == "" || strings.HasPrefix(part, "[") {
			continue
		}
		if _, ok := e.resolveLoose(part); ok {
			continue
		}
		r.Findings = append(r.Findings, Finding{
			Span:     r.Lines.LineSpan(s.Line),
			Severity: SevInformation,
			Code:     CodeIncompletePattern,
			Message:  fmt.Sprintf("unknown technology %q in integration heading: the catalog has no such id%s", part, e.Catalog.closestHint(part)),
		})
	}
}
