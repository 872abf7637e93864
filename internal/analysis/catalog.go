package analysis

import (
	"fmt"
	"sort"
	"strings"
)

// Role is the part a technology plays in a stack.
type Role string

// Roles used by the catalog. Integration rules are stated between roles, so a
// new technology only needs a role to take part in them.
const (
	RoleFrontend Role = "frontend"
	RoleAuth     Role = "auth"
	RoleBackend  Role = "backend"
	RoleAPI      Role = "api"
	RoleORM      Role = "orm"
	RoleMigrate  Role = "migrations"
	RoleDatabase Role = "database"
	RoleCache    Role = "cache"
	RoleQueue    Role = "queue"
	RolePayments Role = "payments"
	RoleEmail    Role = "email"
	RoleStorage  Role = "storage"
	RoleHosting  Role = "hosting"
	RoleJWT      Role = "jwt"
	RoleData     Role = "data-fetching"
	RoleAI       Role = "ai"
)

// Technology is one entry of the catalog.
type Technology struct {
	ID   string // lowercase slug, stable: it appears in JSON output and pattern files
	Name string // display name
	Role Role
	// Aliases are the spellings that name it in prose, matched case-insensitively
	// on word boundaries unless CaseSensitive is set.
	Aliases []string
	// CaseSensitive aliases are matched exactly; used for short or common words
	// ("Vue", "Express", "Neon") that would otherwise match ordinary English.
	CaseSensitive []string
	// Canonical folds a technology into another for pair comparison (neon is a
	// hosted postgresql).
	Canonical string
}

// Catalog is an immutable set of technologies.
type Catalog struct {
	techs []Technology
	byID  map[string]*Technology
	// byName maps every squashed id, name and alias to its technology's id
	// (the first technology that has it), for ResolveName.
	byName map[string]string
}

// NewCatalog builds a catalog from entries; later entries with the same id
// replace earlier ones.
func NewCatalog(techs []Technology) *Catalog {
	c := &Catalog{byID: map[string]*Technology{}, byName: map[string]string{}}
	// Indices, not pointers, while appending: append may move the array.
	at := map[string]int{}
	for _, t := range techs {
		if i, ok := at[t.ID]; ok {
			c.techs[i] = t
			continue
		}
		at[t.ID] = len(c.techs)
		c.techs = append(c.techs, t)
	}
	for i := range c.techs {
		t := &c.techs[i]
		c.byID[t.ID] = t
		names := append([]string{t.ID, t.Name}, t.Aliases...)
		for _, n := range append(names, t.CaseSensitive...) {
			if k := squash(n); k != "" {
				if _, ok := c.byName[k]; !ok {
					c.byName[k] = t.ID
				}
			}
		}
	}
	return c
}

// Lookup returns the technology with the given id.
func (c *Catalog) Lookup(id string) (*Technology, bool) {
	t, ok := c.byID[id]
	return t, ok
}

// Name returns the display name of id, or id itself when unknown.
func (c *Catalog) Name(id string) string {
	if t, ok := c.byID[id]; ok {
		return t.Name
	}
	return id
}

// All returns the technologies in catalog order.
func (c *Catalog) All() []Technology { return c.techs }

// Canonical returns the id a technology is compared as.
func (c *Catalog) Canonical(id string) string {
	if t, ok := c.byID[id]; ok && t.Canonical != "" {
		return t.Canonical
	}
	return id
}

// Closest returns the catalog id nearest to s (by edit distance over ids,
// names and aliases, lowercased and without punctuation), or "" when none
// is near enough to be a likely typo: at most a third of s's letters (two
// for short names) differ, and not all of them.
func (c *Catalog) Closest(s string) string {
	key := squash(s)
	best, bestD := "", 1<<30
	for _, t := range c.techs {
		for _, cand := range append([]string{t.ID, t.Name}, t.Aliases...) {
			if d := editDistance(key, squash(cand)); d < bestD {
				best, bestD = t.ID, d
			}
		}
	}
	n := len([]rune(key))
	if bestD >= n || bestD > max(2, n/3) {
		return ""
	}
	return best
}

// closestHint is the " (closest: "id")" suffix of an unknown-technology
// message, or "" when nothing is close.
func (c *Catalog) closestHint(s string) string {
	if id := c.Closest(s); id != "" {
		return fmt.Sprintf(" (closest: %q)", id)
	}
	return ""
}

// ResolveName maps a display name, id or alias ("Better Auth", "better-auth",
// "NextJS") to a technology id.
func (c *Catalog) ResolveName(s string) (string, bool) {
	key := squash(s)
	if key == "" {
		return "", false
	}
	id, ok := c.byName[key]
	return id, ok
}

// IDs returns all ids, sorted.
func (c *Catalog) IDs() []string {
	ids := make([]string, 0, len(c.techs))
	for _, t := range c.techs {
		ids = append(ids, t.ID)
	}
	sort.Strings(ids)
	return ids
}

func squash(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r > 127 {
			b.WriteRune(r)
		}
	}
	return b.String()
}

func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// DefaultCatalog returns the built-in catalog.
func DefaultCatalog() *Catalog { return NewCatalog(builtinTechnologies()) }

func builtinTechnologies() []Technology {
	return []Technology{
		// Frontend
		{ID: "nextjs", Name: "Next.js", Role: RoleFrontend, Aliases: []string{"Next.js", "NextJS", "Next JS", "nextjs"}},
		{ID: "react", Name: "React", Role: RoleFrontend, Aliases: []string{"React.js", "ReactJS"}, CaseSensitive: []string{"React"}},
		{ID: "react-native", Name: "React Native", Role: RoleFrontend, Aliases: []string{"React Native", "Expo"}},
		{ID: "vite", Name: "Vite", Role: RoleFrontend, CaseSensitive: []string{"Vite"}},
		{ID: "sveltekit", Name: "SvelteKit", Role: RoleFrontend, Aliases: []string{"SvelteKit", "Svelte Kit", "Svelte"}},
		{ID: "vue", Name: "Vue", Role: RoleFrontend, Aliases: []string{"Vue.js", "VueJS", "Vue 3", "Nuxt"}, CaseSensitive: []string{"Vue"}},
		{ID: "angular", Name: "Angular", Role: RoleFrontend, CaseSensitive: []string{"Angular"}},
		// Auth
		{ID: "better-auth", Name: "Better Auth", Role: RoleAuth, Aliases: []string{"Better Auth", "better-auth", "BetterAuth", "Better-Auth"}},
		{ID: "authjs", Name: "Auth.js", Role: RoleAuth, Aliases: []string{"Auth.js", "NextAuth", "NextAuth.js", "next-auth", "Auth.js v5"}},
		{ID: "clerk", Name: "Clerk", Role: RoleAuth, Aliases: []string{"@clerk/nextjs"}, CaseSensitive: []string{"Clerk"}},
		{ID: "supabase-auth", Name: "Supabase Auth", Role: RoleAuth, Aliases: []string{"Supabase Auth", "Supabase Authentication", "GoTrue"}},
		{ID: "auth0", Name: "Auth0", Role: RoleAuth, Aliases: []string{"Auth0"}},
		{ID: "cognito", Name: "Amazon Cognito", Role: RoleAuth, Aliases: []string{"Cognito", "AWS Cognito", "Amazon Cognito"}},
		{ID: "firebase-auth", Name: "Firebase Auth", Role: RoleAuth, Aliases: []string{"Firebase Auth", "Firebase Authentication"}},
		{ID: "pyjwt", Name: "PyJWT", Role: RoleJWT, Aliases: []string{"PyJWT", "python-jose", "jose"}},
		// Backend
		{ID: "fastapi", Name: "FastAPI", Role: RoleBackend, Aliases: []string{"FastAPI", "Fast API"}},
		{ID: "django", Name: "Django", Role: RoleBackend, Aliases: []string{"Django", "Django REST Framework", "DRF"}},
		{ID: "flask", Name: "Flask", Role: RoleBackend, CaseSensitive: []string{"Flask"}},
		{ID: "express", Name: "Express", Role: RoleBackend, Aliases: []string{"Express.js", "ExpressJS"}, CaseSensitive: []string{"Express"}},
		{ID: "nestjs", Name: "NestJS", Role: RoleBackend, Aliases: []string{"NestJS", "Nest.js"}},
		{ID: "hono", Name: "Hono", Role: RoleBackend, CaseSensitive: []string{"Hono"}},
		// Supabase's functions are the backend of a Supabase project; they
		// compare as Supabase, like its database and its auth.
		{ID: "supabase-functions", Name: "Supabase Edge Functions", Role: RoleBackend, Aliases: []string{"Supabase Edge Functions", "Supabase Edge Function", "Supabase Functions", "Supabase Function"}, Canonical: "supabase"},
		{ID: "trpc", Name: "tRPC", Role: RoleAPI, Aliases: []string{"tRPC"}},
		{ID: "graphql", Name: "GraphQL", Role: RoleAPI, Aliases: []string{"GraphQL", "Apollo Server", "Apollo GraphQL"}},
		{ID: "tanstack-query", Name: "TanStack Query", Role: RoleData, Aliases: []string{"TanStack Query", "React Query", "@tanstack/react-query"}},
		// Data
		{ID: "sqlmodel", Name: "SQLModel", Role: RoleORM, Aliases: []string{"SQLModel"}},
		{ID: "sqlalchemy", Name: "SQLAlchemy", Role: RoleORM, Aliases: []string{"SQLAlchemy"}},
		{ID: "alembic", Name: "Alembic", Role: RoleMigrate, Aliases: []string{"Alembic"}},
		{ID: "prisma", Name: "Prisma", Role: RoleORM, Aliases: []string{"Prisma", "Prisma ORM"}},
		{ID: "drizzle", Name: "Drizzle", Role: RoleORM, Aliases: []string{"Drizzle", "Drizzle ORM", "drizzle-orm"}},
		{ID: "typeorm", Name: "TypeORM", Role: RoleORM, Aliases: []string{"TypeORM"}},
		{ID: "django-orm", Name: "Django ORM", Role: RoleORM, Aliases: []string{"Django ORM"}},
		{ID: "mongoose", Name: "Mongoose", Role: RoleORM, Aliases: []string{"Mongoose"}},
		{ID: "postgresql", Name: "PostgreSQL", Role: RoleDatabase, Aliases: []string{"PostgreSQL", "Postgres", "Postgre", "psql", "PostGIS"}},
		{ID: "neon", Name: "Neon", Role: RoleDatabase, Aliases: []string{"Neon Postgres", "Neon PostgreSQL", "Neon Serverless", "Neon DB", "NeonDB", "@neondatabase/serverless"}, CaseSensitive: []string{"Neon"}, Canonical: "postgresql"},
		{ID: "mysql", Name: "MySQL", Role: RoleDatabase, Aliases: []string{"MySQL", "MariaDB"}},
		{ID: "sqlite", Name: "SQLite", Role: RoleDatabase, Aliases: []string{"SQLite", "SQLite3"}},
		{ID: "mongodb", Name: "MongoDB", Role: RoleDatabase, Aliases: []string{"MongoDB", "Mongo DB", "Mongo"}},
		{ID: "dynamodb", Name: "DynamoDB", Role: RoleDatabase, Aliases: []string{"DynamoDB"}},
		{ID: "supabase", Name: "Supabase", Role: RoleDatabase, CaseSensitive: []string{"Supabase"}, Aliases: []string{"supabase-js", "@supabase/supabase-js"}},
		{ID: "redis", Name: "Redis", Role: RoleCache, Aliases: []string{"Redis", "Upstash Redis", "Valkey"}},
		{ID: "celery", Name: "Celery", Role: RoleQueue, Aliases: []string{"Celery"}},
		// Services
		{ID: "stripe", Name: "Stripe", Role: RolePayments, Aliases: []string{"Stripe", "Stripe Connect", "Stripe Checkout"}},
		{ID: "paypal", Name: "PayPal", Role: RolePayments, Aliases: []string{"PayPal"}},
		{ID: "resend", Name: "Resend", Role: RoleEmail, CaseSensitive: []string{"Resend"}},
		{ID: "sendgrid", Name: "SendGrid", Role: RoleEmail, Aliases: []string{"SendGrid"}},
		{ID: "s3", Name: "Amazon S3", Role: RoleStorage, Aliases: []string{"Amazon S3", "AWS S3", "S3 bucket", "S3-compatible", "Cloudflare R2"}, CaseSensitive: []string{"S3"}},
		{ID: "vercel", Name: "Vercel", Role: RoleHosting, Aliases: []string{"Vercel"}},
		{ID: "openai", Name: "OpenAI", Role: RoleAI, Aliases: []string{"OpenAI", "OpenAI API"}},
	}
}
