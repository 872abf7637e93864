package eval

import (
	"bytes"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

func loadRepoLabels(t *testing.T) *Labels {
	t.Helper()
	l, err := LoadLabels(filepath.Join(testenv.RepoRoot(t), "testdata", "corpus-labels.json"))
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// tagCodes is the INDEX tag -> diagnostic code map the labels must follow.
var tagCodes = map[string]string{
	"AP-LOCALSTORAGE-JWT":      "token-in-browser-storage",
	"AP-SHARED-SECRET":         "shared-secret-jwt",
	"AP-NO-SIG-VERIFY":         "unverified-jwt-signature",
	"AP-NO-EXP":                "missing-exp-check",
	"AP-AUTH-CALL-PER-REQUEST": "auth-call-per-request",
	"AP-HARDCODED-SECRET":      "hardcoded-secret",
	"AP-CORS-WILDCARD":         "cors-wildcard-credentials",
	"AP-WEBHOOK-NO-SIG":        "webhook-without-signature",
}

func TestRepoLabelsConsistent(t *testing.T) {
	l := loadRepoLabels(t)
	if len(l.Files) != 48 {
		t.Errorf("labels hold %d files, want 48", len(l.Files))
	}
	cat := analysis.DefaultCatalog()
	scored := map[string]bool{}
	for _, c := range ScoredCodes {
		scored[c] = true
	}
	docTypes := map[string]bool{"constitution": true, "spec": true, "plan": true, "research": true, "data-model": true}
	for _, f := range l.Files {
		if !docTypes[f.Doc] {
			t.Errorf("%s: unknown doc type %q", f.Path, f.Doc)
		}
		for _, p := range f.Pairs {
			for _, id := range p.Techs {
				if _, ok := cat.Lookup(id); !ok {
					t.Errorf("%s: %q is not a catalog id", f.Path, id)
				}
			}
			if cat.Canonical(p.Techs[0]) == cat.Canonical(p.Techs[1]) {
				t.Errorf("%s: pair %v folds to one technology", f.Path, p.Techs)
			}
		}
		for _, a := range f.Antipatterns {
			if a.Code != "" && !scored[a.Code] {
				t.Errorf("%s: code %q is not scored", f.Path, a.Code)
			}
			want, mapped := tagCodes[a.Tag]
			switch {
			case !mapped && a.Code != "":
				t.Errorf("%s: tag %s has code %q, want none", f.Path, a.Tag, a.Code)
			case mapped && a.Code != want && !(a.Tag == "AP-CORS-WILDCARD" && a.Code == "" && a.Note != ""):
				// A wildcard without credentials is kept unscored, with a note.
				t.Errorf("%s: tag %s has code %q, want %q", f.Path, a.Tag, a.Code, want)
			}
		}
		for _, tr := range f.Traps {
			if tr.What == "" {
				t.Errorf("%s: trap %v without a description", f.Path, tr.Lines)
			}
		}
	}
}

// TestRepoLabelsMatchCorpus checks the labels against the stored documents:
// the same file list as INDEX.md and every line window inside its file.
func TestRepoLabelsMatchCorpus(t *testing.T) {
	dir := testenv.CorpusDir(t)
	l := loadRepoLabels(t)
	index, err := os.ReadFile(filepath.Join(dir, "INDEX.md"))
	if err != nil {
		t.Fatal(err)
	}
	var indexed []string
	for _, m := range regexp.MustCompile("(?m)^- \\*\\*Local file:\\*\\* `([^`]+)`").FindAllSubmatch(index, -1) {
		indexed = append(indexed, string(m[1]))
	}
	var labelled []string
	for _, f := range l.Files {
		labelled = append(labelled, f.Path)
	}
	sort.Strings(indexed)
	sort.Strings(labelled)
	if len(indexed) != len(labelled) {
		t.Errorf("INDEX lists %d files, labels %d", len(indexed), len(labelled))
	}
	for i := 0; i < len(indexed) && i < len(labelled); i++ {
		if indexed[i] != labelled[i] {
			t.Errorf("file lists differ: INDEX %q vs labels %q", indexed[i], labelled[i])
			break
		}
	}
	for _, f := range l.Files {
		data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(f.Path)))
		if err != nil {
			t.Errorf("%v", err)
			continue
		}
		n := bytes.Count(data, []byte("\n"))
		if len(data) > 0 && data[len(data)-1] != '\n' {
			n++
		}
		check := func(what string, w Lines) {
			if w[1] > n {
				t.Errorf("%s: %s window %v past the last line %d", f.Path, what, w, n)
			}
		}
		for _, p := range f.Pairs {
			check("pair", p.Lines)
		}
		for _, a := range f.Antipatterns {
			check("anti-pattern", a.Lines)
		}
		for _, tr := range f.Traps {
			check("trap", tr.Lines)
		}
		for _, u := range f.Unresolved {
			if u.Lines != nil {
				check("unresolved", *u.Lines)
			}
		}
	}
}
