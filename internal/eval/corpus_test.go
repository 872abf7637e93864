package eval_test

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/ipf-lsp/ipf-lsp/internal/cli"
	"github.com/ipf-lsp/ipf-lsp/internal/eval"
	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

// Quality floors of the detectors on the real corpus. They start at 0 and are
// raised as detection improves, so that a change that loses ground fails CI;
// maxTrapFindings is lowered the same way. Undefined ratios (nothing
// predicted for a code, or no ground truth for it) do not fail a floor.
const (
	// 0.914 before "Stripe/PayPal" gave both names (+1 true pair, and
	// Alembic → SQLModel from "for SQLAlchemy/SQLModel" on codewithurooj's
	// plan L255, which INDEX.md does not list): the target.
	minIntegrationPrecision = 0.91 // reached: 0.916
	minIntegrationRecall    = 0.90 // reached: 0.910
	// Applied to every scored anti-pattern code (eval.ScoredCodes).
	minAntipatternPrecision = 0.75 // lowest reached: shared-secret-jwt 0.750
	minAntipatternRecall    = 0.75 // lowest reached: hardcoded-secret 0.750
	// Findings of any code starting on a trap line (rejected alternatives,
	// negations, template placeholders).
	maxTrapFindings = 0
)

func TestCorpusQuality(t *testing.T) {
	dir := testenv.CorpusDir(t)
	labels, err := eval.LoadLabels(filepath.Join(testenv.RepoRoot(t), "testdata", "corpus-labels.json"))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	if code := cli.Run(ctx, []string{"check", "--format", "json", "--fail-on", "none", dir}, nil, &stdout, &stderr); code != 0 {
		t.Fatalf("check exited %d\nstderr:\n%s", code, stderr.String())
	}
	rep, err := eval.ParseReport(&stdout)
	if err != nil {
		t.Fatalf("%v\nstderr:\n%s", err, stderr.String())
	}
	res := eval.Score(labels, rep, eval.Options{CorpusDir: dir})
	t.Logf("\n%s", res.Table())
	if testing.Verbose() {
		t.Logf("per-document misses:\n%s", res.Details())
	}

	floor := func(name string, v float64, ok bool, min float64) {
		t.Helper()
		if ok && v < min {
			t.Errorf("%s = %.3f, below the floor %.3f", name, v, min)
		}
	}
	p, okp := res.Integration.Precision()
	r, okr := res.Integration.Recall()
	floor("integration precision", p, okp, minIntegrationPrecision)
	floor("integration recall", r, okr, minIntegrationRecall)
	for _, c := range eval.ScoredCodes {
		p, okp := res.Codes[c].Precision()
		r, okr := res.Codes[c].Recall()
		floor(c+" precision", p, okp, minAntipatternPrecision)
		floor(c+" recall", r, okr, minAntipatternRecall)
	}
	if res.TrapFindings > maxTrapFindings {
		t.Errorf("%d findings start on trap lines, ceiling %d", res.TrapFindings, maxTrapFindings)
	}
}
