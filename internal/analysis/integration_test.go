package analysis

import (
	"fmt"
	"strings"
	"testing"
)

func pointsOf(t *testing.T, src string) []string {
	t.Helper()
	env, err := DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	r := env.Analyze(&Input{Src: []byte(src)})
	var out []string
	for _, p := range r.Points {
		s := p.From + "→" + p.To
		if p.Documented {
			s += " (documented)"
		}
		if len(p.Patterns) > 0 {
			s += " " + p.Patterns[0]
		}
		out = append(out, s)
	}
	return out
}

func TestExplicitIntegrationPoints(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"arrow", "Better Auth → FastAPI", []string{"better-auth→fastapi better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		{"ascii arrow in a list item", "- FastAPI -> SQLModel", []string{"fastapi→sqlmodel fastapi-sqlmodel/one-engine-lifespan-startup-and-an-annotated-session-dependency-with-yield"}},
		{"verb joins a sentence", "Better Auth issues a JWT that FastAPI verifies.", []string{"better-auth→fastapi better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		{"direction follows the library, not the text", "FastAPI verifies tokens from Better Auth.", []string{"better-auth→fastapi better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		{"heading", "## Next.js + Better Auth\n", []string{"nextjs→better-auth nextjs-better-auth/app-router-handler-client-and-server-side-session-check"}},
		{"table row", "| Auth | Better Auth | Next.js |\n|---|---|---|\n", nil},
		{"table row with a connector", "| Layer | Flow |\n|---|---|\n| API | Next.js calls FastAPI |\n", []string{"nextjs→fastapi nextjs-fastapi/rest-calls-with-a-bearer-token-and-explicit-cors-origins"}},
		{"two sentences do not join", "We use Next.js. FastAPI is elsewhere.", nil},
		{"same role does not integrate", "Neon and PostgreSQL.", nil},
		{"rejected side does not join", "Better Auth instead of NextAuth.", nil},
		{"keyword picks the pattern", "FastAPI tests override the session with dependency_overrides and SQLModel.", []string{"fastapi→sqlmodel fastapi-sqlmodel/tests-with-dependency-overrides-and-in-memory-sqlite-staticpool"}},
		{"neon falls back to its own pair", "SQLModel connects to Neon.", []string{"sqlmodel→neon sqlmodel-neon/pooled-url-for-the-app-direct-url-for-migrations-tls-via-sslmode"}},
		{"one point per pair per section", "# A\n\nNext.js calls FastAPI.\n\nNext.js calls FastAPI again.\n", []string{"nextjs→fastapi nextjs-fastapi/rest-calls-with-a-bearer-token-and-explicit-cors-origins"}},
		{"documented pair", "Better Auth → FastAPI\n\n## Integration: Better Auth → FastAPI\n", []string{"better-auth→fastapi (documented) better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		{"documented by a setext heading", "Better Auth → FastAPI\n\nIntegration: Better Auth → FastAPI\n---\n", []string{"better-auth→fastapi (documented) better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		{"documented by a level-1 setext heading", "Better Auth → FastAPI\n\nIntegration: Better Auth → FastAPI\n===\n", []string{"better-auth→fastapi (documented) better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		{"a paragraph's last line is no setext heading", "We connect them.\nIntegration: Better Auth → FastAPI\n---\n", []string{"better-auth→fastapi better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		// A heading inside an HTML comment (commented out), an HTML block or
		// the front matter (a YAML comment there) is no heading: the pair
		// stays to document.
		{"a commented-out heading documents nothing", "Better Auth → FastAPI\n\n<!--\n## Integration: Better Auth → FastAPI\n-->\n", []string{"better-auth→fastapi better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		{"a heading in an HTML block documents nothing", "Better Auth → FastAPI\n\n<div>\n## Integration: Better Auth → FastAPI\n</div>\n", []string{"better-auth→fastapi better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		{"a YAML comment in the front matter documents nothing", "---\ntitle: x\n## Integration: Better Auth → FastAPI\n---\nBetter Auth → FastAPI\n", []string{"better-auth→fastapi better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		{"a heading after a comment documents", "Better Auth → FastAPI\n\n<!-- x -->\n\n## Integration: Better Auth → FastAPI\n", []string{"better-auth→fastapi (documented) better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		// The keywords in any case.
		{"documented by a lower-case heading", "Better Auth → FastAPI\n\n## integration: Better Auth → FastAPI\n", []string{"better-auth→fastapi (documented) better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		{"documented by an upper-case heading", "Better Auth → FastAPI\n\n## INTEGRATION: Better Auth → FastAPI\n", []string{"better-auth→fastapi (documented) better-auth-fastapi/jwt-bearer-verified-with-jwks"}},
		{"documented with versions in the heading", "Next.js 16 uses Better Auth.\n\n## Integration: Next.js 16 (App Router) ↔ Better Auth\n", []string{"nextjs→better-auth (documented) nextjs-better-auth/app-router-handler-client-and-server-side-session-check"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := pointsOf(t, tt.src)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

func TestFindingsAndSuppressionOfDocumentedPairs(t *testing.T) {
	env, err := DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	src := "Better Auth → FastAPI\n\nNext.js calls FastAPI.\n\n## Integration: Better Auth → FastAPI\n"
	r := env.Analyze(&Input{Src: []byte(src)})
	var got []string
	for _, f := range r.Findings {
		got = append(got, f.Code+" "+src[f.Span.Start:f.Span.End])
	}
	want := []string{"integration-point Next.js calls FastAPI"}
	if strings.Join(got, "|") != strings.Join(want, "|") {
		t.Fatalf("got %q, want %q", got, want)
	}
}

func TestInsertSection(t *testing.T) {
	tests := []struct{ name, src, want string }{
		{"new heading", "# Doc\n", "# Doc\n\n## Integration Patterns\n\nX\n"},
		{"no final newline", "# Doc", "# Doc\n\n## Integration Patterns\n\nX\n"},
		{"existing heading reused", "# Doc\n\n## Integration Patterns\n\nA\n", "# Doc\n\n## Integration Patterns\n\nA\n\nX\n"},
		{"CRLF kept", "# Doc\r\n", "# Doc\r\n\r\n## Integration Patterns\r\n\r\nX\r\n"},
		{"empty document", "", "## Integration Patterns\n\nX\n"},
		{"part followed by another section", "# Doc\r\n\r\n## Integration Patterns\r\n\r\nTBD\r\n\r\n## Appendix\r\n\r\nText.\r\n", "# Doc\r\n\r\n## Integration Patterns\r\n\r\nTBD\r\n\r\nX\r\n\r\n## Appendix\r\n\r\nText.\r\n"},
		{"integration sections belong to the part", "## Integration Patterns\n\n## Integration: A → B\n\nP\n\n# Next\n", "## Integration Patterns\n\n## Integration: A → B\n\nP\n\nX\n\n# Next\n"},
		{"heading inside a fence does not count", "# Doc\n\n```md\n## Integration Patterns\n```\n", "# Doc\n\n```md\n## Integration Patterns\n```\n\n## Integration Patterns\n\nX\n"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			e := InsertSection([]byte(tt.src), "X\n")
			got := tt.src[:e.Span.Start] + e.Text + tt.src[e.Span.End:]
			if got != tt.want {
				t.Errorf("got %q, want %q", got, tt.want)
			}
		})
	}
}

func TestNothingFoundInsideAdoptedPatterns(t *testing.T) {
	env, err := DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	p, _ := env.Library.Get("better-auth-fastapi/jwt-bearer-verified-with-jwks")
	src := "# Plan\n\n" + env.SectionText(p.From, p.To, p)
	r := env.Analyze(&Input{Src: []byte(src)})
	for _, f := range r.Findings {
		t.Errorf("finding inside an adopted pattern: %s %q", f.Code, src[f.Span.Start:f.Span.End])
	}
	for _, pt := range r.Points {
		if !pt.Documented {
			t.Errorf("undocumented point inside an adopted pattern: %+v", pt)
		}
	}
}

// TestIntegrationHeadingMarkup: the technologies of an `## Integration:`
// heading may be links, or be followed by one or by an autolink, hold HTML
// entities, or be joined by a left arrow; each heading documents the pair
// and names no unknown technology. The raw text was split at every "/", so
// '[Better Auth](https://www.better-auth.com/docs) → FastAPI' got 'unknown
// technology "www.better-auth.com"' and '"docs)"'; "&" split
// "Better&nbsp;Auth"; and 'FastAPI ← Better Auth' was one unknown
// technology, the pair staying reported as undocumented.
func TestIntegrationHeadingMarkup(t *testing.T) {
	env, err := DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	for _, heading := range []string{
		"[Better Auth](https://www.better-auth.com/docs) → FastAPI",
		"Better Auth → [FastAPI](https://fastapi.tiangolo.com/)",
		`[Better Auth](https://www.better-auth.com/docs "docs") → [FastAPI](<https://fastapi.tiangolo.com/>)`,
		"Better Auth → FastAPI ([docs](https://www.better-auth.com/docs/plugins/jwt))",
		"Better Auth → FastAPI <https://www.better-auth.com/docs/plugins/jwt>",
		"[Better Auth](https://en.wikipedia.org/wiki/Auth_(computing)) → FastAPI",
		"Better&nbsp;Auth → FastAPI",
		"Better Auth &rarr; FastAPI",
		"Better Auth &#8594; FastAPI",
		// The data flowing from the right.
		"FastAPI ← Better Auth",
		"FastAPI⟵Better Auth",
	} {
		src := "FR-001: Better Auth issues a JWT that FastAPI verifies.\n\n## Integration: " + heading + "\n"
		res := env.Analyze(&Input{Src: []byte(src), Path: "plan.md"})
		var got []string
		for _, f := range res.Findings {
			got = append(got, f.Code+": "+f.Message)
		}
		if len(got) != 0 {
			t.Errorf("%s: got %q, want no finding (pair documented, no unknown technology)", heading, got)
		}
	}
	if got, want := fmt.Sprint(env.HeadingPairs("Neon ← SQLModel ← FastAPI")), "[[neon sqlmodel] [sqlmodel fastapi]]"; got != want {
		t.Errorf("chain: pairs %s, want %s", got, want)
	}
}
