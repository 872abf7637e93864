package analysis

import (
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite golden files")

// TestAntiPatternGolden runs the analysis on one small document per
// anti-pattern code (testdata/antipatterns/CODE.md). Each has a
// "## Case: positive" section, where the code must be found, and
// "## Case: negation" and "## Case: other option" sections (negations and
// rejected alternatives), where no anti-pattern may be found. A file named
// CODE-verified.md must have no anti-pattern finding at all. The exact
// findings are compared with CODE.golden (go test -update rewrites them).
func TestAntiPatternGolden(t *testing.T) {
	env := defaultEnv(t)
	files, err := filepath.Glob(filepath.Join("testdata", "antipatterns", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	covered := map[string]bool{}
	for _, path := range files {
		name := strings.TrimSuffix(filepath.Base(path), ".md")
		t.Run(name, func(t *testing.T) {
			src, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			res := env.Analyze(&Input{Src: src, Path: path})
			code := strings.TrimSuffix(name, "-verified")
			verified := code != name
			sectionOf := func(line int) string {
				s := ""
				for _, l := range strings.Split(string(src), "\n")[:line+1] {
					if strings.HasPrefix(l, "## Case: ") {
						s = strings.TrimPrefix(l, "## Case: ")
					}
				}
				return s
			}
			var b strings.Builder
			positives := 0
			for _, f := range res.Findings {
				if codeIndex(f.Code) < 0 {
					continue
				}
				line := res.Lines.Line(f.Span.Start)
				sec := sectionOf(line)
				fmt.Fprintf(&b, "%d:%d-%d %s [%s] %s\n", line+1, f.Span.Start-res.Lines.Start(line), f.Span.End-res.Lines.Start(line), sec, f.Code, strings.Join(f.Patterns, ","))
				switch {
				case verified:
					t.Errorf("line %d: %s in a document that verifies: %s", line+1, f.Code, f.Message)
				case sec != "positive":
					t.Errorf("line %d (%s case): unexpected %s: %s", line+1, sec, f.Code, f.Message)
				case f.Code == code:
					positives++
					if f.Href == "" || !strings.HasPrefix(f.Href, "https://") {
						t.Errorf("line %d: %s has no https href: %q", line+1, f.Code, f.Href)
					}
					if f.Severity != SevWarning {
						t.Errorf("line %d: severity %v, want warning", line+1, f.Severity)
					}
				}
			}
			if !verified {
				covered[code] = true
				if positives == 0 {
					t.Errorf("no %s finding in the positive case", code)
				}
			}
			golden := strings.TrimSuffix(path, ".md") + ".golden"
			if *update {
				if err := os.WriteFile(golden, []byte(b.String()), 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if string(want) != b.String() {
				t.Errorf("findings differ from %s:\n got:\n%s\nwant:\n%s", golden, b.String(), want)
			}
		})
	}
	for _, c := range AntiPatternCodes {
		if !covered[c] {
			t.Errorf("no golden document for %s", c)
		}
	}
}

// TestAntiPatternMessages checks each code has a message, an https source
// and only recommended patterns that exist in the built-in library.
func TestAntiPatternMessages(t *testing.T) {
	env := defaultEnv(t)
	for _, c := range AntiPatternCodes {
		ap, ok := antiPatterns[c]
		if !ok || ap.message == "" || !strings.HasPrefix(ap.href, "https://") {
			t.Errorf("%s: message %q href %q", c, ap.message, ap.href)
		}
		for _, id := range ap.patterns {
			if _, ok := env.Library.Get(id); !ok {
				t.Errorf("%s recommends unknown pattern %q", c, id)
			}
		}
	}
	for _, id := range []string{patStripeNext, patStripeFastAPI, patClerkNext, patSupabaseNext, patServerSession} {
		if _, ok := env.Library.Get(id); !ok {
			t.Errorf("unknown pattern %q", id)
		}
	}
}

// TestBuiltinLibraryHasNoAntiPatterns: the library's own warnings ("never
// store the token in localStorage") are negations, not findings.
func TestBuiltinLibraryHasNoAntiPatterns(t *testing.T) {
	env := defaultEnv(t)
	files, err := BuiltinFiles()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range files {
		src, err := os.ReadFile(filepath.Join("..", "..", f.Path))
		if err != nil {
			t.Fatal(err)
		}
		res := env.Analyze(&Input{Src: src, Path: f.Path})
		for _, fd := range res.Findings {
			if codeIndex(fd.Code) >= 0 {
				t.Errorf("%s:%d: %s: %s", f.Path, res.Lines.Line(fd.Span.Start)+1, fd.Code, fd.Message)
			}
		}
	}
}

func defaultEnv(t testing.TB) *Env {
	t.Helper()
	env, err := DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	return env
}

// A hardcoded-secret finding says what it found inside the code's own
// message, not in front of it: "POSTGRES_PASSWORD has a literal value:
// hardcoded secret: a literal credential …" read as two labels in a row.
func TestHardcodedSecretMessageNamesWhatItFound(t *testing.T) {
	env := defaultEnv(t)
	const rest = ": a literal credential in a spec ends up in code, history and logs. Read it from an environment variable or a secrets manager and rotate this value"
	for _, tc := range []struct{ src, want string }{
		{"# Plan\n\n```env\nPOSTGRES_PASSWORD=evo_todo_password\n```\n", "hardcoded secret (POSTGRES_PASSWORD has a literal value)" + rest},
		{"# Plan\n\n```yaml\nurl: postgresql://app:evo_todo_password@localhost:5432/app\n```\n", "hardcoded secret (connection URL with a literal password)" + rest},
	} {
		res := env.Analyze(&Input{Src: []byte(tc.src), Path: "/p/plan.md"})
		var got []string
		for _, f := range res.Findings {
			if f.Code == CodeHardcodedSecret {
				got = append(got, f.Message)
			}
		}
		if len(got) != 1 || got[0] != tc.want {
			t.Errorf("%q: messages %q, want %q", tc.src, got, tc.want)
		}
	}
}
