package eval

import (
	"path/filepath"
	"sort"
	"strings"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
)

// ScoredCodes are the anti-pattern diagnostic codes scored per document, in
// table order. Labels whose code is empty or not listed here are not scored.
var ScoredCodes = []string{
	"token-in-browser-storage",
	"shared-secret-jwt",
	"unverified-jwt-signature",
	"missing-exp-check",
	"auth-call-per-request",
	"hardcoded-secret",
	"cors-wildcard-credentials",
	"webhook-without-signature",
}

// Pair is an unordered pair of canonical technology ids, stored with A < B.
type Pair struct{ A, B string }

// NewPair orders a and b.
func NewPair(a, b string) Pair {
	if b < a {
		a, b = b, a
	}
	return Pair{a, b}
}

func (p Pair) String() string { return p.A + "<->" + p.B }

// Counts are document-level true positives, false positives and false
// negatives, summed over documents.
type Counts struct{ TP, FP, FN int }

// Precision is TP/(TP+FP); ok is false when nothing was predicted.
func (c Counts) Precision() (v float64, ok bool) { return ratio(c.TP, c.TP+c.FP) }

// Recall is TP/(TP+FN); ok is false when there is no ground truth.
func (c Counts) Recall() (v float64, ok bool) { return ratio(c.TP, c.TP+c.FN) }

// F1 is the harmonic mean of precision and recall; ok is false when either is
// undefined.
func (c Counts) F1() (v float64, ok bool) {
	p, okp := c.Precision()
	r, okr := c.Recall()
	if !okp || !okr {
		return 0, false
	}
	if p+r == 0 {
		return 0, true
	}
	return 2 * p * r / (p + r), true
}

func (c *Counts) add(o Counts) { c.TP += o.TP; c.FP += o.FP; c.FN += o.FN }

func ratio(n, d int) (float64, bool) {
	if d == 0 {
		return 0, false
	}
	return float64(n) / float64(d), true
}

// Options control scoring.
type Options struct {
	// CorpusDir is the directory passed to `check`; report paths are made
	// relative to it to find their labels.
	CorpusDir string
	// Canonical maps a technology id to the id it is compared as. Nil means
	// the built-in catalog (neon is compared as postgresql).
	Canonical func(id string) string
}

// TrapHit is a finding that starts inside a trap.
type TrapHit struct {
	Line int // 1-based
	Code string
	What string
}

// FileResult is the per-document breakdown.
type FileResult struct {
	Path     string // corpus-relative
	Reported bool   // the file appears in the report
	Found    []Pair // labelled and reported
	Missed   []Pair // labelled, not reported
	Extra    []Pair // reported, not labelled
	// Codes maps each scored code present on either side to its counts for
	// this document (each cell is 0 or 1).
	Codes    map[string]Counts
	TrapHits []TrapHit
}

// Result is the score of a report against labels.
type Result struct {
	Files       []FileResult // one per labelled document, in label order
	Integration Counts
	Codes       map[string]Counts // every entry of ScoredCodes
	// TrapFindings counts findings (any code the trap does not ignore) whose
	// range starts on a trap line; a finding counts once however many traps
	// hold it.
	TrapFindings int
	// Missing lists labelled documents absent from the report.
	Missing []string
	// Unlabelled lists report paths with no labels (e.g. INDEX.md); their
	// findings are not scored.
	Unlabelled         []string
	UnlabelledFindings int
	// MalformedIntegrations counts integration-point diagnostics without a
	// usable integration object (missing, empty or identical ids).
	MalformedIntegrations int
}

// Score compares rep with l.
func Score(l *Labels, rep *Report, opt Options) *Result {
	canon := opt.Canonical
	if canon == nil {
		canon = analysis.DefaultCatalog().Canonical
	}
	norm := func(id string) string { return canon(strings.ToLower(strings.TrimSpace(id))) }

	byRel := map[string][]Diagnostic{}
	reported := map[string]bool{}
	res := &Result{Codes: map[string]Counts{}}
	for _, f := range rep.Files {
		rel, ok := matchPath(opt.CorpusDir, f.Path, l)
		if !ok {
			res.Unlabelled = append(res.Unlabelled, f.Path)
			res.UnlabelledFindings += len(f.Diagnostics)
			continue
		}
		reported[rel] = true
		byRel[rel] = append(byRel[rel], f.Diagnostics...)
	}

	scored := map[string]bool{}
	for _, c := range ScoredCodes {
		scored[c] = true
		res.Codes[c] = Counts{}
	}

	for _, fl := range l.Files {
		fr := FileResult{Path: fl.Path, Reported: reported[fl.Path], Codes: map[string]Counts{}}
		if !fr.Reported {
			res.Missing = append(res.Missing, fl.Path)
		}
		diags := byRel[fl.Path]

		gold := map[Pair]bool{}
		for _, p := range fl.Pairs {
			a, b := norm(p.Techs[0]), norm(p.Techs[1])
			if a != b {
				gold[NewPair(a, b)] = true
			}
		}
		pred := map[Pair]bool{}
		goldCodes := map[string]bool{}
		for _, a := range fl.Antipatterns {
			if scored[a.Code] {
				goldCodes[a.Code] = true
			}
		}
		predCodes := map[string]bool{}
		for _, d := range diags {
			if d.Code == CodeIntegrationPoint {
				in := d.Integration
				if in == nil || norm(in.From) == "" || norm(in.To) == "" || norm(in.From) == norm(in.To) {
					res.MalformedIntegrations++
				} else {
					pred[NewPair(norm(in.From), norm(in.To))] = true
				}
			}
			if scored[d.Code] {
				predCodes[d.Code] = true
			}
			line := d.Range.Start.Line + 1
			for _, t := range fl.Traps {
				if t.Lines.Contains(line) && !t.Ignores(d.Code) {
					fr.TrapHits = append(fr.TrapHits, TrapHit{Line: line, Code: d.Code, What: t.What})
					res.TrapFindings++
					break
				}
			}
		}

		for p := range gold {
			if pred[p] {
				fr.Found = append(fr.Found, p)
			} else {
				fr.Missed = append(fr.Missed, p)
			}
		}
		for p := range pred {
			if !gold[p] {
				fr.Extra = append(fr.Extra, p)
			}
		}
		sort.SliceStable(fr.TrapHits, func(i, j int) bool { return fr.TrapHits[i].Line < fr.TrapHits[j].Line })
		for _, s := range [][]Pair{fr.Found, fr.Missed, fr.Extra} {
			sortPairs(s)
		}
		res.Integration.add(Counts{TP: len(fr.Found), FP: len(fr.Extra), FN: len(fr.Missed)})

		for _, c := range ScoredCodes {
			var k Counts
			switch g, p := goldCodes[c], predCodes[c]; {
			case g && p:
				k.TP = 1
			case p:
				k.FP = 1
			case g:
				k.FN = 1
			default:
				continue
			}
			fr.Codes[c] = k
			total := res.Codes[c]
			total.add(k)
			res.Codes[c] = total
		}
		res.Files = append(res.Files, fr)
	}
	return res
}

func sortPairs(s []Pair) {
	sort.Slice(s, func(i, j int) bool {
		if s[i].A != s[j].A {
			return s[i].A < s[j].A
		}
		return s[i].B < s[j].B
	})
}

// matchPath finds the labels path of a report path: first relative to
// corpusDir (both made absolute), then by suffix, so that a report made with
// a different spelling of the corpus directory still matches.
func matchPath(corpusDir, p string, l *Labels) (string, bool) {
	if corpusDir != "" {
		base, err1 := filepath.Abs(corpusDir)
		abs, err2 := filepath.Abs(p)
		if err1 == nil && err2 == nil {
			if rel, err := filepath.Rel(base, abs); err == nil {
				rel = filepath.ToSlash(rel)
				if _, ok := l.File(rel); ok {
					return rel, true
				}
			}
		}
	}
	slash := filepath.ToSlash(p)
	if _, ok := l.File(slash); ok {
		return slash, true
	}
	for _, f := range l.Files {
		if strings.HasSuffix(slash, "/"+f.Path) {
			return f.Path, true
		}
	}
	return "", false
}
