package analysis

import (
	"sort"
	"strings"
	"testing"
)

// pointFindings analyses src (at path) with the stack a constitution text
// chooses (none when constitution is "") and returns the integration-point
// findings a user sees, as "line from>to" with 1-based lines, sorted.
func pointFindings(t *testing.T, constitution, path, src string) []string {
	t.Helper()
	env := stackEnv(t)
	var st *Stack
	if constitution != "" {
		st = env.ExtractStack("/p/.specify/memory/constitution.md", []byte(constitution)).WithOrigin(OriginConstitution)
		st.Source = "/p/.specify/memory/constitution.md"
	}
	r := env.Analyze(&Input{Src: []byte(src), Path: path, Stack: st})
	var out []string
	for _, f := range r.Findings {
		if f.Code == CodeIntegrationPoint && f.Point != nil {
			out = append(out, itoa(r.Lines.Line(f.Span.Start)+1)+" "+f.Point.From+">"+f.Point.To)
		}
	}
	sort.Strings(out)
	return out
}

type kindCase struct {
	kind, constitution, path, src string
	want                           string // pointFindings joined by ", "
}

func runKinds(t *testing.T, cases []kindCase) {
	t.Helper()
	for _, tc := range cases {
		path := tc.path
		if path == "" {
			path = "/p/specs/001-x/spec.md"
		}
		got := strings.Join(pointFindings(t, tc.constitution, path, tc.src), ", ")
		if got != tc.want {
			t.Errorf("%s:\n got  %q\n want %q", tc.kind, got, tc.want)
		}
	}
}

const pyStack = "- Frontend: Next.js\n- Auth: Better Auth\n- Backend: FastAPI\n- ORM: SQLModel\n- Database: Neon\n"

// A JWT library is a part of the service that uses it, not a second
// component: naming it next to the backend or the auth library is no
// integration point of its own.
func TestKindJWTLibraryIsPartOfTheBackend(t *testing.T) {
	runKinds(t, []kindCase{
		{kind: "library verifying in the backend", src: "FastAPI decodes the token with PyJWT.\n", want: ""},
		{kind: "library next to the issuer", src: "Tokens from Better Auth are checked with python-jose.\n", want: ""},
		{kind: "the real pair on the same line stays", constitution: pyStack, src: "FastAPI verifies the Better Auth token using PyJWT.\n", want: "1 better-auth>fastapi"},
	})
}
