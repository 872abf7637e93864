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
	want                          string // pointFindings joined by ", "
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

const clerkStack = "- Frontend: Next.js\n- Auth: Clerk\n- ORM: Prisma\n- Database: PostgreSQL\n"

// Signing in joins the frontend and the auth library when the text speaks of
// the client side. With a backend in the stack, "users sign in" alone does
// not say where (the backend may hold the login); without one, the frontend
// is the only place it can happen.
func TestKindSignInNeedsTheClientSide(t *testing.T) {
	runKinds(t, []kindCase{
		{kind: "sign-in alone, stack with a backend", constitution: pyStack, src: "- **FR-001**: Users MUST be able to sign in with e-mail and password.\n", want: ""},
		{kind: "sign-in alone, no backend", constitution: clerkStack, src: "- **FR-001**: Users MUST be able to sign in with e-mail and password.\n", want: "1 nextjs>clerk"},
		{kind: "the frontend in the sentence", constitution: pyStack, src: "Better Auth handles sign-up and login on the frontend.\n", want: "1 nextjs>better-auth"},
		{kind: "an auth client", constitution: pyStack, src: "The pages read the session through the auth client.\n", want: "1 nextjs>better-auth"},
		{kind: "the frontend word alone", constitution: pyStack, src: "Frontend, backend and authentication stay separate layers.\n", want: ""},
		{kind: "frontend and backend are the two ends of the API", constitution: pyStack, src: "Login goes through Better Auth; JSON flows frontend-backend over REST.\n", want: "1 nextjs>fastapi"},
		{kind: "a list of the stack", constitution: pyStack, src: "- Frontend: Next.js 16, React 19, Better Auth, Tailwind CSS\n", want: ""},
		{kind: "a line's label is not the frontend", constitution: pyStack, src: "1. Frontend: Better Auth handles login\n", want: ""},
		{kind: "where the client keeps the token", constitution: pyStack, src: "**Choice**: the JWT is kept in memory by the Better Auth client.\n", want: ""},
		{kind: "terse item under an auth heading", constitution: pyStack, src: "### Authentication\n\n- Done with Better Auth\n- Runs in the frontend\n", want: "4 nextjs>better-auth"},
	})
}

// What the browser keeps (a token in localStorage, a session surviving a
// reload) is neither the backend verifying a token nor data in the database.
func TestKindClientStorageIsNotPersistence(t *testing.T) {
	runKinds(t, []kindCase{
		{kind: "session survives a reload", constitution: pyStack, src: "- **SC-005**: Sessions persist across page reloads.\n", want: ""},
		{kind: "token kept in the browser", constitution: pyStack, src: "- The JWT is stored in localStorage after login.\n", want: ""},
		{kind: "data kept in the database", constitution: pyStack, src: "- **FR-009**: Tasks persist across restarts.\n", want: "1 fastapi>sqlmodel, 1 sqlmodel>neon"},
	})
}

// In a feature about signing in or about the frontend (its folder says so),
// "users can create and delete their notes" is the context the feature
// works in; the storage of those notes is another feature's. Text that names
// the storage still implies the storage chain.
func TestKindNarrowFeatureStorageNeedsStorageWords(t *testing.T) {
	runKinds(t, []kindCase{
		{kind: "data operations in an auth feature", constitution: pyStack, path: "/p/specs/002-login-tokens/spec.md", src: "Once signed in, people create, update and delete their notes.\n", want: ""},
		{kind: "data operations in a frontend feature", constitution: pyStack, path: "/p/specs/003-frontend-shell/plan.md", src: "- A notes screen with CRUD operations\n", want: ""},
		{kind: "the database named in an auth feature", constitution: pyStack, path: "/p/specs/002-login-tokens/spec.md", src: "- **FR-006**: The user id MUST persist in the database as text.\n", want: "1 fastapi>sqlmodel, 1 sqlmodel>neon"},
		{kind: "data operations elsewhere", constitution: pyStack, path: "/p/specs/004-notes/spec.md", src: "People create, update and delete their notes.\n", want: "1 fastapi>sqlmodel, 1 sqlmodel>neon"},
	})
}

const nextPrismaStack = "- Frontend: Next.js\n- Auth: Better Auth\n- ORM: Prisma\n- Database: PostgreSQL\n"

// A plan's "**Storage**:" field that names a database declares the feature's
// storage. In a feature about signing in, what it keeps is the auth
// library's own data, when the library stores it through the stack's ORM.
func TestKindDeclaredStorageField(t *testing.T) {
	runKinds(t, []kindCase{
		{kind: "storage field in an auth feature", constitution: nextPrismaStack, path: "/p/specs/002-google-login/plan.md", src: "**ORM**: Prisma\n**Storage**: PostgreSQL\n", want: "2 better-auth>prisma, 2 prisma>postgresql"},
		{kind: "storage field elsewhere", constitution: nextPrismaStack, path: "/p/specs/005-bookings/plan.md", src: "**Storage**: PostgreSQL\n", want: "1 nextjs>prisma, 1 prisma>postgresql"},
		{kind: "storage field naming no database", constitution: nextPrismaStack, path: "/p/specs/005-bookings/plan.md", src: "**Storage**: the identity provider's user metadata\n", want: ""},
		{kind: "hosted identity keeps its own users", constitution: "- Frontend: React\n- Auth: Cognito\n- Backend: Express\n- Database: DynamoDB\n", path: "/p/specs/002-authentication/plan.md", src: "**Storage**: DynamoDB single table\n", want: "1 express>dynamodb"},
	})
}

// Supabase's Edge Functions are the backend of a Supabase project: payment
// webhooks and e-mails go through them, and they use the project's own
// database (no pair with it).
func TestKindSupabaseFunctionsAsBackend(t *testing.T) {
	st := "- Frontend: Next.js\n- Backend: Supabase Edge Functions, PostgreSQL\n- Database: Supabase\n- Payments: Stripe\n- Email: Resend\n"
	runKinds(t, []kindCase{
		{kind: "webhook handled by the functions", constitution: st, src: "- **FR-020**: Stripe webhooks MUST be recorded once.\n", want: "1 supabase-functions>stripe"},
		{kind: "e-mail sent by the functions", constitution: st, src: "- **FR-021**: The system sends a receipt email to the buyer.\n", want: "1 supabase-functions>resend"},
		{kind: "the functions store in their own database", constitution: st, src: "- **FR-022**: Orders persist in the database.\n", want: ""},
	})
}

// A requirement that names which technology of a role it is about gets
// that one, not only the stack's main choice: "PayPal webhooks" with Stripe
// and PayPal in the stack, or a tool that reaches MySQL and PostgreSQL.
func TestKindSentenceNamesTheTechnology(t *testing.T) {
	runKinds(t, []kindCase{
		{kind: "second payment provider", constitution: pyStack + "- Payments: Stripe, PayPal\n", src: "- **FR-030**: PayPal webhooks MUST update the order.\n", want: "1 fastapi>paypal"},
		{kind: "main payment provider when none is named", constitution: pyStack + "- Payments: Stripe, PayPal\n", src: "- **FR-031**: Refunds MUST be recorded.\n", want: "1 stripe>fastapi"},
		{kind: "two databases", constitution: "- Backend: FastAPI\n- Storage: SQLite\n", src: "- **FR-040**: Users query their own MySQL or PostgreSQL databases.\n", want: "1 fastapi>mysql, 1 fastapi>postgresql"},
	})
}

// SQLModel is built on SQLAlchemy: named together, SQLAlchemy is its engine,
// not a second ORM with points of its own.
func TestKindSQLAlchemyUnderSQLModel(t *testing.T) {
	runKinds(t, []kindCase{
		{kind: "engine named next to the ORM", constitution: pyStack, src: "- **FR-050**: Records persist through SQLModel (SQLAlchemy underneath) in the database.\n", want: "1 fastapi>sqlmodel, 1 sqlmodel>neon"},
		{kind: "migrations of the engine's models", constitution: pyStack + "- Migrations: Alembic\n", src: "Alembic migrates the SQLAlchemy metadata.\n", want: ""},
	})
}

// A dependency list that names packages in code spans chooses them like
// prose would: the ORM known only as `typeorm` still sits between the
// backend and the database. Paths and calls in code spans name nothing.
func TestKindPackageInCodeSpan(t *testing.T) {
	runKinds(t, []kindCase{
		{kind: "ORM as a package", path: "/p/specs/001-accounts/plan.md", src: "- Backend: NestJS with `@nestjs/typeorm`, `pg`\n\n**Storage**: PostgreSQL\n", want: "3 nestjs>typeorm, 3 typeorm>postgresql"},
		{kind: "a path is no package", path: "/p/specs/001-accounts/plan.md", src: "- Backend: NestJS, schema in `typeorm/entities.ts`\n\n**Storage**: PostgreSQL\n", want: "3 nestjs>postgresql"},
	})
}

// Row-level security keyed on the signed-in user is where Supabase Auth's
// identity meets the Supabase database, whichever of the two the stack
// names. RLS alone ("on every table") is a feature of the database.
func TestKindPlatformAuthMeetsItsDatabase(t *testing.T) {
	authOnly := "- Frontend: Next.js\n- Auth: Supabase Auth\n"
	dbOnly := "- Frontend: React\n- Database: Supabase\n"
	runKinds(t, []kindCase{
		{kind: "auth named, rows per user", constitution: authOnly, src: "- **FR-010**: Row-level security MUST keep each user's notes private.\n", want: "1 supabase-auth>supabase"},
		{kind: "database named, unauthorized reads refused", constitution: dbOnly, src: "Unauthorized reads return nothing (RLS policies).\n", want: "1 supabase-auth>supabase"},
		{kind: "RLS as a database feature", constitution: dbOnly, src: "- RLS enabled on all tables\n", want: ""},
		{kind: "policies keyed on auth.uid() in the document", constitution: dbOnly, path: "/p/specs/002-notes/data-model.md", src: "**Security**: RLS on all tables\n\n```sql\nCREATE POLICY p ON notes USING (owner = auth.uid());\n```\n", want: "1 supabase-auth>supabase"},
	})
}

// Supabase runs PostgreSQL: "Supabase (PostgreSQL)" or PostGIS in a Supabase
// stack names one database, the platform, and the platform's functions
// using "PostgreSQL" are not a pair of two technologies.
func TestKindPlatformRunsItsEngine(t *testing.T) {
	st := "- Backend: FastAPI\n- Database: Supabase (PostgreSQL) with PostGIS for maps\n"
	runKinds(t, []kindCase{
		{kind: "engine named with its platform", constitution: st, src: "- **FR-001**: Parcels persist in the database (Supabase, PostgreSQL).\n", want: "1 fastapi>supabase"},
		{kind: "engine named alone", constitution: st, src: "- **FR-002**: PostGIS stores the parcels as the database of record.\n", want: "1 fastapi>supabase"},
		{kind: "platform functions with the engine", src: "- Backend: Supabase Edge Functions for webhooks, PostgreSQL for payment records\n", want: ""},
	})
}

const hostedStack = "- Frontend: Next.js\n- Backend: FastAPI\n- Database: Neon\n- Hosting: Vercel\n"

// Where the code runs is an integration point when the document says so: a
// backend that allows the browser's cross-origin calls meets the host whose
// origin it allows (when the document names the host), and a deployment
// sentence that names the host and is not about the frontend puts the
// backend there. A future phase's hosting chooses nothing, and a data model
// describes tables, not where their users run.
func TestKindHostingPoints(t *testing.T) {
	runKinds(t, []kindCase{
		{kind: "CORS with the host named in the document", src: "- Frontend: Next.js on Vercel\n- Backend: FastAPI\n\n### Security\n\n- Cross-origin requests allowed for the production site\n", want: "1 nextjs>vercel, 6 fastapi>vercel"},
		{kind: "CORS with the host only in the constitution", constitution: hostedStack, src: "- CORS must allow the site's origin\n", want: ""},
		{kind: "backend deployment on the host", src: "**Backend**: Express 4\n\n**Target Platform**: Node.js, Vercel serverless deployment\n", want: "3 express>vercel"},
		{kind: "frontend deployment on the host", src: "**Backend**: Express 4\n\n- Deploy the frontend to Vercel\n", want: ""},
		{kind: "hosting of a future phase", src: "**Backend**: FastAPI\n\n## Deployment (Future Phase)\n\n- Backend deployed to Vercel; CORS allowed\n", want: ""},
		{kind: "a data model and the host (no backend)", constitution: "- Frontend: React\n- Database: Supabase\n- Hosting: Vercel\n", path: "/p/specs/003-notes/data-model.md", src: "- Notes are stored in the database\n", want: ""},
		{kind: "a data model and the host", constitution: hostedStack, path: "/p/specs/003-notes/data-model.md", src: "- Notes are stored in the database\n", want: "1 fastapi>neon"},
	})
}

// In an enumeration, what joins two items stands after the last comma
// between them: the "+" of a version ("Next.js 16+,") or inside an earlier
// item ("React 18 + Vite, Express") joins nothing across the comma.
func TestKindEnumerationIsNotAConnector(t *testing.T) {
	runKinds(t, []kindCase{
		{kind: "version plus before a comma", src: "Our picks are Next.js 16+, Tailwind, Better Auth.\n", want: ""},
		{kind: "plus inside an earlier item", src: "Dependencies are React 18 + Vite + Tailwind, Tauri 2, Express 4.\n", want: ""},
		{kind: "connector after the comma", src: "Better Auth issues the token, and FastAPI verifies it.\n", want: "1 better-auth>fastapi"},
	})
}

// A frontend whose calls go to a managed API gateway in front of the
// backend does not call the backend itself.
func TestKindAPIGatewayInFront(t *testing.T) {
	st := "- Frontend: React\n- Auth: Cognito\n- Backend: Express\n- Database: DynamoDB\n"
	runKinds(t, []kindCase{
		{kind: "calls end at the gateway", constitution: st, src: "- **FR-009**: Every API request carries the token; API Gateway checks it before the function runs.\n", want: "1 cognito>express"},
		{kind: "no gateway", constitution: st, src: "- **FR-009**: Every API request carries the token.\n", want: "1 cognito>express, 1 react>express"},
	})
}

// An ORM that ships its own migrations (Prisma Migrate, TypeORM) applies
// them to the database when the stack has no migration tool; "migrate"
// about code (an interface, a provider) is no schema change.
func TestKindORMOwnMigrations(t *testing.T) {
	st := "- Frontend: Next.js\n- Auth: Clerk\n- ORM: Prisma\n- Database: PostgreSQL\n"
	runKinds(t, []kindCase{
		{kind: "schema migrations by the ORM", constitution: st, src: "- Prisma migrations need the unpooled connection string.\n", want: "1 prisma>postgresql"},
		{kind: "migration words about code", constitution: st, src: "- Migrate the session helpers to the new provider\n", want: ""},
		{kind: "an ORM without migrations of its own", constitution: "- Backend: FastAPI\n- ORM: SQLModel\n- Database: PostgreSQL\n", src: "- Schema migrations run on deploy.\n", want: ""},
	})
}

// A backend framework that serves an API layer (GraphQL, tRPC) is its
// transport: requests are checked where the API layer resolves them, and
// data goes from the resolvers through the application's own services to
// the ORM, so the storage chain starts at the ORM.
func TestKindAPILayerBehindTheBackend(t *testing.T) {
	st := "- Transport: Express\n- API layer: Apollo GraphQL\n- Persistence: MongoDB via Mongoose\n- Auth: Better Auth\n"
	runKinds(t, []kindCase{
		{kind: "protected requests", constitution: st, src: "- **FR-003**: Every protected query needs a valid session token.\n", want: "1 graphql>better-auth"},
		{kind: "storage", constitution: st, src: "- **FR-004**: Rentals persist in the database.\n", want: "1 mongoose>mongodb"},
		{kind: "no API layer", constitution: "- Backend: Express\n- Database: MongoDB via Mongoose\n", src: "- **FR-004**: Rentals persist in the database.\n", want: "1 express>mongoose, 1 mongoose>mongodb"},
	})
}

// Where an auth library keeps its users: an adapter named after a
// technology of the stack goes to it ("mongodbAdapter" reaches MongoDB past
// the ORM), and the library's sign-in callback writes through the storage
// its sentence names; a callback that names no storage keeps nothing.
func TestKindAuthLibraryStorage(t *testing.T) {
	mongo := "- Backend: Express\n- Auth: Better Auth\n- Database: MongoDB via Mongoose\n"
	prisma := "- Auth: Auth.js\n- ORM: Prisma\n- Database: PostgreSQL\n"
	runKinds(t, []kindCase{
		{kind: "adapter named after the database", constitution: mongo, src: "Better Auth uses its mongodbAdapter on the instance the app already has.\n", want: "1 better-auth>mongodb"},
		{kind: "adapter in general goes through the ORM", constitution: mongo, src: "Better Auth keeps its users through an adapter.\n", want: "1 better-auth>mongoose"},
		{kind: "sign-in callback writing with the ORM", constitution: prisma, src: "Create the user with a Prisma upsert in the `signIn` callback.\n", want: "1 authjs>prisma"},
		{kind: "sign-in callback naming no storage", constitution: prisma, src: "The `signIn` callback returns false for strangers.\n", want: ""},
		{kind: "a callback of something else", constitution: prisma, src: "The payment provider's callback writes with Prisma.\n", want: ""},
	})
}

// The browser loading a payment provider's script or UI kit that its
// sentence names is the frontend meeting the provider; "scripts" that name
// no provider are not.
func TestKindFrontendLoadsPaymentSDK(t *testing.T) {
	st := "- Frontend: Next.js (static export)\n- Payments: Stripe, PayPal\n"
	runKinds(t, []kindCase{
		{kind: "provider scripts loaded after consent", constitution: st, src: "- Ask for consent before loading the Stripe and PayPal scripts.\n", want: "1 nextjs>paypal, 1 stripe>nextjs"},
		{kind: "card form from the UI kit", constitution: st, src: "- The card form uses Stripe Elements.\n", want: "1 stripe>nextjs"},
		{kind: "scripts naming no provider", constitution: st, src: "- Build scripts run in CI.\n", want: ""},
	})
}
