package analysis

import (
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/ipf-lsp/ipf-lsp/internal/testenv"
)

const implicitConstitution = "- Frontend: Next.js\n- Auth: Better Auth\n- Backend: FastAPI\n- ORM: SQLModel\n- Database: Neon\n- Payments: Stripe\n- Email: Resend\n- Files: Amazon S3\n"

// implicitPairs analyses src with the stack of implicitConstitution and
// returns the implied pairs, sorted.
func implicitPairs(t *testing.T, path, src string) ([]string, *Result) {
	t.Helper()
	env := stackEnv(t)
	st := env.ExtractStack("/p/.specify/memory/constitution.md", []byte(implicitConstitution)).WithOrigin(OriginConstitution)
	st.Source = "/p/.specify/memory/constitution.md"
	r := env.Analyze(&Input{Src: []byte(src), Path: path, Stack: st})
	var out []string
	for _, f := range r.Findings {
		if f.Code == CodeIntegrationPoint && f.Point != nil && f.Point.Reason != "" {
			out = append(out, f.Point.From+">"+f.Point.To)
		}
	}
	sort.Strings(out)
	return out, r
}

// Each row is one way people phrase a need, in our own words.
func TestImplicitPointsByKind(t *testing.T) {
	for _, tc := range []struct {
		kind, src, want string
	}{
		{"token requirement", "- **FR-004**: The system MUST reject requests without a valid token.\n", "better-auth>fastapi"},
		{"sign-in story from the browser", "As a visitor, I want to sign up and log in from the browser so that my lists are mine.\n", "nextjs>better-auth"},
		{"persisting data", "- **FR-007**: Notes MUST persist across restarts.\n", "fastapi>sqlmodel sqlmodel>neon"},
		{"payment", "- **FR-010**: Members can subscribe to the yearly plan.\n", "stripe>fastapi"},
		{"email", "The system sends a confirmation email after booking.\n", "fastapi>resend"},
		{"upload", "Users upload an avatar image.\n", "nextjs>s3"},
		{"token requirement with 'no'", "- **FR-001**: The system MUST reject requests that carry no valid token.\n", "better-auth>fastapi"},
		{"plain negation is no need", "We keep no tokens at all in this tool.\n", ""},
		{"question is no decision", "- What happens when a request has no token?\n", ""},
		{"rejected option", "### Option B: server sessions\n\nSessions stored in a table.\n\n**Decision**: Rejected.\n", ""},
		{"future phase", "## Future Phase\n\nPayments with subscriptions later.\n", ""},
		{"table named in code, kept by the auth library", "- `accounts` table: owned by Better Auth (id, email)\n", "better-auth>neon"},
		{"table named in code, no auth library", "- `orders` table: id, total, created_at\n", ""},
		{"row-level security beside another vendor's auth library", "- **FR-009**: Row-level security policies MUST keep each member's notes private.\n", ""},
		{"row-level security reading the auth library's user id", "- **FR-009**: Row-level security policies MUST match the user id that Better Auth issues.\n", "better-auth>neon"},
		{"the client talks to the backend", "The web app talks to the backend for every screen it shows.\n", "nextjs>fastapi"},
		{"people communicate, no API", "Support staff communicate with customers by phone.\n", ""},
		{"table whose auth library is rejected", "- `accounts` table: not Better Auth, we write our own\n", ""},
		// 后端 (backend) alone, as "backend" alone, is no API call: a
		// coding-style rule for it names no integration; its API does.
		{"backend coding style, in Chinese", "后端代码 MUST 遵循 Python 风格；前端代码 MUST 使用 TypeScript。\n", ""},
		{"the backend's API, in Chinese", "所有后端 API 返回的 JSON 字段名 MUST 使用 camelCase 格式。\n", "nextjs>fastapi"},
		// spec-kit's quote of the request the spec was written from is no
		// requirement; the lines after it, in the same paragraph, are.
		{"the request quoted by spec-kit", "**Status**: Draft\n**Input**: User description: \"As a visitor, I want to sign up and log in from the browser so that my lists are mine\"\n", ""},
		{"a line after the quote", "**Input**: User description: \"Accounts\"\n**Note**: The system MUST reject requests without a valid token.\n", "better-auth>fastapi"},
	} {
		got, _ := implicitPairs(t, "/p/specs/001-x/spec.md", tc.src)
		if strings.Join(got, " ") != tc.want {
			t.Errorf("%s: pairs %q, want %q", tc.kind, got, tc.want)
		}
	}
}

// Ten requirements about tokens in one section give one finding per pair,
// whose message names the requirement and the constitution's choices, and
// whose related information points at the constitution lines.
func TestImplicitOnePerSection(t *testing.T) {
	var b strings.Builder
	b.WriteString("## Requirements\n\n")
	for i := 1; i <= 10; i++ {
		b.WriteString("- **FR-00" + string(rune('0'+i%10)) + "**: Protected endpoints MUST check the token.\n")
	}
	got, r := implicitPairs(t, "/p/specs/001-x/spec.md", b.String())
	if strings.Join(got, " ") != "better-auth>fastapi nextjs>fastapi" {
		t.Fatalf("pairs %q", got)
	}
	for _, f := range r.Findings {
		if f.Point == nil || f.Point.Reason == "" || f.Point.From != "better-auth" {
			continue
		}
		if !strings.Contains(f.Message, "(implied by FR-001 with the constitution's stack: Better Auth, FastAPI)") {
			t.Errorf("message %q", f.Message)
		}
		if len(f.Related) != 2 || f.Related[0].Path != "/p/.specify/memory/constitution.md" || f.Related[0].Line != 1 || f.Related[1].Line != 2 {
			t.Errorf("related %+v", f.Related)
		}
	}
}

func TestOffStack(t *testing.T) {
	for _, tc := range []struct {
		name, path, src, want string
	}{
		{"another auth library", "/p/specs/001-x/plan.md", "NextAuth handles login.\n", "Warning Off-stack: Auth.js is used for auth, but the constitution chose Better Auth (constitution.md:2)"},
		{"unfilled role", "/p/specs/001-x/plan.md", "Jobs run on Celery.\n", "Information Off-stack: Celery (queue) is not in the constitution's stack, which chooses nothing for queue"},
		{"same technology", "/p/specs/001-x/plan.md", "Better Auth handles login.\n", ""},
		{"companion of the choice", "/p/specs/001-x/plan.md", "The UI uses React components.\n", ""},
		{"rejected alternative", "/p/specs/001-x/plan.md", "We considered Clerk but rejected it.\n", ""},
		{"research is not a decision", "/p/specs/001-x/research.md", "NextAuth handles login.\n", ""},
	} {
		_, r := implicitPairs(t, tc.path, tc.src)
		var got []string
		for _, f := range r.Findings {
			if f.Code == CodeOffStack {
				sev := "Warning"
				if f.Severity == SevInformation {
					sev = "Information"
				}
				got = append(got, sev+" "+f.Message)
			}
		}
		if strings.Join(got, "\n") != tc.want {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
}

func TestConstitutionNotice(t *testing.T) {
	env := stackEnv(t)
	r := env.Analyze(&Input{Src: []byte("# Spec\n"), Path: "/p/spec.md", Stack: &Stack{Missing: "none found"}})
	if len(r.Findings) != 1 || r.Findings[0].Code != CodeNoConstitution || r.Findings[0].Span.Start != 0 {
		t.Fatalf("findings %+v", r.Findings)
	}
	r = env.Analyze(&Input{Src: []byte("# Spec\n"), Path: "/p/spec.md", Stack: &Stack{Missing: "none found", Quiet: true}})
	if len(r.Findings) != 0 {
		t.Fatalf("quiet notice: %+v", r.Findings)
	}
	r = env.Analyze(&Input{Src: []byte("# Spec\n"), Path: "/p/spec.md", Stack: &Stack{Source: "/p/a.md", Others: []string{"/p/b.md"}}})
	if len(r.Findings) != 1 || !strings.Contains(r.Findings[0].Message, "/p/b.md") {
		t.Fatalf("other constitution: %+v", r.Findings)
	}
}

// TestImpliedPointsAfterTheStackGrows: the cues of a concern the stack
// cannot fill are not searched (possibleConcerns). When the constitution
// then adds the role, the document's memo must not answer with the scan
// made without them: the points are those of a fresh analysis.
func TestImpliedPointsAfterTheStackGrows(t *testing.T) {
	env := stackEnv(t)
	const path = "/p/specs/001-notes/spec.md"
	stack := func(cons string) *Stack {
		st := env.ExtractStack("/p/.specify/memory/constitution.md", []byte(cons)).WithOrigin(OriginConstitution)
		st.Source = "/p/.specify/memory/constitution.md"
		return st
	}
	small := stack("- Frontend: Next.js\n- Backend: FastAPI\n")
	full := stack(implicitConstitution)
	src := []byte("# Notes\n\n- **FR-007**: Notes MUST persist across restarts.\n- **FR-010**: Members can subscribe to the yearly plan.\n- The system sends a confirmation email after booking.\n")
	pairs := func(r *Result) []string {
		var out []string
		for _, f := range r.Findings {
			if f.Code == CodeIntegrationPoint && f.Point != nil && f.Point.Reason != "" {
				out = append(out, f.Point.From+">"+f.Point.To)
			}
		}
		sort.Strings(out)
		return out
	}
	memo := NewMemo()
	if got := pairs(env.Analyze(&Input{Src: src, Path: path, Stack: small, Memo: memo})); len(got) != 0 {
		t.Errorf("with Next.js and FastAPI only: %v, want none", got)
	}
	want := pairs(env.Analyze(&Input{Src: src, Path: path, Stack: full}))
	if strings.Join(want, " ") != "fastapi>resend fastapi>sqlmodel sqlmodel>neon stripe>fastapi" {
		t.Fatalf("fresh analysis with the full stack: %v", want)
	}
	if got := pairs(env.Analyze(&Input{Src: src, Path: path, Stack: full, Memo: memo})); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("with the memo of the smaller stack: %v, want %v", got, want)
	}
}

// TestConcernsFitASet: possibleConcerns and the memo keep the concerns as
// bits of a uint64.
func TestConcernsFitASet(t *testing.T) {
	if len(concerns) > 64 {
		t.Fatalf("%d concerns do not fit a uint64 set", len(concerns))
	}
}

// A table whose name is written as code ("`accounts` table") is still a
// table: kept by the auth library its sentence names, it is where that
// library's users live, on the line that says so.
func TestImplicitTableNamedInCode(t *testing.T) {
	src := "## Schema\n\n- `notes` table: id, body, owner_id\n- `accounts` table: owned by Better Auth (id, email)\n"
	got, r := implicitPairs(t, "/p/specs/001-x/spec.md", src)
	if strings.Join(got, " ") != "better-auth>neon" {
		t.Fatalf("pairs %q, want better-auth>neon", got)
	}
	for _, f := range r.Findings {
		if f.Point == nil || f.Point.Reason == "" {
			continue
		}
		if f.Code != CodeIntegrationPoint || r.Lines.Line(f.Span.Start) != 3 {
			t.Errorf("finding %s on line %d, want integration-point on line 3 (0-based)", f.Code, r.Lines.Line(f.Span.Start))
		}
		if !strings.HasPrefix(f.Message, "Integration point: Better Auth → Neon (implied by this line with the constitution's stack: Better Auth, Neon)") {
			t.Errorf("message %q", f.Message)
		}
	}
}

// Row-level security is the database's own feature. With an auth library of
// another vendor than the database (Better Auth over Neon), a schema that
// "enforces isolation with RLS" says nothing of the library: no point. When
// the sentence names the library, the policies read its identity, and the
// point is on that line.
func TestImplicitRowLevelSecurityOffPlatform(t *testing.T) {
	src := "## Data\n\nThe schema isolates members with foreign keys and row-level security.\n\nRLS policies compare owner_id with the id Better Auth puts in the session.\n"
	got, r := implicitPairs(t, "/p/specs/001-x/plan.md", src)
	if strings.Join(got, " ") != "better-auth>neon" {
		t.Fatalf("pairs %q, want better-auth>neon", got)
	}
	for _, f := range r.Findings {
		if f.Point == nil || f.Point.Reason == "" {
			continue
		}
		if f.Code != CodeIntegrationPoint || r.Lines.Line(f.Span.Start) != 4 {
			t.Errorf("finding %s on line %d, want integration-point on line 4 (0-based)", f.Code, r.Lines.Line(f.Span.Start))
		}
		if !strings.HasPrefix(f.Message, "Integration point: Better Auth → Neon (implied by this line with the constitution's stack: Better Auth, Neon)") {
			t.Errorf("message %q", f.Message)
		}
	}
}

// "The frontend communicates with the backend" is the frontend calling the
// backend's API, said without the word API; the point is on its line.
func TestImplicitCommunicatesWithBackend(t *testing.T) {
	src := "## Architecture\n\n- **Frontend**: communicates only with the Python backend over HTTPS.\n"
	got, r := implicitPairs(t, "/p/.specify/memory/constitution.md", src)
	if strings.Join(got, " ") != "nextjs>fastapi" {
		t.Fatalf("pairs %q, want nextjs>fastapi", got)
	}
	for _, f := range r.Findings {
		if f.Point == nil || f.Point.Reason == "" {
			continue
		}
		if f.Code != CodeIntegrationPoint || r.Lines.Line(f.Span.Start) != 2 {
			t.Errorf("finding %s on line %d, want integration-point on line 2 (0-based)", f.Code, r.Lines.Line(f.Span.Start))
		}
		if !strings.HasPrefix(f.Message, "Integration point: Next.js → FastAPI (implied by this line with the constitution's stack: Next.js, FastAPI)") {
			t.Errorf("message %q", f.Message)
		}
	}
}

// TestNoRepeatsSameFindings: without repeats (Input.NoRepeats, as check
// analyses), each corpus document has the same findings and points, and
// no repeats; with them, some documents have repeats.
func TestNoRepeatsSameFindings(t *testing.T) {
	env := testEnv(t)
	repeats := 0
	for i, src := range testenv.CorpusDocs(t, 0) {
		with := env.Analyze(&Input{Src: src, Path: "/p/specs/001-x/plan.md"})
		without := env.Analyze(&Input{Src: src, Path: "/p/specs/001-x/plan.md", NoRepeats: true})
		repeats += len(with.Repeats)
		if len(without.Repeats) != 0 {
			t.Errorf("document %d: %d repeats with NoRepeats", i, len(without.Repeats))
		}
		if g, w := findingLines(without), findingLines(with); !reflect.DeepEqual(g, w) {
			t.Errorf("document %d: findings differ without repeats:\n got %v\nwant %v", i, g, w)
		}
		if len(without.Points) != len(with.Points) {
			t.Errorf("document %d: %d points without repeats, %d with", i, len(without.Points), len(with.Points))
		}
	}
	if repeats == 0 {
		t.Fatal("no corpus document has repeats: the test shows nothing")
	}
}

// The constitution notices sit on the document's first line with text: a
// document that starts with blank lines (corpus: oriva-platform's
// 001-continued-api-migration/plan.md) had them on an empty range of the
// blank line 0, which marks nothing in the editor.
func TestConstitutionNoticeSkipsLeadingBlankLines(t *testing.T) {
	env := stackEnv(t)
	for _, src := range []string{"\n# Spec\n", "\r\n  \r\n# Spec\r\n", "\n\n# Spec"} {
		for _, st := range []*Stack{{Missing: "none found"}, {Source: "/p/a.md", Others: []string{"/p/b.md"}}} {
			r := env.Analyze(&Input{Src: []byte(src), Path: "/p/spec.md", Stack: st})
			if len(r.Findings) != 1 {
				t.Fatalf("%q: findings %+v", src, r.Findings)
			}
			if got := src[r.Findings[0].Span.Start:r.Findings[0].Span.End]; got != "# Spec" {
				t.Errorf("%q: %s notice on %q, want %q", src, r.Findings[0].Code, got, "# Spec")
			}
		}
	}
	r := env.Analyze(&Input{Src: []byte("\n\n"), Path: "/p/spec.md", Stack: &Stack{Missing: "none found"}})
	if len(r.Findings) != 1 || r.Findings[0].Span != (Span{0, 0}) {
		t.Errorf("blank document: findings %+v, want one at 0", r.Findings)
	}
}
