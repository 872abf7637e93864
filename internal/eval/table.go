package eval

import (
	"fmt"
	"strings"
)

// Table renders the summary as plain text: one row for integration pairs,
// one per scored anti-pattern code, then trap findings and path bookkeeping.
// Undefined ratios (nothing predicted, or no ground truth) print as "-".
func (r *Result) Table() string {
	var b strings.Builder
	reported := len(r.Files) - len(r.Missing)
	fmt.Fprintf(&b, "corpus quality: %d labelled documents, %d in report, %d missing from report\n\n",
		len(r.Files), reported, len(r.Missing))
	fmt.Fprintf(&b, "%-28s %5s %5s %5s %5s %9s %7s %7s\n", "metric (document level)", "gold", "tp", "fp", "fn", "precision", "recall", "f1")
	row := func(name string, c Counts) {
		p, okp := c.Precision()
		rc, okr := c.Recall()
		f, okf := c.F1()
		fmt.Fprintf(&b, "%-28s %5d %5d %5d %5d %9s %7s %7s\n", name, c.TP+c.FN, c.TP, c.FP, c.FN,
			fmtRatio(p, okp), fmtRatio(rc, okr), fmtRatio(f, okf))
	}
	row("integration pairs", r.Integration)
	for _, c := range ScoredCodes {
		row(c, r.Codes[c])
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "%-28s %5d\n", "trap findings", r.TrapFindings)
	if r.MalformedIntegrations > 0 {
		fmt.Fprintf(&b, "%-28s %5d\n", "malformed integration-point", r.MalformedIntegrations)
	}
	if len(r.Unlabelled) > 0 {
		fmt.Fprintf(&b, "%-28s %5d (%d findings not scored)\n", "unlabelled files in report", len(r.Unlabelled), r.UnlabelledFindings)
	}
	return b.String()
}

// Details lists, per document, the missed and extra integration pairs, the
// anti-pattern codes missed or wrongly reported, and the trap hits. Documents
// that score perfectly are omitted.
func (r *Result) Details() string {
	var b strings.Builder
	for _, f := range r.Files {
		var lines []string
		if !f.Reported {
			lines = append(lines, "  not in report")
		}
		if len(f.Missed) > 0 {
			lines = append(lines, "  missed pairs: "+joinPairs(f.Missed))
		}
		if len(f.Extra) > 0 {
			lines = append(lines, "  extra pairs:  "+joinPairs(f.Extra))
		}
		var missed, extra []string
		for _, c := range ScoredCodes {
			k := f.Codes[c]
			if k.FN > 0 {
				missed = append(missed, c)
			}
			if k.FP > 0 {
				extra = append(extra, c)
			}
		}
		if len(missed) > 0 {
			lines = append(lines, "  missed codes: "+strings.Join(missed, ", "))
		}
		if len(extra) > 0 {
			lines = append(lines, "  extra codes:  "+strings.Join(extra, ", "))
		}
		for _, h := range f.TrapHits {
			lines = append(lines, fmt.Sprintf("  trap L%d %s: %s", h.Line, h.Code, h.What))
		}
		if len(lines) == 0 {
			continue
		}
		fmt.Fprintf(&b, "%s\n%s\n", f.Path, strings.Join(lines, "\n"))
	}
	for _, p := range r.Unlabelled {
		fmt.Fprintf(&b, "%s\n  unlabelled (not scored)\n", p)
	}
	return b.String()
}

func fmtRatio(v float64, ok bool) string {
	if !ok {
		return "-"
	}
	return fmt.Sprintf("%.3f", v)
}

func joinPairs(ps []Pair) string {
	s := make([]string, len(ps))
	for i, p := range ps {
		s[i] = p.String()
	}
	return strings.Join(s, ", ")
}
