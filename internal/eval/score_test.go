package eval

import (
	"math"
	"reflect"
	"strings"
	"testing"
)

const synthLabels = `{
  "version": 1,
  "files": [
    {"index": 1, "path": "a/doc.md", "doc": "plan",
     "pairs": [
       {"techs": ["better-auth", "fastapi"], "lines": [1, 2], "note": ""},
       {"techs": ["sqlmodel", "neon"], "lines": [3, 3], "note": ""},
       {"techs": ["nextjs", "fastapi"], "lines": [4, 4], "note": ""},
       {"techs": ["fastapi", "nextjs"], "lines": [8, 8], "note": "same pair twice"}
     ],
     "unresolved": [{"text": "middleware", "reason": "mechanism"}],
     "antipatterns": [
       {"tag": "AP-SHARED-SECRET", "code": "shared-secret-jwt", "lines": [5, 5]},
       {"tag": "AP-LOCALSTORAGE-JWT", "code": "token-in-browser-storage", "lines": [6, 6]},
       {"tag": "AP-CONTRADICTION", "code": "", "lines": [7, 7]}
     ],
     "traps": [
       {"lines": [10, 11], "what": "rejected alternative"},
       {"lines": [11, 12], "what": "negation on an integration line", "ignore_codes": ["integration-point"]}
     ]},
    {"index": 2, "path": "b/doc.md", "doc": "spec",
     "pairs": [{"techs": ["nextjs", "better-auth"], "lines": [1, 1], "note": ""}],
     "unresolved": [],
     "antipatterns": [{"tag": "AP-HARDCODED-SECRET", "code": "hardcoded-secret", "lines": [2, 2]}],
     "traps": []},
    {"index": 3, "path": "c/doc.md", "doc": "constitution",
     "pairs": [], "unresolved": [], "antipatterns": [], "traps": []}
  ]
}`

const synthReport = `{"version": 1, "files": [
  {"path": "/corpus/a/doc.md", "diagnostics": [
    {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 5}}, "severity": "information", "code": "integration-point", "source": "ipf", "message": "",
     "integration": {"from": "fastapi", "to": "better-auth", "patterns": ["jwt"], "documented": false}},
    {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 5}}, "severity": "information", "code": "integration-point", "source": "ipf", "message": "",
     "integration": {"from": "better-auth", "to": "fastapi", "patterns": [], "documented": true}},
    {"range": {"start": {"line": 2, "character": 0}, "end": {"line": 2, "character": 5}}, "severity": "information", "code": "integration-point", "source": "ipf", "message": "",
     "integration": {"from": "SQLModel", "to": "postgresql", "patterns": [], "documented": false}},
    {"range": {"start": {"line": 11, "character": 0}, "end": {"line": 11, "character": 5}}, "severity": "hint", "code": "integration-point", "source": "ipf", "message": "",
     "integration": {"from": "fastapi", "to": "neon", "patterns": [], "documented": true}},
    {"range": {"start": {"line": 11, "character": 0}, "end": {"line": 11, "character": 5}}, "severity": "hint", "code": "integration-point", "source": "ipf", "message": "no integration object"},
    {"range": {"start": {"line": 11, "character": 2}, "end": {"line": 11, "character": 9}}, "severity": "warning", "code": "consistency", "source": "ipf", "message": ""},
    {"range": {"start": {"line": 4, "character": 0}, "end": {"line": 4, "character": 5}}, "severity": "warning", "code": "shared-secret-jwt", "source": "ipf", "message": ""},
    {"range": {"start": {"line": 9, "character": 0}, "end": {"line": 12, "character": 5}}, "severity": "warning", "code": "token-in-browser-storage", "source": "ipf", "message": ""},
    {"range": {"start": {"line": 10, "character": 0}, "end": {"line": 10, "character": 5}}, "severity": "error", "code": "hardcoded-secret", "source": "ipf", "message": ""}
  ]},
  {"path": "elsewhere/corpus/b/doc.md", "diagnostics": [
    {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 5}}, "severity": "information", "code": "integration-point", "source": "ipf", "message": "",
     "integration": {"from": "nextjs", "to": "better-auth", "patterns": [], "documented": false}},
    {"range": {"start": {"line": 3, "character": 0}, "end": {"line": 3, "character": 5}}, "severity": "information", "code": "integration-point", "source": "ipf", "message": "",
     "integration": {"from": "nextjs", "to": "vercel", "patterns": [], "documented": false}}
  ]},
  {"path": "/corpus/INDEX.md", "diagnostics": [
    {"range": {"start": {"line": 0, "character": 0}, "end": {"line": 0, "character": 1}}, "severity": "hint", "code": "integration-point", "source": "ipf", "message": "",
     "integration": {"from": "nextjs", "to": "fastapi", "patterns": [], "documented": false}},
    {"range": {"start": {"line": 1, "character": 0}, "end": {"line": 1, "character": 1}}, "severity": "warning", "code": "hardcoded-secret", "source": "ipf", "message": ""}
  ]}
]}`

func mustScore(t *testing.T, labels, report string, opt Options) *Result {
	t.Helper()
	l, err := ParseLabels(strings.NewReader(labels))
	if err != nil {
		t.Fatalf("ParseLabels: %v", err)
	}
	rep, err := ParseReport(strings.NewReader(report))
	if err != nil {
		t.Fatalf("ParseReport: %v", err)
	}
	return Score(l, rep, opt)
}

func TestScoreSynthetic(t *testing.T) {
	r := mustScore(t, synthLabels, synthReport, Options{CorpusDir: "/corpus"})

	// a: gold {better-auth/fastapi, postgresql/sqlmodel, fastapi/nextjs};
	//    predicted {better-auth/fastapi (twice, once documented), postgresql/sqlmodel
	//    (neon canonicalized, upper-case id), fastapi/postgresql} -> tp 2, fp 1, fn 1.
	// b: gold {better-auth/nextjs}; predicted {better-auth/nextjs, nextjs/vercel} -> tp 1, fp 1.
	// c: not reported, no gold.
	if want := (Counts{TP: 3, FP: 2, FN: 1}); r.Integration != want {
		t.Errorf("Integration = %+v, want %+v", r.Integration, want)
	}
	wantCodes := map[string]Counts{
		"shared-secret-jwt":        {TP: 1},
		"token-in-browser-storage": {TP: 1},
		"hardcoded-secret":         {FP: 1, FN: 1},
	}
	for _, c := range ScoredCodes {
		if got, want := r.Codes[c], wantCodes[c]; got != want {
			t.Errorf("Codes[%s] = %+v, want %+v", c, got, want)
		}
	}
	// Trap hits in a: token-in-browser-storage starting on L10, hardcoded-secret
	// on L11, consistency on L12. The integration points on L12 are ignored by
	// the second trap; the one on L12 without an integration object too.
	if r.TrapFindings != 3 {
		t.Errorf("TrapFindings = %d, want 3", r.TrapFindings)
	}
	if got := r.Files[0].TrapHits; len(got) != 3 || got[0].Line != 10 || got[1].Code != "hardcoded-secret" || got[2].Code != "consistency" {
		t.Errorf("TrapHits = %+v", got)
	}
	if r.MalformedIntegrations != 1 {
		t.Errorf("MalformedIntegrations = %d, want 1", r.MalformedIntegrations)
	}
	if want := []string{"c/doc.md"}; !reflect.DeepEqual(r.Missing, want) {
		t.Errorf("Missing = %v, want %v", r.Missing, want)
	}
	if want := []string{"/corpus/INDEX.md"}; !reflect.DeepEqual(r.Unlabelled, want) || r.UnlabelledFindings != 2 {
		t.Errorf("Unlabelled = %v (%d findings), want %v (2)", r.Unlabelled, r.UnlabelledFindings, want)
	}
	a := r.Files[0]
	if want := []Pair{{"better-auth", "fastapi"}, {"postgresql", "sqlmodel"}}; !reflect.DeepEqual(a.Found, want) {
		t.Errorf("a.Found = %v, want %v", a.Found, want)
	}
	if want := []Pair{{"fastapi", "nextjs"}}; !reflect.DeepEqual(a.Missed, want) {
		t.Errorf("a.Missed = %v, want %v", a.Missed, want)
	}
	if want := []Pair{{"fastapi", "postgresql"}}; !reflect.DeepEqual(a.Extra, want) {
		t.Errorf("a.Extra = %v, want %v", a.Extra, want)
	}

	p, _ := r.Integration.Precision()
	rc, _ := r.Integration.Recall()
	f, _ := r.Integration.F1()
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"precision", p, 0.6}, {"recall", rc, 0.75}, {"f1", f, 2.0 / 3.0}} {
		if math.Abs(c.got-c.want) > 1e-9 {
			t.Errorf("integration %s = %v, want %v", c.name, c.got, c.want)
		}
	}
}

func TestScoreEmptyReport(t *testing.T) {
	r := mustScore(t, synthLabels, `{"version":1,"files":[]}`, Options{CorpusDir: "/corpus"})
	if want := (Counts{FN: 4}); r.Integration != want {
		t.Errorf("Integration = %+v, want %+v", r.Integration, want)
	}
	if len(r.Missing) != 3 || r.TrapFindings != 0 {
		t.Errorf("Missing = %v, TrapFindings = %d", r.Missing, r.TrapFindings)
	}
	if _, ok := r.Integration.Precision(); ok {
		t.Errorf("precision defined with no predictions")
	}
	if got := r.Codes["hardcoded-secret"]; got != (Counts{FN: 1}) {
		t.Errorf("hardcoded-secret = %+v", got)
	}
}

func TestScoreCustomCanonical(t *testing.T) {
	labels := `{"version":1,"files":[{"path":"x.md","doc":"plan","pairs":[{"techs":["nextauth","prisma"],"lines":[1,1],"note":""}],"unresolved":[],"antipatterns":[],"traps":[]}]}`
	report := `{"version":1,"files":[{"path":"x.md","diagnostics":[
	  {"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":1}},"severity":"information","code":"integration-point","source":"ipf","message":"","integration":{"from":"authjs","to":"prisma","patterns":[],"documented":false}},
	  {"range":{"start":{"line":0,"character":0},"end":{"line":0,"character":1}},"severity":"information","code":"integration-point","source":"ipf","message":"","integration":{"from":"authjs","to":"nextauth","patterns":[],"documented":false}}]}]}`
	canon := func(id string) string {
		if id == "nextauth" {
			return "authjs"
		}
		return id
	}
	r := mustScore(t, labels, report, Options{Canonical: canon})
	// authjs/nextauth folds to a self pair: malformed, not a prediction.
	if want := (Counts{TP: 1}); r.Integration != want || r.MalformedIntegrations != 1 {
		t.Errorf("Integration = %+v, malformed %d; want %+v, 1", r.Integration, r.MalformedIntegrations, want)
	}
}

func TestCounts(t *testing.T) {
	tests := []struct {
		c             Counts
		p, r, f       float64
		okP, okR, okF bool
	}{
		{Counts{}, 0, 0, 0, false, false, false},
		{Counts{TP: 1}, 1, 1, 1, true, true, true},
		{Counts{FP: 2}, 0, 0, 0, true, false, false},
		{Counts{FN: 2}, 0, 0, 0, false, true, false},
		{Counts{FP: 1, FN: 1}, 0, 0, 0, true, true, true},
		{Counts{TP: 1, FP: 3, FN: 1}, 0.25, 0.5, 1.0 / 3.0, true, true, true},
	}
	for _, tt := range tests {
		p, okP := tt.c.Precision()
		r, okR := tt.c.Recall()
		f, okF := tt.c.F1()
		if okP != tt.okP || okR != tt.okR || okF != tt.okF ||
			math.Abs(p-tt.p) > 1e-9 || math.Abs(r-tt.r) > 1e-9 || math.Abs(f-tt.f) > 1e-9 {
			t.Errorf("%+v: got p=%v,%v r=%v,%v f=%v,%v; want p=%v,%v r=%v,%v f=%v,%v",
				tt.c, p, okP, r, okR, f, okF, tt.p, tt.okP, tt.r, tt.okR, tt.f, tt.okF)
		}
	}
}

func TestNewPair(t *testing.T) {
	tests := []struct{ a, b, wantA, wantB string }{
		{"fastapi", "better-auth", "better-auth", "fastapi"},
		{"better-auth", "fastapi", "better-auth", "fastapi"},
	}
	for _, tt := range tests {
		if got := NewPair(tt.a, tt.b); got != (Pair{tt.wantA, tt.wantB}) {
			t.Errorf("NewPair(%q, %q) = %v", tt.a, tt.b, got)
		}
	}
}

func TestMatchPath(t *testing.T) {
	l, err := ParseLabels(strings.NewReader(synthLabels))
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		corpus, path, want string
		ok                 bool
	}{
		{"/corpus", "/corpus/a/doc.md", "a/doc.md", true},
		{"/corpus/", "/corpus/./b/doc.md", "b/doc.md", true},
		{"/corpus", "/elsewhere/a/doc.md", "a/doc.md", true}, // suffix fallback
		{"", "a/doc.md", "a/doc.md", true},
		{"/corpus", "/corpus/INDEX.md", "", false},
		{"/corpus", "/corpus/xa/doc.md", "", false}, // suffix must start at a separator
	}
	for _, tt := range tests {
		got, ok := matchPath(tt.corpus, tt.path, l)
		if got != tt.want || ok != tt.ok {
			t.Errorf("matchPath(%q, %q) = %q, %v; want %q, %v", tt.corpus, tt.path, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseReportErrors(t *testing.T) {
	tests := []struct{ name, in, wantErr string }{
		{"version", `{"version":2,"files":[]}`, "version 2"},
		{"missing version", `{"files":[]}`, "version 0"},
		{"syntax", `{"version":1,`, "decode report"},
	}
	for _, tt := range tests {
		_, err := ParseReport(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestParseLabelsErrors(t *testing.T) {
	file := func(s string) string { return `{"version":1,"files":[` + s + `]}` }
	tests := []struct{ name, in, wantErr string }{
		{"version", `{"version":3,"files":[]}`, "labels version 3"},
		{"unknown field", file(`{"path":"a.md","pairz":[]}`), "unknown field"},
		{"absolute path", file(`{"path":"/a.md"}`), "relative"},
		{"duplicate", file(`{"path":"a.md"},{"path":"a.md"}`), "duplicate"},
		{"self pair", file(`{"path":"a.md","pairs":[{"techs":["nextjs","nextjs"],"lines":[1,1],"note":""}]}`), "distinct"},
		{"bad window", file(`{"path":"a.md","traps":[{"lines":[5,4],"what":""}]}`), "bad line window"},
		{"zero line", file(`{"path":"a.md","antipatterns":[{"tag":"X","code":"","lines":[0,1]}]}`), "bad line window"},
	}
	for _, tt := range tests {
		_, err := ParseLabels(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.wantErr) {
			t.Errorf("%s: err = %v, want containing %q", tt.name, err, tt.wantErr)
		}
	}
}

func TestTable(t *testing.T) {
	r := mustScore(t, synthLabels, synthReport, Options{CorpusDir: "/corpus"})
	got := r.Table()
	for _, want := range []string{
		"corpus quality: 3 labelled documents, 2 in report, 1 missing from report\n",
		"integration pairs                4     3     2     1     0.600   0.750   0.667\n",
		"shared-secret-jwt                1     1     0     0     1.000   1.000   1.000\n",
		"hardcoded-secret                 1     0     1     1     0.000   0.000   0.000\n",
		"auth-call-per-request            0     0     0     0         -       -       -\n",
		"trap findings                    3\n",
		"malformed integration-point      1\n",
		"unlabelled files in report       1 (2 findings not scored)\n",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("table lacks %q\n%s", want, got)
		}
	}
	d := r.Details()
	for _, want := range []string{
		"a/doc.md\n  missed pairs: fastapi<->nextjs\n  extra pairs:  fastapi<->postgresql\n",
		"  trap L11 hardcoded-secret: rejected alternative\n",
		"b/doc.md\n  extra pairs:  nextjs<->vercel\n  missed codes: hardcoded-secret\n",
		"c/doc.md\n  not in report\n",
	} {
		if !strings.Contains(d, want) {
			t.Errorf("details lack %q\n%s", want, d)
		}
	}
}
