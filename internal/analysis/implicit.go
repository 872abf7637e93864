package analysis

import (
	"bytes"
	"fmt"
	"path"
	"slices"
	"sort"
	"strings"
)

// concern is a kind of requirement whose meaning needs technologies of some
// roles to work together: signing in needs the frontend and the auth
// library, storing needs the backend, the ORM and the database.
type concern struct {
	name string
	// cue finds the concern in a requirement's text.
	cue *rx
	// chain lists hops: each hop is the roles that may play it, first
	// filled one wins; consecutive filled hops form integration points.
	chain [][]Role
	// storage concerns are the ones a data model speaks of.
	storage bool
	// confirm, when set, decides whether a cue found at sp in block b
	// states the concern (the sentence around it may say otherwise).
	confirm func(r *Result, e *Env, st *Stack, b int, sp Span) bool
	// platform lets a platform's part fill an unfilled role of the chain
	// with the platform's other part: a Supabase database brings its auth,
	// Supabase Auth keeps its users in its project's database.
	platform bool
}

// concerns are matched against requirement lines. The cues are about how
// people phrase a need, not about any technology.
var concerns = []concern{
	{
		// Signing in is an integration of the frontend with the auth
		// library when the text speaks of the client side: an auth client,
		// a sign-in page, or the frontend in the sentence that speaks of
		// signing in. "Users can sign in" alone does not say where.
		name:    "sign-in",
		cue:     signInCueRe,
		chain:   [][]Role{{RoleFrontend}, {RoleAuth}},
		confirm: (*Result).clientSideAuth,
	},
	{
		name: "protected access",
		cue:  mustRx(`(?i)\b(tokens?|jwts?|jwks|bearer|protected|authoriz\w*|unauthori[sz]ed|401|verif\w+ (?:the )?(?:token|identity|user)|user identity|authenticated (?:user|request)s?)\b`),
		// With an API layer (GraphQL, tRPC) in the stack, requests are
		// checked where it resolves them.
		chain:   [][]Role{{RoleAuth}, {RoleAPI, RoleBackend}},
		confirm: (*Result).notClientStorage,
	},
	{
		// The frontend calls the backend's API, unless the document puts
		// a managed API gateway in front of it: the calls end there. As
		// "backend" alone is no cue in English, 后端 (backend) alone is none
		// in Chinese: its API (后端 API), an interface (接口), or calling it
		// (调用/请求/访问后端) is.
		name:    "API call",
		cue:     mustRx(`(?i)(\bapis?\b|\bendpoints?\b|\brest(?:ful)?\b|/api/|\bhttp requests?\b|\bfetch(?:es|ed|ing)?\b|\bapi client\b|authorization header|\b(?:communicat\w*|talks?|talking) (?:only )?(?:with|to) (?:the )?(?:\w+ )?back[- ]?end\b|接口|后端\s*api|(?:调用|请求|访问)后端)`),
		chain:   [][]Role{{RoleFrontend}, {RoleAPI, RoleBackend}},
		confirm: func(r *Result, _ *Env, _ *Stack, _ int, _ Span) bool { return !r.viaGateway },
	},
	{
		name:    "persistence",
		storage: true,
		cue:     mustRx(`(?i)(\b(?:persist\w*|stored? (?:in|into) (?:the |a )?(?:database|db|table)|databases?|crud|(?:create|read|update|delete)[, /]+(?:read|update|delete|list)|queries|query the|orm models?)\b|数据库|存储|持久化)`),
		chain:   [][]Role{{RoleBackend, roleServerFrontend, RoleHosting}, {RoleORM}, {RoleDatabase}},
		confirm: (*Result).storesData,
	},
	{
		// A plan's "**Storage**:" field declares where the feature keeps
		// its data. In a feature about signing in, that data is the auth
		// library's own (users, sessions) when the library keeps it.
		name:    "declared storage",
		storage: true,
		cue:     mustRx(`(?i)\bstorage(?:\s*:|$)`),
		chain:   [][]Role{{roleOwnAuth, RoleBackend, roleServerFrontend, RoleHosting}, {RoleORM}, {RoleDatabase}},
		confirm: (*Result).declaresStorage,
	},
	{
		name:     "identity data",
		storage:  true,
		cue:      mustRx(`(?i)(\b(?:row[- ]level security|rls|auth\.uid|users? tables?|sessions? tables?|auth tables?|user records?|accounts? tables?|database adapter|prisma adapter|adapter|tables?)\b|\b[a-z]+Adapter\b|\b(?:callback|hook)s?\b)`),
		chain:    [][]Role{{RoleAuth}, {RoleORM, RoleDatabase}},
		platform: true,
		confirm:  (*Result).identityStorage,
	},
	{
		name:    "migrations",
		storage: true,
		cue:     mustRx(`(?i)\b(migrations?|migrate|schema changes?)\b`),
		chain:   [][]Role{{RoleMigrate, roleMigratingORM}, {RoleDatabase}},
	},
	{
		name:  "payment",
		cue:   mustRx(`(?i)\b(pay(?:s|ing|ment|ments)?|checkout|subscri(?:be|bes|bed|ption|ptions)|billing|invoices?|refunds?|charges?|payouts?|webhooks?)\b`),
		chain: [][]Role{{RoleBackend, roleServerFrontend, RoleHosting}, {RolePayments}},
	},
	{
		// The browser loads a payment provider's script or UI kit
		// (Stripe.js, Stripe Elements, the PayPal SDK) that its sentence
		// names: the frontend meets the provider.
		name:    "payment client",
		cue:     mustRx(`(?i)(\bscripts?\b|\belements\b|\bstripe\.js\b|\bpaypal (?:js )?sdk\b|\bcheckout\.js\b)`),
		chain:   [][]Role{{RoleFrontend}, {RolePayments}},
		confirm: (*Result).namesPayments,
	},
	{
		name:  "email",
		cue:   mustRx(`(?i)\b(send(?:s|ing)? (?:an? |the )?(?:\w+ )?e-?mails?|e-?mail (?:notification|verification|confirmation|delivery)s?|notif(?:y|ies|ied|ication|ications)|reset link|verification link)\b`),
		chain: [][]Role{{RoleBackend}, {RoleEmail}},
	},
	{
		name:  "upload",
		cue:   mustRx(`(?i)\b(upload\w*|attachments?|file storage|avatars?)\b`),
		chain: [][]Role{{RoleFrontend}, {RoleStorage}},
	},
	{
		// A backend that allows the browser's cross-origin calls names
		// the origin of the frontend's host: the backend meets the host,
		// when the document names where it runs.
		name:    "CORS",
		cue:     mustRx(`(?i)(\bcors\b|\ballowed[_ ]origins\b|\bcross[- ]origin\b)`),
		chain:   [][]Role{{RoleBackend}, {RoleHosting}},
		confirm: (*Result).namesHost,
	},
	{
		// A sentence that deploys onto a hosting platform it names, and
		// is not about the frontend, puts the backend there.
		name:    "deployment",
		cue:     mustRx(`(?i)\b(deploy\w*|target platform|hosted on|serverless)\b`),
		chain:   [][]Role{{RoleBackend}, {RoleHosting}},
		confirm: (*Result).backendDeployment,
	},
	{
		name:  "AI",
		cue:   mustRx(`(?i)(\bllms?\b|\bai\b|natural[- ]language|\bprompts?\b|自然语言|大模型)`),
		chain: [][]Role{{RoleBackend}, {RoleAI}},
	},
	{
		name:  "cache",
		cue:   mustRx(`(?i)\b(cach(?:e|es|ed|ing)|rate[- ]limit\w*)\b`),
		chain: [][]Role{{RoleBackend, roleServerFrontend, RoleHosting}, {RoleCache}},
	},
}

// roleServerFrontend is a hop played by a frontend framework that runs
// server code (Next.js route handlers), when the stack has no backend.
const roleServerFrontend Role = "frontend (server side)"

// callbackCueRe finds a callback or hook; authEventRe, just before it, makes
// it an auth library's ("the `signIn` callback"), which touches the storage
// only when its sentence says so.
var (
	callbackCueRe = mustRx(`(?i)^(?:callback|hook)s?$`)
	authEventRe   = mustRx("(?i)\\b(?:sign[- ]?in|sign[- ]?up|session|jwt)`?\\s*$")
)

// tableCueRe is a table named by itself: the name of the table is often
// code ("`users` table"), which the prose runs leave out.
var tableCueRe = mustRx(`(?i)^tables?$`)

// rlsCueRe is row-level security, the database's own feature: it reads the
// signed-in user from the auth service of its platform (Supabase's
// auth.uid()). Next to an auth library of another vendor the policies are
// keyed on what the backend passes, so RLS says nothing of that library
// unless its sentence names it.
var rlsCueRe = mustRx(`(?i)^(?:row[- ]level security|rls|auth\.uid)$`)

// platformAuth reports whether the stack's auth service is its database
// platform's own (Supabase Auth with Supabase), or one a platform fills.
func platformAuth(st *Stack) bool {
	auth, ok := st.For(RoleAuth)
	if !ok || platformParts[auth.Tech][RoleDatabase] != "" {
		return true
	}
	for _, en := range st.Entries {
		if platformParts[en.Tech][RoleAuth] == auth.Tech {
			return true
		}
	}
	return false
}

// identityStorage reports whether the identity cue at sp states where the
// auth library's data is kept: a callback counts when its sentence names the
// storage ("upsert the user with Prisma in the signIn callback"), a table
// when its sentence names the auth technology ("`users` table: managed by
// Better Auth"), row-level security next to an auth library of another
// vendor than the database's when its sentence names the library.
func (r *Result) identityStorage(e *Env, st *Stack, b int, sp Span) bool {
	d := r.Doc
	cue := d.Src[sp.Start:sp.End]
	if d.match(tableCueRe, cue, sp.Start) || d.match(rlsCueRe, cue, sp.Start) && !platformAuth(st) {
		return len(r.namedInSentence(e, st, b, sp)[RoleAuth]) > 0
	}
	if !d.match(callbackCueRe, d.Src[sp.Start:sp.End], sp.Start) {
		return true
	}
	from := max(lineStart(d.Src, sp.Start), sp.Start-24)
	return d.match(authEventRe, d.Src[from:sp.Start], from) && r.speaksOfStorage(e, b, sp)
}

// adapterTech resolves an adapter named after a storage technology
// ("mongodbAdapter", "prismaAdapter") to that technology.
func (e *Env) adapterTech(name []byte) (string, bool) {
	if len(name) <= len("adapter") || !bytes.HasSuffix(name, []byte("Adapter")) {
		return "", false
	}
	return e.Catalog.ResolveName(string(name[:len(name)-len("Adapter")]))
}

// namesPayments reports whether the sentence of the cue at sp names a
// payment technology of the stack.
func (r *Result) namesPayments(e *Env, st *Stack, b int, sp Span) bool {
	return len(r.namedInSentence(e, st, b, sp)[RolePayments]) > 0
}

// layered reports whether the stack serves an API layer (GraphQL, tRPC)
// from its backend framework.
func layered(st *Stack) bool {
	_, api := st.For(RoleAPI)
	_, back := st.For(RoleBackend)
	return api && back
}

func slicesContains(roles []Role, r Role) bool {
	for _, x := range roles {
		if x == r {
			return true
		}
	}
	return false
}

// roleMigratingORM is a hop played by an ORM that ships its own
// migrations (Prisma Migrate, TypeORM), when the stack has no migration tool.
const roleMigratingORM Role = "orm (migrates)"

// migratingORM are the ORMs that ship migrations of their own.
var migratingORM = map[string]bool{"prisma": true, "drizzle": true, "typeorm": true, "django-orm": true}

// roleOwnAuth is a hop played by the auth library in a feature about
// signing in, when the library keeps its own data (users, sessions) in the
// stack's storage.
const roleOwnAuth Role = "auth (keeps its data)"

// platformParts pairs the parts of one platform by role: row-level
// security keyed on the signed-in user (auth.uid()) is Supabase Auth's
// identity inside the Supabase database, whichever of the two the stack
// names.
var platformParts = map[string]map[Role]string{
	"supabase":      {RoleAuth: "supabase-auth"},
	"supabase-auth": {RoleDatabase: "supabase"},
}

// platformFill returns the part of a platform in the stack that plays
// role, when the stack leaves role unfilled.
func platformFill(st *Stack, role Role) (StackEntry, bool) {
	for _, en := range st.Entries {
		if id := platformParts[en.Tech][role]; id != "" {
			en.Tech, en.Role = id, role
			return en, true
		}
	}
	return StackEntry{}, false
}

// userRowsRe finds what ties row-level security to the signed-in user.
var userRowsRe = mustRx(`(?i)\b(?:users?|authenticated|unauthori[sz]ed|signed[- ]in|own(?:er|s)?)\b`)

// rowsOfTheUser reports whether the identity cue at sp speaks of rows
// kept per signed-in user: its sentence names users or authorization, or
// the document's policies key on the signed-in user (auth.uid()). "RLS on
// all tables" alone is the database's own feature.
func (r *Result) rowsOfTheUser(b int, sp Span) bool {
	d := r.Doc
	sent := sentence(d.Src, d.runOf(b, sp), sp.Start)
	if d.match(userRowsRe, d.Src[sent.Start:sent.End], sent.Start) {
		return true
	}
	if r.authUID == 0 {
		r.authUID = 1
		if bytes.Contains(d.Src, []byte("auth.uid()")) {
			r.authUID = 2
		}
	}
	return r.authUID == 2
}

// namesHost reports whether the document itself names a hosting platform.
func (r *Result) namesHost(e *Env, _ *Stack, _ int, _ Span) bool {
	for _, m := range r.Mentions {
		if t, ok := e.Catalog.Lookup(m.Tech); ok && t.Role == RoleHosting && m.Excluded == "" {
			return true
		}
	}
	return false
}

// backendDeployment reports whether the deployment cue at sp puts the
// backend on a hosting platform: its sentence names the platform, and
// neither the sentence nor its heading speaks of the frontend.
func (r *Result) backendDeployment(e *Env, _ *Stack, b int, sp Span) bool {
	d := r.Doc
	sent := sentence(d.Src, d.runOf(b, sp), sp.Start)
	if d.match(frontWordRe, d.Src[sent.Start:sent.End], sent.Start) {
		return false
	}
	if sec := d.Blocks[b].Section; sec >= 0 && d.matchBlock(frontWordRe, sec) {
		return false
	}
	host := false
	for _, m := range r.blockMentions(b) {
		if m.Excluded != "" || m.Span.Start < sent.Start || m.Span.End > sent.End {
			continue
		}
		if t, ok := e.Catalog.Lookup(m.Tech); ok {
			switch t.Role {
			case RoleHosting:
				host = true
			case RoleFrontend:
				return false
			}
		}
	}
	return host
}

// fullStack are the frontend frameworks with a server side.
var fullStack = map[string]bool{"nextjs": true, "sveltekit": true}

// hostedIdentity are identity services that keep users in their own store:
// they do not reach the application's database.
var hostedIdentity = map[string]bool{"cognito": true, "auth0": true, "firebase-auth": true, "clerk": true}

// reqIDRe finds a requirement id: FR-004, NFR-2, SC-001, US1.
var reqIDRe = mustRx(`\b((?:FR|NFR|SC|AC|US|REQ)-?\d+[a-z]?)\b`)

var (
	storyRe    = mustRx(`(?i)\bas an? [^,.]{1,60}, I (?:want|need|can)`)
	scenarioRe = mustRx(`(?i)\*{0,2}given\*{0,2}\b.*\*{0,2}(?:when|then)\*{0,2}\b`)
)

// detectImplicitPoints turns requirement lines whose meaning needs a role
// pair into integration points between the technologies the stack assigns
// to those roles. A point is reported once per pair per section, and not when
// an explicit point or an `## Integration:` heading already covers it.
func detectImplicitPoints(r *Result, e *Env, in *Input) {
	st := in.Stack.Merge(r.Stack(e, in.Path))
	if st == nil || len(st.Entries) == 0 {
		return
	}
	d := r.Doc
	r.dropSkippedHops(e, st)
	documented := r.documentedPairs(e)
	seen := map[string]bool{}
	for _, p := range r.Points {
		if !r.pointSuppressed(r.Lines.Line(p.Span.Start)) {
			seen[pairKey(e.Catalog, p.From, p.To)+"\x00"+itoa(p.Section)] = true
		}
	}
	dataModel := isDataModel(in.Path)
	r.narrowFeature, r.authFeature = featureScope(in.Path)
	r.narrowFeature = r.narrowFeature && !dataModel
	r.viaGateway = d.match(apiGatewayRe, d.Src, 0)
	off := r.setAsideSections()
	want := possibleConcerns(st)
	if want == 0 {
		return
	}
	for b := range d.Blocks {
		blk := &d.Blocks[b]
		if blk.Kind == KindCode || blk.Kind == KindHTML || blk.Kind == KindHeading || off[blk.Section] {
			continue
		}
		// Per run and concern, the first cue that counts and that the
		// concern confirms (cueHits lists the cues by concern).
		hits, base := r.cueHits(b, dataModel, want)
		for _, rh := range hits {
			for len(rh) > 0 {
				n := 1
				for n < len(rh) && rh[n].ci == rh[0].ci {
					n++
				}
				group := rh[:n]
				rh = rh[n:]
				c := &concerns[group[0].ci]
				for i := range group {
					sp := group[i].sp.shift(base)
					if r.requestQuote(sp.Start) || !r.hitCounts(b, base, &group[i]) || c.confirm != nil && !c.confirm(r, e, st, b, sp) {
						continue
					}
					r.addImplicit(e, in, st, c, b, sp, documented, seen)
					break
				}
			}
		}
	}
}

// requestQuote reports whether offset off is on spec-kit's quote of the
// request the spec was written from (the template's line `**Input**: User
// description: "…"`): the person's words before any requirement, often the
// feature's title alone ("PRP-016 User Authentication"). What the spec then
// requires implies points; the quote implies none. A pair the quote names
// outright is still found.
func (r *Result) requestQuote(off int) bool {
	sp := r.Lines.LineSpan(r.Lines.Line(off))
	return bytes.HasPrefix(r.Doc.Src[sp.Start:sp.End], []byte("**Input**: User description:"))
}

// apiGatewayRe finds a managed API gateway (API Gateway, an API gateway
// in front of the backend); a component the text calls "gateway" is not one.
var apiGatewayRe = mustRx(`(?i)\bapi gateway\b`)

// withoutRe matches "without" (and "lacking", "missing") just before a cue,
// a few words away: "reject requests without a valid token" still needs
// token verification.
var withoutRe = mustRx(`(?i)\b(?:without|lacking|missing)\s+(?:[\w-]+\s+){0,2}$`)

// rejectNoRe matches a refusal followed by "no …" just before a cue:
// "reject requests that carry no valid token" checks for a token too.
var rejectNoRe = mustRx(`(?i)\b(?:reject\w*|den(?:y|ies|ied)|refus\w*|block\w*|401|403|unauthori[sz]ed)\b.{0,60}\bno\s+(?:[\w-]+\s+){0,2}$`)

// cueCounts reports whether the cue at sp in block b states a need of the
// document. Rejected alternatives, placeholders and questions do not; a
// negation does not either ("no manual cookies"), except "without", which
// names what a requirement checks for.
func (r *Result) cueCounts(b int, sp Span) bool {
	d := r.Doc
	if bytes.HasSuffix(lineText(d.Src, sp.Start), []byte("?")) {
		return false
	}

	switch d.Exclusion(b, sp) {
	case "":
		return true
	case ExclNegated:
		ls := lineStart(d.Src, sp.Start)
		before := d.Src[ls:sp.Start]
		return d.match(withoutRe, before, ls) || d.match(rejectNoRe, before, ls)
	}
	return false
}

// setAsideRe finds what makes a section not a decision: a heading about the
// future ("Future Phase", "Deferred") or a body that records the option as
// rejected ("**Decision:** Rejected in favor of …").
var (
	setAsideHeadingRe = mustRx(`(?i)\b(future|deferred|later phases?|out of scope|non-goals?)\b`)
	setAsideBodyRe    = mustRx(`(?i)\b(?:decision|status|verdict)\W{0,6}\s*(?:rejected|not chosen|discarded|deferred)\b`)
)

// setAsideSections returns the heading blocks whose sections state no
// decision of the document.
func (r *Result) setAsideSections() map[int]bool { return r.Doc.setAsideSections() }

// setAsideSections is Result.setAsideSections on a parsed document.
func (d *Doc) setAsideSections() map[int]bool {
	if d.setAside != nil {
		return d.setAside
	}
	out := d.computeSetAside()
	if !d.stop() {
		d.setAside = out // a stopped analysis's answers are incomplete
	}
	return out
}

func (d *Doc) computeSetAside() map[int]bool {
	out := map[int]bool{}
	for b, blk := range d.Blocks {
		switch {
		case blk.Kind == KindHeading && d.matchBlock(setAsideHeadingRe, b):
			out[b] = true
		case blk.Kind != KindHeading && blk.Kind != KindCode && blk.Section >= 0 && d.matchBlock(setAsideBodyRe, b):
			out[blk.Section] = true
		}
	}
	return out
}

// dropSkippedHops removes explicit points that jump over a role the stack
// fills in between (a frontend does not reach the database when the stack
// has a backend, and a backend reaches it through its ORM), and points on a
// technology another one wraps (React in a Next.js stack).
func (r *Result) dropSkippedHops(e *Env, st *Stack) {
	out := r.Findings[:0]
	for _, f := range r.Findings {
		if f.Code == CodeIntegrationPoint && f.Point != nil && f.Point.Reason == "" && skipsHop(e, st, f.Point.From, f.Point.To) {
			continue
		}
		out = append(out, f)
	}
	r.Findings = out
}

func skipsHop(e *Env, st *Stack, a, b string) bool {
	// React inside Next.js, Vite under React: the wrapper plays the role,
	// and its own points cover the pair.
	have := map[string]bool{}
	for _, en := range st.Entries {
		have[en.Tech] = true
	}
	if wrappedBy(a, have) || wrappedBy(b, have) {
		return true
	}
	ta, ok1 := e.Catalog.Lookup(a)
	tb, ok2 := e.Catalog.Lookup(b)
	if !ok1 || !ok2 {
		return false
	}
	roles := [2]Role{ta.Role, tb.Role}
	has := func(r Role) bool { _, ok := st.For(r); return ok }
	switch roles {
	case [2]Role{RoleFrontend, RoleDatabase}, [2]Role{RoleDatabase, RoleFrontend}:
		return has(RoleBackend)
	case [2]Role{RoleBackend, RoleDatabase}, [2]Role{RoleDatabase, RoleBackend}:
		back := a
		if ta.Role == RoleDatabase {
			back = b
		}
		orm, ok := st.For(RoleORM)
		return ok && sameEcosystem(back, orm.Tech)
	}
	return false
}

// ecosystem groups technologies that run in one runtime: an auth library
// stores its users through the ORM only when both live in the same one.
var ecosystem = map[string]string{
	"fastapi": "py", "django": "py", "flask": "py", "sqlmodel": "py", "sqlalchemy": "py",
	"alembic": "py", "django-orm": "py", "celery": "py", "pyjwt": "py",
	"nextjs": "js", "react": "js", "react-native": "js", "vue": "js", "sveltekit": "js", "angular": "js",
	"better-auth": "js", "authjs": "js", "clerk": "js", "express": "js", "nestjs": "js", "hono": "js",
	"prisma": "js", "drizzle": "js", "typeorm": "js", "mongoose": "js", "trpc": "js", "graphql": "js",
}

func sameEcosystem(a, b string) bool {
	ea, eb := ecosystem[a], ecosystem[b]
	return ea == "" || eb == "" || ea == eb
}

// builtinORM names the ORM a batteries-included backend brings along.
var builtinORM = map[string]string{"django": "django-orm"}

// addImplicit adds the points of concern c found at sp in block b.
// isDataModel reports whether path names a spec-kit data-model.md.
func isDataModel(p string) bool {
	return strings.EqualFold(path.Base(strings.ReplaceAll(p, "\\", "/")), "data-model.md")
}

func (r *Result) addImplicit(e *Env, in *Input, st *Stack, c *concern, b int, sp Span, documented, seen map[string]bool) {
	blk := &r.Doc.Blocks[b]
	named := r.namedInSentence(e, st, b, sp)
	// hops[i] holds the technologies of the i-th filled hop: the ones the
	// requirement's sentence names for that role, else the stack's.
	var hops [][]StackEntry
	for hi, hop := range c.chain {
		if hi == 0 && c.storage && hop[0] == RoleBackend && layered(st) {
			// Behind an API layer the data goes through the
			// application's resolvers and services, not the transport
			// framework: the chain starts at the ORM.
			continue
		}
		for _, role := range hop {
			var en StackEntry
			var ok bool
			var prev *StackEntry
			if len(hops) > 0 {
				prev = &hops[len(hops)-1][0]
			}
			switch role {
			case roleServerFrontend:
				en, ok = st.For(RoleFrontend)
				ok = ok && fullStack[en.Tech]
			case roleOwnAuth:
				en, ok = st.For(RoleAuth)
				ok = ok && r.authFeature && keepsOwnData(st, en.Tech)
			case roleMigratingORM:
				// "Migrate the session interface" is no schema change:
				// the sentence must speak of the storage.
				en, ok = st.For(RoleORM)
				ok = ok && migratingORM[en.Tech] && r.speaksOfStorage(e, b, sp)
			case RoleHosting:
				// A data model describes tables, not where the code
				// that uses them runs.
				en, ok = st.For(role)
				ok = ok && !isDataModel(in.Path)
			default:
				en, ok = st.For(role)
				if !ok && c.platform && r.rowsOfTheUser(b, sp) {
					en, ok = platformFill(st, role)
				}
			}
			if ok && prev != nil && hostedIdentity[prev.Tech] && (role == RoleORM || role == RoleDatabase) {
				continue
			}
			if !ok && role == RoleORM && prev != nil && builtinORM[prev.Tech] != "" {
				// Django brings its ORM: the hop is there, chosen with it.
				en, ok = *prev, true
				en.Tech, en.Role = builtinORM[en.Tech], RoleORM
			}
			if ok && role == RoleORM && prev != nil && !sameEcosystem(prev.Tech, en.Tech) {
				continue // Better Auth cannot use SQLModel: it goes to the database
			}
			if ok && role == RoleDatabase && prev != nil {
				// A platform's functions use the platform's own database.
				for _, o := range st.Entries {
					if o.Role == RoleDatabase && e.Catalog.Canonical(o.Tech) == e.Catalog.Canonical(prev.Tech) {
						en = o
					}
				}
			}
			if !ok {
				continue
			}
			if a, isAdapter := e.adapterTech(r.Doc.Src[sp.Start:sp.End]); isAdapter && prev != nil {
				// An adapter named after a technology of the stack goes
				// to that technology: "mongodbAdapter" to MongoDB, past
				// the ORM.
				if o, has := st.Has(e.Catalog, a); has && o.Tech == a && slicesContains(hop, o.Role) {
					en = o
				}
			}
			ens := []StackEntry{en}
			if ns := named[role]; len(ns) > 0 && role != roleServerFrontend && role != roleOwnAuth && role != roleMigratingORM && !(role == RoleORM && prev != nil && builtinORM[prev.Tech] == en.Tech) {
				ens = ns
			}
			hops = append(hops, ens)
			break
		}
	}
	for i := 0; i+1 < len(hops); i++ {
		for _, a := range hops[i] {
			for _, z := range hops[i+1] {
				r.addImplicitPair(e, in, c, b, sp, blk, a, z, documented, seen)
			}
		}
	}
}

// namedInSentence returns, by role, the stack's technologies that the
// sentence holding sp names: "PayPal webhooks" is about PayPal even when the
// stack's payments choice is Stripe.
func (r *Result) namedInSentence(e *Env, st *Stack, b int, sp Span) map[Role][]StackEntry {
	d := r.Doc
	sent := sentence(d.Src, d.runOf(b, sp), sp.Start)
	var out map[Role][]StackEntry
	var seen []string // a sentence names few technologies
	for _, m := range r.blockMentions(b) {
		if m.Excluded != "" || m.Span.Start < sent.Start || m.Span.End > sent.End || slices.Contains(seen, m.Tech) || wrappedBy(m.Tech, r.stackTechs(st)) {
			continue
		}
		en, ok := st.Has(e.Catalog, m.Tech)
		if !ok || en.Tech != m.Tech {
			continue
		}
		seen = append(seen, m.Tech)
		if h, ok := hostOf(st, en.Tech); ok {
			// "Supabase (PostgreSQL)" names one database: the platform.
			if slices.Contains(seen, h.Tech) {
				continue
			}
			en, seen = h, append(seen, h.Tech)
		}
		if out == nil {
			out = map[Role][]StackEntry{}
		}
		out[en.Role] = append(out[en.Role], en)
	}
	return out
}

// stackTechs returns the set of st's technologies, built once per stack.
func (r *Result) stackTechs(st *Stack) map[string]bool {
	if r.techsOf != st {
		r.techsOf, r.techs = st, make(map[string]bool, len(st.Entries))
		for _, en := range st.Entries {
			r.techs[en.Tech] = true
		}
	}
	return r.techs
}

// hostOf returns the stack's platform that runs engine tech ("PostGIS" in
// a Supabase stack is Supabase's database).
func hostOf(st *Stack, tech string) (StackEntry, bool) {
	for _, en := range st.Entries {
		if hostedEngine[en.Tech] == tech {
			return en, true
		}
	}
	return StackEntry{}, false
}

// addImplicitPair adds the point between a and z that concern c implies at
// sp, or a repeat when the pair was reported in the section already.
func (r *Result) addImplicitPair(e *Env, in *Input, _ *concern, b int, sp Span, blk *Block, a, z StackEntry, documented, seen map[string]bool) {
	if ca, cz := e.Catalog.Canonical(a.Tech), e.Catalog.Canonical(z.Tech); ca == cz || samePlatform(ca, cz) || builtinORM[a.Tech] == z.Tech {
		return
	}
	from, to := e.orient(a.Tech, z.Tech)
	key := pairKey(e.Catalog, from, to)
	if documented[key] {
		return
	}
	sk := key + "\x00" + itoa(blk.Section)
	if isDataModel(in.Path) {
		// A data model is about storage throughout: its storage pair
		// is one point for the document, not one per entity section.
		sk = key + "\x00doc"
	}
	line := r.Lines.Line(sp.Start)
	if seen[sk] {
		if r.noRepeats || r.repeated[repeatKey{line, from, to}] {
			return // the line repeats the pair already
		}
		r.repeat(IntegrationPoint{From: from, To: to, Span: r.Lines.LineSpan(line), Block: b, Section: blk.Section,
			Reason: r.impliedReason(e, b, sp, a, z)}, e)
		return
	}
	seen[sk] = !r.pointSuppressed(line)
	p := IntegrationPoint{
		From: from, To: to,
		Span:     r.Lines.LineSpan(line),
		Block:    b,
		Section:  blk.Section,
		Patterns: r.Doc.patternsFor(e, from, to, r.Doc.textOf(*blk)),
		Reason:   r.impliedReason(e, b, sp, a, z),
	}
	for _, en := range []StackEntry{a, z} {
		rel := Related{Path: en.Path, Line: en.Line, Span: en.Span, Message: fmt.Sprintf("%s chosen here (%s)", e.Catalog.Name(en.Tech), en.Role)}
		if en.Path == in.Path {
			rel.Path = ""
		}
		p.Related = append(p.Related, rel)
	}
	r.Points = append(r.Points, p)
	pp := p
	r.Findings = append(r.Findings, Finding{
		Span:     p.Span,
		Severity: SevInformation,
		Code:     CodeIntegrationPoint,
		Message:  e.PointMessage(&p),
		Point:    &pp,
		Related:  p.Related,
		Patterns: p.Patterns,
	})
}

// impliedReason says why a point is implied: "implied by FR-004 with the
// constitution's stack: Better Auth, FastAPI".
func (r *Result) impliedReason(e *Env, b int, sp Span, a, z StackEntry) string {
	return "implied by " + r.requirementName(b, sp) + " with " + stackOwner(a, z) + ": " + e.Catalog.Name(a.Tech) + ", " + e.Catalog.Name(z.Tech)
}

// requirementName names the requirement holding sp: its id ("FR-004"),
// "this user story", "this acceptance scenario", or "this line". Never a
// line number: the finding is on that line already, and a number would
// change the message (and every later finding's) at each line typed above.
func (r *Result) requirementName(b int, sp Span) string {
	d := r.Doc
	text, off := d.textAt(b)
	ls := lineStart(d.Src, sp.Start)
	line := d.Src[ls:lineEnd(d.Src, sp.Start)]
	if m := d.findSub(reqIDRe, line, ls); m != nil {
		return string(line[m[2]:m[3]])
	}
	if m := d.findSub(reqIDRe, text, off); m != nil {
		return string(text[m[2]:m[3]])
	}
	switch {
	case d.match(storyRe, text, off):
		return "this user story"
	case d.match(scenarioRe, text, off):
		return "this acceptance scenario"
	}
	return "this line"
}

// stackOwner names whose stack chose a and z: "the constitution's stack".
func stackOwner(a, z StackEntry) string {
	name := func(o string) string {
		switch o {
		case OriginConstitution:
			return "the constitution"
		case OriginPlan:
			return "the plan"
		}
		return "this document"
	}
	if a.Origin == z.Origin {
		if a.Origin == OriginDocument {
			return "this document's stack"
		}
		return name(a.Origin) + "'s stack"
	}
	return "the stack of " + strings.Join([]string{name(a.Origin), name(z.Origin)}, " and ")
}

var (
	// signInCueRe finds what may speak of signing in from the client side:
	// a phrase that names the client side of auth by itself
	// (clientAuthRe), a sign-in word, or a word for the frontend.
	signInCueRe  = mustRx(`(?i)(\b(?:auth(?:entication)?[- ]?client|jwt[- ]?client|createauthclient|usesession)\b|/api/auth/\[|\b(?:sign[- ]?(?:in|up|out)|log[- ]?(?:in|out)|register(?:s|ed|ing)?|registration|social login|oauth|authenticat\w*)\b|\b(?:front[- ]?end|client[- ]side|browser)\b)`)
	clientAuthRe = mustRx(`(?i)^(?:auth(?:entication)?[- ]?client|jwt[- ]?client|createauthclient|usesession|/api/auth/\[)$`)
	authWordRe   = mustRx(`(?i)\b(?:sign[- ]?(?:in|up|out)|log[- ]?(?:in|out)|login|logout|register(?:s|ed|ing)?|registration|social login|oauth|authenticat\w*)\b`)
	// signInWordRe is the act of signing in, which says more than
	// "authentication" (a layer, a topic).
	signInWordRe = mustRx(`(?i)\b(?:sign[- ]?(?:in|up|out)|log[- ]?(?:in|out)|login|logout|register(?:s|ed|ing)?|registration)\b`)
	frontWordRe  = mustRx(`(?i)\b(?:front[- ]?end|client[- ]side|browser)\b`)
	// bothEndsRe follows a frontend word that names the two ends of the
	// API together ("frontend and backend", "frontend-backend"): that is
	// the frontend calling the backend, not the frontend's sign-in.
	bothEndsRe = mustRx(`(?i)^(?:\s*(?:-|/|and|&|,|\+|→|->|<->|↔)\s*)(?:the\s+)?back[- ]?end`)
	// clientStorageRe finds where a browser keeps state: a token or a
	// session "stored in localStorage" or "persisting across refreshes"
	// is the client's business, not the backend's or the database's.
	clientStorageRe = mustRx(`(?i)\b(?:local ?storage|session ?storage|indexeddb|cookies?|in[- ]memory|(?:browser|page) (?:refresh(?:es)?|reloads?|storage|sessions?))\b`)
)

// clientSideAuth reports whether the sign-in cue at sp speaks of the client
// side of auth. Without a backend in the stack, signing in can only happen
// between the frontend and the auth service, so any sign-in word does. With
// one, the backend may be where users sign in, so the text must say it is
// the client: a phrase that says so by itself ("auth client"), or a
// sentence that holds a sign-in word or an auth technology, and the frontend
// (the word or a frontend technology), with a technology named or the act of
// signing in ("log in"; "authentication" alone may be a layer or a topic). A
// sentence that lists the stack names its technologies, it does not wire
// them; a line's label ("Frontend: …") is not the frontend taking part. What
// the client keeps where (a token in memory) is storage, not wiring.
func (r *Result) clientSideAuth(e *Env, st *Stack, b int, sp Span) bool {
	d := r.Doc
	if _, ok := st.For(RoleBackend); !ok && d.match(authWordRe, d.Src[sp.Start:sp.End], sp.Start) {
		return true
	}
	if !r.notClientStorage(e, st, b, sp) {
		return false
	}
	if d.match(clientAuthRe, d.Src[sp.Start:sp.End], sp.Start) {
		return true
	}
	sent := sentence(d.Src, d.runOf(b, sp), sp.Start)
	if loc := d.find(declRe, d.Src[sent.Start:sent.End], sent.Start); loc != nil {
		sent.Start += loc[1]
	}
	text := d.Src[sent.Start:sent.End]
	auth := d.match(authWordRe, text, sent.Start)
	front := false
	for _, loc := range d.findAll(frontWordRe, text, sent.Start) {
		if !d.match(bothEndsRe, text[loc[1]:], sent.Start+loc[1]) {
			front = true
			break
		}
	}
	named, techs := false, 0
	for _, m := range r.blockMentions(b) {
		if m.Excluded != "" || m.Span.Start < sent.Start || m.Span.End > sent.End {
			continue
		}
		techs++
		t, ok := e.Catalog.Lookup(m.Tech)
		if !ok {
			continue
		}
		switch t.Role {
		case RoleAuth:
			auth, named = true, true
		case RoleFrontend:
			front, named = true, true
		}
	}
	if auth && front && (named || d.match(signInWordRe, text, sent.Start)) {
		return !(techs >= 3 && isList(text))
	}
	// A terse list item takes its subject from its heading: "Runs in the
	// frontend" under "### Authentication".
	if blk := d.Blocks[b]; front && !auth && blk.ListDepth > 0 && blk.Section >= 0 && len(bytes.Fields(text)) <= 8 {
		return d.matchBlock(authWordRe, blk.Section)
	}
	return false
}

// isList reports whether text is an enumeration ("Next.js 16+, React 18,
// Better Auth, Tailwind CSS"): three or more comma-separated parts of a few
// words each.
func isList(text []byte) bool {
	parts := bytes.Split(text, []byte(","))
	if len(parts) < 3 {
		return false
	}
	for _, p := range parts {
		if len(bytes.Fields(p)) > 4 {
			return false
		}
	}
	return true
}

// notClientStorage reports whether the sentence of the cue at sp is not
// about what the browser keeps (a token in localStorage, a session that
// survives a refresh).
func (r *Result) notClientStorage(_ *Env, _ *Stack, b int, sp Span) bool {
	d := r.Doc
	sent := sentence(d.Src, d.runOf(b, sp), sp.Start)
	return !d.match(clientStorageRe, d.Src[sent.Start:sent.End], sent.Start)
}

// blockMentions returns the mentions in block b.
func (r *Result) blockMentions(b int) []Mention {
	if r.mentionIdx == nil {
		r.mentionIdx = map[int][2]int{}
		for i, m := range r.Mentions {
			v, ok := r.mentionIdx[m.Block]
			if !ok {
				v = [2]int{i, i}
			}
			v[1] = i + 1
			r.mentionIdx[m.Block] = v
		}
	}
	v, ok := r.mentionIdx[b]
	if !ok {
		return nil
	}
	return r.Mentions[v[0]:v[1]]
}

// featureNameRe finds a spec-kit feature folder name ("001-auth-jwt",
// "F01-S03-frontend-fullstack").
var featureNameRe = mustRx(`^[A-Za-z]?\d+[-_]`)

// frontWords and authWords name features about the frontend or about
// signing in.
var (
	frontWords = map[string]bool{"frontend": true, "ui": true}
	authWords  = map[string]bool{"auth": true, "authentication": true, "login": true, "signin": true, "jwt": true}
)

// featureScope reports whether path lies in a feature folder whose name says
// the feature is about the frontend or about authentication (narrow:
// "003-frontend-auth-api", "001-user-authentication"), and whether it is
// about authentication (auth).
func featureScope(p string) (narrow, auth bool) {
	for _, seg := range strings.Split(strings.ReplaceAll(p, "\\", "/"), "/") {
		if !featureNameRe.MatchString(seg) {
			continue
		}
		for _, w := range strings.FieldsFunc(strings.ToLower(seg), func(r rune) bool { return r == '-' || r == '_' || r == '.' }) {
			auth = auth || authWords[w]
			narrow = narrow || authWords[w] || frontWords[w]
		}
	}
	return narrow, auth
}

// declaresStorage reports whether the cue at sp is the label of a field
// whose value names the database or the ORM ("**Storage**: Neon", not
// "**Storage**: Clerk user metadata").
func (r *Result) declaresStorage(e *Env, _ *Stack, _ int, sp Span) bool {
	d := r.Doc
	after := sp.Start + len("storage")
	loc := fieldLabelRe.FindIndex(d.Src[after:min(len(d.Src), after+5)])
	if loc == nil {
		return false
	}
	val := Span{after + loc[1], lineEnd(d.Src, sp.Start)}
	if i := bytes.Index(d.Src[val.Start:val.End], []byte("**")); i >= 0 {
		val.End = val.Start + i
	}
	return r.namesStorage(e, val)
}

// fieldLabelRe follows a field label: "Storage**:", "Storage:".
var fieldLabelRe = mustRx(`^(?:\*\*|__)?\s*:`)

// keepsOwnData reports whether the auth technology stores its users in the
// stack's storage: not a hosted identity service, and an ORM of its own
// runtime, or no ORM but a database.
func keepsOwnData(st *Stack, tech string) bool {
	if hostedIdentity[tech] {
		return false
	}
	if orm, ok := st.For(RoleORM); ok {
		return ecosystem[tech] != "" && ecosystem[tech] == ecosystem[orm.Tech]
	}
	_, ok := st.For(RoleDatabase)
	return ok
}

// storageNounRe names where data is kept.
var storageNounRe = mustRx(`(?i)\b(?:databases?|db|tables?|schemas?|orm|migrations?|stored? (?:in|into))\b|数据库`)

// storesData reports whether the persistence cue at sp is about data the
// application keeps: not what the browser keeps, and, in a feature about the
// frontend or about signing in, text that names the storage (the database, a
// table, an ORM or database technology). There, "users can create, update
// and delete tasks" is the feature's context: the tasks are stored by
// another feature.
func (r *Result) storesData(e *Env, st *Stack, b int, sp Span) bool {
	if !r.notClientStorage(e, st, b, sp) {
		return false
	}
	d := r.Doc
	if !r.narrowFeature {
		return true
	}
	sent := sentence(d.Src, d.runOf(b, sp), sp.Start)
	if d.match(storageNounRe, d.Src[sent.Start:sent.End], sent.Start) {
		return true
	}
	return r.namesStorage(e, sent)
}

// speaksOfStorage reports whether the sentence holding sp names where data
// is kept: a storage word, or a database or ORM technology.
func (r *Result) speaksOfStorage(e *Env, b int, sp Span) bool {
	d := r.Doc
	// The block's source, so a sentence runs across its code spans.
	sent := sentence(d.Src, d.Blocks[b].Span, sp.Start)
	return d.match(storageNounRe, d.Src[sent.Start:sent.End], sent.Start) || r.namesStorage(e, sent)
}

// namesStorage reports whether the text at sp names a database or an ORM.
func (r *Result) namesStorage(e *Env, sp Span) bool {
	i := sort.Search(len(r.Mentions), func(i int) bool { return r.Mentions[i].Span.Start >= sp.Start })
	for ; i < len(r.Mentions) && r.Mentions[i].Span.End <= sp.End; i++ {
		if m := r.Mentions[i]; m.Excluded == "" {
			if t, ok := e.Catalog.Lookup(m.Tech); ok && (t.Role == RoleORM || t.Role == RoleDatabase) {
				return true
			}
		}
	}
	return false
}
