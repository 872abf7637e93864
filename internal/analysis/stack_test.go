package analysis

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

func stackEnv(t *testing.T) *Env {
	t.Helper()
	env, err := DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	return env
}

func TestExtractStack(t *testing.T) {
	env := stackEnv(t)
	for _, tc := range []struct {
		name, src string
		want      string // sorted technology ids
	}{
		{"list", "## Stack\n\n- Frontend: Next.js\n- Backend: FastAPI\n", "fastapi nextjs"},
		{"table", "| Layer | Choice |\n|---|---|\n| Auth | Clerk |\n| ORM | Prisma |\n", "clerk prisma"},
		{"field", "**Primary Dependencies**: Express, Mongoose\n**Storage**: MongoDB\n", "express mongodb mongoose"},
		{"prose with semicolons", "Auth: sign-in with Better Auth; Data: kept in Neon; UI: built with Vue.\n", "better-auth neon vue"},
		{"rejected alternative", "- Auth: Better Auth\n\nAlternatives considered: Auth0, Clerk.\n", "better-auth"},
		{"negation", "We MUST NOT use Firebase Auth. The API is Django.\n", "django"},
		{"placeholder", "**Storage**: [e.g., PostgreSQL, SQLite or NEEDS CLARIFICATION]\n", ""},
		{"html comment", "<!--\nExample: FastAPI with Redis\n-->\n# [PROJECT_NAME] Constitution\n", ""},
	} {
		st := env.ExtractStack("c.md", []byte(tc.src))
		if got := strings.Join(st.Techs(), " "); got != tc.want {
			t.Errorf("%s: stack %q, want %q", tc.name, got, tc.want)
		}
	}
}

// Stacks of real constitutions: the technologies a reader sees chosen, and
// nothing from an unfilled template.
func TestExtractStackCorpus(t *testing.T) {
	dir := testenv.CorpusDir(t)
	env := stackEnv(t)
	for _, tc := range []struct {
		path string
		want []string // must be present
		role map[Role]string
	}{
		{"syeda-codetech12__Todo-fullstack-app/.specify/memory/constitution.md", []string{"nextjs", "better-auth", "fastapi", "sqlmodel", "neon"},
			map[Role]string{RoleFrontend: "nextjs", RoleAuth: "better-auth", RoleBackend: "fastapi", RoleORM: "sqlmodel"}},
		{"Laparo__hemera/.specify/memory/constitution.md", []string{"nextjs", "clerk", "stripe", "prisma"},
			map[Role]string{RoleAuth: "clerk", RoleORM: "prisma", RolePayments: "stripe"}},
		{"PabloHerreraTajamar__Speckit-demo/.specify/memory/constitution.md", nil, nil},
	} {
		src, err := os.ReadFile(filepath.Join(dir, tc.path))
		if err != nil {
			t.Fatal(err)
		}
		st := env.ExtractStack(tc.path, src)
		have := map[string]bool{}
		for _, en := range st.Entries {
			have[en.Tech] = true
		}
		for _, w := range tc.want {
			if !have[w] {
				t.Errorf("%s: %s missing from %v", tc.path, w, st.Techs())
			}
		}
		if tc.want == nil && len(st.Entries) > 0 {
			t.Errorf("%s: an unfilled template chose %v", tc.path, st.Techs())
		}
		for r, w := range tc.role {
			if en, ok := st.For(r); !ok || en.Tech != w {
				t.Errorf("%s: %s is %q, want %q", tc.path, r, en.Tech, w)
			}
		}
	}
}
