package analysis

import (
	"bytes"
	"fmt"
	"strings"
)

// Anti-pattern diagnostic codes: the seed's four and the security mistakes
// real specs make. Each has a message, an official source and the patterns
// that fix it (antiPatterns below).
const (
	CodeTokenInBrowserStorage   = "token-in-browser-storage"
	CodeAuthCallPerRequest      = "auth-call-per-request"
	CodeHardcodedSecret         = "hardcoded-secret"
	CodeMissingExpCheck         = "missing-exp-check"
	CodeUnverifiedJWTSignature  = "unverified-jwt-signature"
	CodeSharedSecretJWT         = "shared-secret-jwt"
	CodeMissingJWTAlgorithms    = "missing-jwt-algorithms"
	CodeCORSWildcardCredentials = "cors-wildcard-credentials"
	CodePublicEnvSecret         = "public-env-secret"
	CodeProxyOnlyAuth           = "proxy-only-auth"
	CodeWebhookWithoutSignature = "webhook-without-signature"
)

// antiPattern is what every finding of one code says.
type antiPattern struct {
	message  string
	href     string
	patterns []string
}

// Pattern ids the anti-pattern findings recommend (references/).
const (
	patJWKS          = "better-auth-fastapi/jwt-bearer-verified-with-jwks"
	patBearerCORS    = "nextjs-fastapi/rest-calls-with-a-bearer-token-and-explicit-cors-origins"
	patServerSession = "nextjs-better-auth/app-router-handler-client-and-server-side-session-check"
	patStripeNext    = "stripe-nextjs/webhook-route-handler-verifying-the-signature-on-the-raw-body"
	patStripeFastAPI = "stripe-fastapi/webhook-endpoint-verifying-construct-event-on-the-raw-request-body"
	patClerkNext     = "nextjs-clerk/clerkmiddleware-in-proxy-ts-with-per-resource-auth-checks"
	patSupabaseNext  = "nextjs-supabase-auth/supabase-ssr-cookie-clients-with-getclaims-on-the-server"
)

// AntiPatternCodes lists the anti-pattern codes in a stable order.
var AntiPatternCodes = []string{
	CodeTokenInBrowserStorage, CodeAuthCallPerRequest, CodeHardcodedSecret, CodeMissingExpCheck,
	CodeUnverifiedJWTSignature, CodeSharedSecretJWT, CodeMissingJWTAlgorithms,
	CodeCORSWildcardCredentials, CodePublicEnvSecret, CodeProxyOnlyAuth, CodeWebhookWithoutSignature,
}

var antiPatterns = map[string]antiPattern{
	CodeTokenInBrowserStorage: {
		message:  "auth token kept in browser storage: any XSS can read localStorage/sessionStorage and steal it. Keep the session in an HttpOnly; Secure; SameSite cookie and hold short-lived API tokens in memory (or call the API from the server)",
		href:     "https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#html5-web-storage-api",
		patterns: []string{patBearerCORS, patJWKS},
	},
	CodeAuthCallPerRequest: {
		message:  "the backend calls the auth server to validate every request: a network hop (and a session write) per call and an availability coupling. Verify JWTs locally against a cached JWKS and refetch only on an unknown kid",
		href:     "https://better-auth.com/docs/plugins/jwt#verifying-the-token",
		patterns: []string{patJWKS},
	},
	CodeHardcodedSecret: {
		message:  "hardcoded secret: a literal credential in a spec ends up in code, history and logs. Read it from an environment variable or a secrets manager and rotate this value",
		href:     "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html",
		patterns: nil,
	},
	CodeMissingExpCheck: {
		message:  "token expiry is not checked: an expired or stolen token stays valid forever. Verify `exp` (PyJWT: never `verify_exp: False`; add `options={\"require\": [\"exp\", \"iat\", \"sub\"]}`)",
		href:     "https://pyjwt.readthedocs.io/en/stable/api.html#jwt.types.Options",
		patterns: []string{patJWKS},
	},
	CodeUnverifiedJWTSignature: {
		message:  "JWT claims are read without verifying the signature: anyone can forge a token. Verify with the issuer's public key (JWKS) and a hard-coded algorithm list before trusting any claim",
		href:     "https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_Cheat_Sheet.html",
		patterns: []string{patJWKS},
	},
	CodeSharedSecretJWT: {
		message:  "the auth server's own secret is shared as an HS256 key with another service: every holder can mint tokens, and a leak in either service compromises both. Have the auth server sign with an asymmetric key and verify with its JWKS",
		href:     "https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_Cheat_Sheet.html#public-key-signatures-vs-mac",
		patterns: []string{patJWKS},
	},
	CodeMissingJWTAlgorithms: {
		message:  "JWT decoded without a fixed `algorithms` list (or with `none`, or with the token's own `alg`): this opens algorithm-confusion attacks. Pass a hard-coded list such as `algorithms=[\"EdDSA\"]` and never mix HS* with public-key algorithms",
		href:     "https://cheatsheetseries.owasp.org/cheatsheets/JSON_Web_Token_Cheat_Sheet.html#key-type-confusion",
		patterns: []string{patJWKS},
	},
	CodeCORSWildcardCredentials: {
		message:  "CORS allows any origin (`*`) together with credentials: Starlette then reflects the caller's Origin, so any website can make credentialed requests. List the frontend origins explicitly",
		href:     "https://fastapi.tiangolo.com/tutorial/cors/",
		patterns: []string{patBearerCORS},
	},
	CodePublicEnvSecret: {
		message:  "a secret in a browser-exposed variable: `NEXT_PUBLIC_` (and `VITE_`, `REACT_APP_`, `EXPO_PUBLIC_`) values are inlined into the client bundle at build time. Drop the prefix and read the secret only in server code (`import \"server-only\"`)",
		href:     "https://nextjs.org/docs/app/guides/environment-variables#bundling-environment-variables-for-the-browser",
		patterns: nil,
	},
	CodeProxyOnlyAuth: {
		message:  "Next.js proxy/middleware is the only auth gate: it should only make optimistic cookie checks. Verify the session again in Server Components, Server Actions and Route Handlers (a Data Access Layer)",
		href:     "https://nextjs.org/docs/app/guides/authentication#optimistic-checks-with-proxy-optional",
		patterns: []string{patServerSession},
	},
	CodeWebhookWithoutSignature: {
		message:  "webhook endpoint without signature verification: anyone can post forged events to it. Verify the provider's signature on the raw request body (Stripe: `constructEvent` with the endpoint's `whsec_` secret) before acting on an event",
		href:     "https://docs.stripe.com/webhooks/signature",
		patterns: []string{patStripeNext, patStripeFastAPI},
	},
}

// AntiPatternHref returns the official source of an anti-pattern code.
func AntiPatternHref(code string) string { return antiPatterns[code].href }

// Expressions used inside the detectors' callbacks, compiled once.
var (
	jwtWordRe          = mustRx(`(?i)\b(?:jwts?|tokens?)\b`)
	sharedSecretWordRe = mustRx(`(?i)shared\s+secret`)
	credentialsOffRe   = mustRx(`(?i)allow_credentials\s*=\s*False`)
	expWordRe          = mustRx(`\bexp\b`)
)

// detectAntiPatterns adds the anti-pattern findings of a document, in prose
// and in code blocks. Text that Doc.Exclusion rejects (a negation, a
// rejected alternative, a placeholder, a counter-example) is not a finding.
func detectAntiPatterns(r *Result, e *Env, in *Input) {
	s := &apScan{r: r, e: e, seen: map[[3]int]bool{}, excluded: map[[2]int]bool{}}
	s.hasTech = map[string]bool{}
	for _, m := range r.Mentions {
		if m.Excluded == "" {
			s.hasTech[m.Tech] = true
		}
	}
	s.tokenStorage()
	s.authCallPerRequest()
	s.hardcodedSecrets()
	s.jwtVerification()
	s.sharedSecret()
	s.cors()
	s.publicEnv()
	s.proxyOnly()
	s.webhooks()
}

type apScan struct {
	r       *Result
	e       *Env
	hasTech map[string]bool
	seen    map[[3]int]bool // (code index, line, start) already reported
	// excluded memoises codeExcluded per (block, line).
	excluded map[[2]int]bool
}

// add reports code at sp, once per line and code; extra, if any, says what
// was found, in parentheses after the message's head.
func (s *apScan) add(code string, sp Span, patterns []string, extra string) {
	line := s.r.Lines.Line(sp.Start)
	k := [3]int{codeIndex(code), line, 0}
	if s.seen[k] {
		return
	}
	s.seen[k] = true
	ap := antiPatterns[code]
	if patterns == nil {
		patterns = ap.patterns
	}
	msg := ap.message
	if extra != "" {
		// "hardcoded secret (X has a literal value): a literal credential …"
		if head, rest, ok := strings.Cut(msg, ": "); ok {
			msg = head + " (" + extra + "): " + rest
		} else {
			msg = extra + ": " + msg
		}
	}
	s.r.Findings = append(s.r.Findings, Finding{
		Span:     sp,
		Severity: SevWarning,
		Code:     code,
		Message:  msg,
		Href:     ap.href,
		Patterns: s.available(patterns),
	})
}

// available keeps the pattern ids the library has (a workspace pack may
// have replaced the built-in library).
func (s *apScan) available(ids []string) []string {
	var out []string
	for _, id := range ids {
		if s.e.Library == nil {
			break
		}
		if _, ok := s.e.Library.Get(id); ok {
			out = append(out, id)
		}
	}
	return out
}

func codeIndex(code string) int {
	for i, c := range AntiPatternCodes {
		if c == code {
			return i
		}
	}
	return -1
}

// find, findAll, findSub, findAllSub and match run re on text (which starts
// at document offset off) behind its literal gate, through the memo.
func (s *apScan) find(re *rx, text []byte, off int) []int {
	return s.r.Doc.find(re, text, off)
}

func (s *apScan) findAll(re *rx, text []byte, off int) [][]int {
	return s.r.Doc.findAll(re, text, off)
}

func (s *apScan) findSub(re *rx, text []byte, off int) []int {
	return s.r.Doc.findSub(re, text, off)
}

func (s *apScan) findAllSub(re *rx, text []byte, off int) [][]int {
	return s.r.Doc.findAllSub(re, text, off)
}

func (s *apScan) match(re *rx, text []byte, off int) bool {
	return s.r.Doc.match(re, text, off)
}

// anyMay reports whether any of res may match text (at offset off): a cheap
// test that spares the exclusion rules for lines no detector cares about.
func (s *apScan) anyMay(text []byte, off int, res ...*rx) bool {
	for _, re := range res {
		if s.r.Doc.may(re, text, off) {
			return true
		}
	}
	return false
}

// proseBlocks calls fn for each prose block (paragraph, heading, table row)
// with its source text; code spans and markup are included.
func (s *apScan) proseBlocks(fn func(b int, text []byte, off int)) {
	d := s.r.Doc
	for b := range d.Blocks {
		blk := &d.Blocks[b]
		if blk.Kind == KindCode || blk.Kind == KindHTML || blk.Span.Len() == 0 {
			continue
		}
		fn(b, d.Src[blk.Span.Start:blk.Span.End], blk.Span.Start)
	}
}

// codeLines calls fn for each line of each code block where one of res may
// match. fn must do nothing on a line where none of res matches: a block
// none of them may match (its literal gates, checked once for the whole
// block) is skipped, since a line holds no literal its block lacks.
func (s *apScan) codeLines(res []*rx, fn func(b, i int, line []byte, off int)) {
	d := s.r.Doc
	for b := range d.Blocks {
		blk := &d.Blocks[b]
		if blk.Kind != KindCode || !s.anyMay(d.Src[blk.Span.Start:blk.Span.End], blk.Span.Start, res...) {
			continue
		}
		for i, ln := range blk.Text {
			fn(b, i, d.Src[ln.Start:ln.End], ln.Start)
		}
	}
}

// prose reports each match of re in prose whose group g (0: the whole
// match) is not excluded and for which ok (when set) holds.
func (s *apScan) prose(code string, re *rx, g int, ok func(b int, sp Span, sent []byte) bool) {
	d := s.r.Doc
	if !d.mayInDoc(re) {
		return
	}
	s.proseBlocks(func(b int, text []byte, off int) {
		for _, m := range s.findAllSub(re, text, off) {
			if m[2*g] < 0 {
				continue
			}
			sp := Span{off + m[2*g], off + m[2*g+1]}
			if d.Exclusion(b, sp) != "" {
				continue
			}
			sent := sentence(d.Src, d.Blocks[b].Span, sp.Start)
			if ok != nil && !ok(b, sp, d.Src[sent.Start:sent.End]) {
				continue
			}
			s.add(code, sp, nil, "")
		}
	})
}

var (
	tokenWordRe   = mustRx(`(?i)\b(?:tokens?|jwts?|bearer|access[_ -]?tokens?|refresh[_ -]?tokens?|id[_ -]?tokens?|session[_ -]?(?:ids?|tokens?)|credentials?|auth\w*)\b`)
	jwtContextRe  = mustRx(`(?i)\b(?:jwts?|tokens?|hs256|hmac|[a-z_]*auth_secret|sign(?:s|ed|ing)?|verif\w*)\b`)
	storageWordRe = mustRx(`(?i)\b(?:window\.)?(local\s?storage|session\s?storage|web\s+storage|browser\s+storage)\b`)
	codeStorageRe = mustRx(`\b(?:local|session)Storage\b`)
	codeTokenRe   = mustRx(`(?i)token|jwt|bearer|credential|auth`)
)

// tokenStorage: auth tokens in localStorage/sessionStorage.
func (s *apScan) tokenStorage() {
	d := s.r.Doc
	// A block that warns against browser storage once ("OWASP says never
	// to keep tokens in web storage") describes, it does not decide.
	warns := map[int]bool{}
	if d.mayInDoc(storageWordRe) {
		s.proseBlocks(func(b int, text []byte, off int) {
			for _, m := range s.findAll(storageWordRe, text, off) {
				if x := d.Exclusion(b, Span{off + m[0], off + m[1]}); x == ExclNegated || x == ExclRejected {
					warns[b] = true
				}
			}
		})
	}
	s.prose(CodeTokenInBrowserStorage, storageWordRe, 1, func(b int, sp Span, sent []byte) bool {
		if warns[b] {
			return false
		}
		// "sessionStorage (UI state)": the parenthesis says what is stored.
		rest := d.Src[sp.End:min(len(d.Src), sp.End+80)]
		rest = bytes.TrimLeft(rest, "`*_ ")
		if len(rest) > 0 && rest[0] == '(' {
			if c := bytes.IndexByte(rest, ')'); c > 0 {
				return tokenWordRe.Match(rest[:c])
			}
		}
		if tokenWordRe.Match(sent) {
			return true
		}
		// The previous sentence of the same block ("Persist tokens … . Web
		// uses localStorage").
		st := sentence(d.Src, d.Blocks[b].Span, sp.Start).Start
		if st > d.Blocks[b].Span.Start+2 {
			prev := sentence(d.Src, d.Blocks[b].Span, st-2)
			return tokenWordRe.Match(d.Src[prev.Start:prev.End])
		}
		return false
	})
	s.codeLines([]*rx{codeStorageRe}, func(b, i int, line []byte, off int) {
		loc := s.find(codeStorageRe, line, off)
		if loc == nil {
			return
		}
		rest := append(append([]byte{}, line[:loc[0]]...), line[loc[1]:]...)
		if !codeTokenRe.Match(rest) || s.codeExcluded(b, i) {
			return
		}
		s.add(CodeTokenInBrowserStorage, Span{off + loc[0], off + loc[1]}, nil, "")
	})
}

var (
	perRequestRe = mustRx(`(?i)\b(?:(?:on|for|with|per|in)\s+(?:every|each)\s+(?:single\s+)?(?:api\s+|incoming\s+|protected\s+|http\s+)?(?:request|call)s?|per[- ]request|every\s+(?:api\s+)?request)\b`)
	remoteAuthRe = mustRx(`(?i)\b(?:call(?:s|ed|ing)?|quer(?:y|ies|ying)|fetch(?:es|ing)?|hit(?:s|ting)?|ask(?:s|ing)?|contact(?:s|ing)?|round[- ]trips?\s+to|validat(?:e|es|ing)\s+(?:\w+\s+){0,3}(?:with|against|via)|verif(?:y|ies|ying)\s+(?:\w+\s+){0,3}(?:with|against|via))\s+(?:\w+\s+){0,4}?(?:the\s+)?(auth(?:entication)?\s+(?:server|service|provider)|better[ -]auth(?:'s)?(?:\s+(?:api|server))?|/?(?:api/auth/)?get-session|getSession|session\s+endpoint|introspection(?:\s+endpoint)?|/userinfo)`)
)

// authCallPerRequest: validating each request by calling the auth server.
func (s *apScan) authCallPerRequest() {
	s.prose(CodeAuthCallPerRequest, remoteAuthRe, 0, func(b int, sp Span, sent []byte) bool {
		return perRequestRe.Match(sent)
	})
}

var (
	// Known secret formats.
	secretPrefixRe = mustRx(`\b(?:sk_live_[0-9A-Za-z]{16,}|rk_live_[0-9A-Za-z]{16,}|sk_test_[0-9A-Za-z]{16,}|whsec_[0-9A-Za-z+/=]{16,}|re_[0-9A-Za-z]{8,}_[0-9A-Za-z]{8,}|sb_secret_[0-9A-Za-z_-]{16,}|AKIA[0-9A-Z]{16}|ghp_[0-9A-Za-z]{30,}|github_pat_[0-9A-Za-z_]{30,}|xox[abpr]-[0-9A-Za-z-]{10,}|sk-(?:proj-|ant-)?[0-9A-Za-z_-]{32,}|SG\.[0-9A-Za-z_-]{16,}\.[0-9A-Za-z_-]{16,})|-----BEGIN (?:RSA |EC |OPENSSH )?PRIVATE KEY-----`)
	// NAME = "literal" / NAME: literal / NAME=literal for secret-like names.
	secretAssignRe = mustRx(`(?i)\b([a-z0-9_]*(?:secret|password|passwd|pwd|api_?key|private_?key|access_?key|auth_?token|client_?secret)[a-z0-9_]*)["']?\s*(?::=|=|:)\s*(?:(["'\x60])([^"'\x60\n]*)["'\x60]|([^\s"'\x60,;#)}\]]+))`)
	// hash("literal") and friends: a literal password in seed code.
	passwordCallRe = mustRx(`(?i)\b(?:hash|hashSync|hashpw|make_password|set_password|create_user|createUser|signUpEmail|get_password_hash|hash_password)\s*\(\s*(?:password\s*=\s*)?["']([^"'\n]{4,})["']`)
	// scheme://user:password@host
	urlCredRe = mustRx(`\b[a-z][a-z0-9+.-]*://([^\s:/@'"]+):([^\s@/'"]+)@[^\s'"]+`)
	// Obvious placeholders: never a finding.
	strongPlaceholderRe = mustRx(`(?i)^(?:<.*>|\$\{.*\}|\$\(.*\)|\{\{.*\}\}|%.*%|\*+|x+|\.\.\.+|\[.*\]|none|null|nil|undefined|true|false|todo|tbd|n/?a|redacted|hidden)$|your[-_ ]|^your|xxx|\.\.\.|example|placeholder|replace|generate|random|insert|here|<|>|\$\{|\{\{|\benv\b|environ|process\.env|getenv|settings\.|config\.|secrets?\.|\bfrom\b|\(|^\$`)
	// Weak placeholders: a finding only in a production context.
	weakPlaceholderRe = mustRx(`(?i)^(?:change[-_]?me|change[-_]?this|changeit|secret|password|pass|passwd|pwd|test|testing|dev|development|local|admin|default|demo|sample|dummy|fake|foo|bar|key|token|api[-_]?key|user|username|postgres|root|mysql)$`)
	productionRe      = mustRx(`(?i)\bprod(?:uction)?\b`)
	envLineRe         = mustRx(`^\s*(?:export\s+)?[A-Za-z_][A-Za-z0-9_]*\s*=`)
	yamlLineRe        = mustRx(`^\s*-?\s*[A-Za-z_][A-Za-z0-9_]*\s*:\s*\S`)
)

// hardcodedSecrets: literal credentials in code blocks (and known key
// formats anywhere).
func (s *apScan) hardcodedSecrets() {
	d := s.r.Doc
	s.prose(CodeHardcodedSecret, secretPrefixRe, 0, func(b int, sp Span, sent []byte) bool {
		return !placeholderSecret(string(d.Src[sp.Start:sp.End]))
	})
	// Exclusion and the production check are asked only for lines that
	// hold a candidate: most code lines hold none.
	prodOf := map[int]bool{}
	prod := func(b int) bool {
		p, ok := prodOf[b]
		if !ok {
			p = s.production(b)
			prodOf[b] = p
		}
		return p
	}
	s.codeLines([]*rx{secretPrefixRe, secretAssignRe, passwordCallRe, urlCredRe}, func(b, i int, line []byte, off int) {
		report := func(sp Span, extra string) {
			if !s.codeExcluded(b, i) {
				s.add(CodeHardcodedSecret, sp, nil, extra)
			}
		}
		if loc := s.find(secretPrefixRe, line, off); loc != nil && !placeholderSecret(string(line[loc[0]:loc[1]])) {
			report(Span{off + loc[0], off + loc[1]}, "")
			return
		}
		lang := strings.ToLower(d.Blocks[b].Lang)
		for _, m := range s.findAllSub(secretAssignRe, line, off) {
			name := string(line[m[2]:m[3]])
			var val string
			quoted := m[4] >= 0
			if quoted {
				val = string(line[m[6]:m[7]])
			} else {
				if m[8] < 0 {
					continue
				}
				val = string(line[m[8]:m[9]])
				// Unquoted values are literals only in .env and YAML lines;
				// elsewhere they are identifiers or expressions.
				if !(envLineRe.Match(line) && envLang(lang)) && !(yamlLineRe.Match(line) && yamlLang(lang)) {
					continue
				}
			}
			if !s.literalSecret(name, val, prod(b)) {
				continue
			}
			report(Span{off + m[2], off + m[1]}, fmt.Sprintf("%s has a literal value", name))
			return
		}
		if m := s.findSub(passwordCallRe, line, off); m != nil && s.literalSecret("password", string(line[m[2]:m[3]]), prod(b)) {
			report(Span{off + m[0], off + m[1]}, "literal password in code")
			return
		}
		if m := s.findSub(urlCredRe, line, off); m != nil && s.literalSecret("password", string(line[m[4]:m[5]]), prod(b)) {
			report(Span{off + m[0], off + m[1]}, "connection URL with a literal password")
		}
	})
}

// literalSecret reports whether val, assigned to name, is a real-looking
// secret rather than a placeholder, a reference or a non-secret setting.
func (s *apScan) literalSecret(name, val string, production bool) bool {
	v := strings.TrimSpace(val)
	if len(v) < 4 || placeholderSecret(v) {
		return false
	}
	ln := strings.ToLower(name)
	// Settings about secrets rather than secrets: PASSWORD_MIN_LENGTH=8,
	// SECRET_KEY_FILE=/run/secrets/x, api_key_header: X-API-Key.
	for _, w := range []string{"length", "len", "min", "max", "file", "path", "header", "name", "field", "hash", "url", "expire", "ttl", "algorithm", "rounds", "policy", "reset", "confirm", "type", "id"} {
		if strings.HasSuffix(ln, "_"+w) || strings.HasSuffix(ln, w) && w != "id" && len(ln) > len(w) && ln[len(ln)-len(w)-1] == '_' {
			return false
		}
	}
	if strings.HasPrefix(ln, "next_public_") && (strings.Contains(ln, "publishable") || strings.Contains(ln, "anon")) {
		return false
	}
	if weakPlaceholderRe.MatchString(v) {
		return production
	}
	// Numbers, booleans, type names and identifiers-with-dots are not
	// secrets ("password: str", "password: Mapped[str]").
	switch strings.ToLower(v) {
	case "str", "string", "bytes", "int", "secretstr", "text", "varchar", "optional", "required":
		return false
	}
	if isNumber(v) || strings.ContainsAny(v, "[]()") {
		return false
	}
	return true
}

// envLang reports whether a code block of this language may hold .env
// lines (NAME=value).
func envLang(lang string) bool {
	switch lang {
	case "", "env", "dotenv", "bash", "sh", "shell", "console", "text", "txt", "ini", "properties", "conf", "dockerfile", "docker":
		return true
	}
	return false
}

// yamlLang reports whether a code block of this language may hold YAML
// mappings with unquoted literal values.
func yamlLang(lang string) bool {
	switch lang {
	case "", "yaml", "yml", "text", "txt", "toml", "ini", "conf":
		return true
	}
	return false
}

func isNumber(s string) bool {
	for _, c := range s {
		if (c < '0' || c > '9') && c != '.' && c != '_' {
			return false
		}
	}
	return true
}

// placeholderSecret reports obvious placeholders: <...>, ${...}, your-…,
// xxx, "...", "example".
func placeholderSecret(v string) bool {
	return strongPlaceholderRe.MatchString(v)
}

// production reports whether code block b sits in a production context: a
// heading, label or the block itself names production.
func (s *apScan) production(b int) bool {
	d := s.r.Doc
	blk := &d.Blocks[b]
	if blk.Section >= 0 && productionRe.Match(d.textOf(d.Blocks[blk.Section])) {
		return true
	}
	if b > 0 && d.Blocks[b-1].Kind != KindCode && productionRe.Match(d.textOf(d.Blocks[b-1])) {
		return true
	}
	if len(blk.Text) > 0 && productionRe.Match(d.Src[blk.Text[0].Start:blk.Text[0].End]) {
		return true
	}
	return false
}

var (
	unverifiedCodeRe  = mustRx(`\bget_unverified_claims\s*\(|["']?verify_signature["']?\s*[:=]\s*False\b|\bjwt\.decode\([^)]*\bverify\s*=\s*False|\bcomplete\s*=\s*False.*verify|\bjwt\.decode\(\s*\w+\s*\)\s*$|\bjsonwebtoken\b.*\.decode\(`)
	noExpCodeRe       = mustRx(`["']?verify_exp["']?\s*[:=]\s*False\b|\bignoreExpiration\s*:\s*true\b|\bclockTolerance\s*:\s*\d{6,}`)
	unverifiedProseRe = mustRx(`(?i)\b(?:decod(?:e|es|ed|ing)|read(?:s|ing)?|pars(?:e|es|ed|ing)|trust(?:s|ed|ing)?)\s+(?:the\s+)?(?:jwt|token|claims)(?:'s)?\s+(?:\w+\s+){0,2}?without\s+(?:verif\w+|validat\w+|checking)\s+(?:the\s+|its\s+)?signature|\b(?:skip(?:s|ped|ping)?|disabl(?:e|es|ed|ing)|bypass(?:es|ed|ing)?)\s+(?:the\s+)?(?:jwt\s+|token\s+)?signature\s+(?:verification|validation|check)`)
	noExpProseRe      = mustRx(`(?i)\b(?:skip(?:s|ped|ping)?|ignor(?:e|es|ed|ing)|disabl(?:e|es|ed|ing)|bypass(?:es|ed|ing)?)\s+(?:the\s+)?(?:token\s+|jwt\s+)?(?:exp\b|expir\w+|expiry)(?:\s+(?:claim|check|validation|verification))?|\btokens?\s+(?:that\s+)?never\s+expire|\bverify_exp\s*[:=]\s*False`)
	algNoneRe         = mustRx(`(?i)algorithms?\s*[:=]\s*\[?\s*["']none["']|["']alg["']\s*:\s*["']none["']|algorithms\s*=\s*\[?\s*(?:header|unverified_header|jwt\.get_unverified_header\([^)]*\))\s*\[\s*["']alg["']`)
	pyDecodeRe        = mustRx(`\b(?:jwt|jose\.jwt|pyjwt)\.decode\s*\(`)
)

// jwtVerification: unverified signatures, skipped expiry, missing
// algorithms.
func (s *apScan) jwtVerification() {
	s.prose(CodeUnverifiedJWTSignature, unverifiedProseRe, 0, nil)
	s.prose(CodeMissingExpCheck, noExpProseRe, 0, nil)
	d := s.r.Doc
	s.codeLines([]*rx{unverifiedCodeRe, noExpCodeRe, algNoneRe, pyDecodeRe}, func(b, i int, line []byte, off int) {
		if !s.anyMay(line, off, unverifiedCodeRe, noExpCodeRe, algNoneRe, pyDecodeRe) || s.codeExcluded(b, i) {
			return
		}
		if loc := s.find(unverifiedCodeRe, line, off); loc != nil && !bytes.Contains(line, []byte("get_unverified_header")) {
			sp := callSpan(line, loc, off)
			s.add(CodeUnverifiedJWTSignature, sp, nil, "")
			// Unverified claims are unexpired claims too: nothing checks exp.
			if !s.blockHas(b, expWordRe) {
				s.add(CodeMissingExpCheck, sp, nil, "")
			}
		}
		if loc := s.find(noExpCodeRe, line, off); loc != nil {
			s.add(CodeMissingExpCheck, Span{off + loc[0], off + loc[1]}, nil, "")
		}
		if loc := s.find(algNoneRe, line, off); loc != nil {
			s.add(CodeMissingJWTAlgorithms, Span{off + loc[0], off + loc[1]}, nil, "")
		}
		// A Python jwt.decode( call whose arguments (up to the closing
		// parenthesis, possibly on later lines) have no algorithms.
		if loc := s.find(pyDecodeRe, line, off); loc != nil && isPython(d.Blocks[b]) {
			args := s.callArgs(b, i, loc[1])
			if !bytes.Contains(args, []byte("algorithms")) && !bytes.Contains(args, []byte("verify_signature")) && !bytes.Contains(args, []byte("PyJWK")) && bytes.Contains(args, []byte(",")) {
				s.add(CodeMissingJWTAlgorithms, callSpan(line, loc, off), nil, "")
			}
		}
	})
}

// callSpan is the span of a match at loc in line (at offset off of the
// document) without the opening parenthesis of a call it ends with: the
// finding marks the function's name, "get_unverified_claims", not
// "get_unverified_claims(".
func callSpan(line []byte, loc []int, off int) Span {
	end := loc[1]
	if end > loc[0] && line[end-1] == '(' {
		end = loc[0] + len(bytes.TrimRight(line[loc[0]:end-1], " \t"))
	}
	return Span{off + loc[0], off + end}
}

func isPython(b Block) bool {
	switch strings.ToLower(b.Lang) {
	case "python", "py", "python3", "py3":
		return true
	}
	return false
}

// callArgs returns the text after a call's opening parenthesis up to its
// matching close, across at most 8 lines of the code block.
func (s *apScan) callArgs(b, i, from int) []byte {
	d := s.r.Doc
	lines := d.Blocks[b].Text
	var out []byte
	depth := 1
	for j := i; j < len(lines) && j < i+8; j++ {
		ln := d.Src[lines[j].Start:lines[j].End]
		if j == i {
			ln = ln[from:]
		}
		for _, c := range ln {
			switch c {
			case '(':
				depth++
			case ')':
				depth--
				if depth == 0 {
					return out
				}
			}
			out = append(out, c)
		}
		out = append(out, ' ')
	}
	return out
}

// blockHas reports whether code block b matches re.
func (s *apScan) blockHas(b int, re *rx) bool {
	blk := s.r.Doc.Blocks[b]
	if blk.Span.Len() == 0 {
		return false
	}
	return re.Match(s.r.Doc.Src[blk.Span.Start:blk.Span.End])
}

var (
	sharedSecretRe = mustRx(`(?i)\b(?:shar(?:e|es|ed|ing)|same|identical|common|single|reus(?:e|es|ed|ing))\s+(?:the\s+|a\s+|one\s+)?(?:[\w*]+\s+){0,2}?\**(?:[a-z_]*secret(?:[ _]key)?|signing\s+key|hmac\s+key|jwt\s+key)s?\b`)
	signedSecretRe = mustRx(`(?i)\bsigned\s+(?:with|using|by)\s+(?:a\s+|the\s+)?(?:shared\s+|symmetric\s+|common\s+)?secret(?:\s+key)?\b`)
	authSecretRe   = mustRx(`(?i)\b(?:better_auth_secret|nextauth_secret|auth_secret)\b`)
	otherSideRe    = mustRx(`(?i)\b(?:fastapi|backend|both|express|django|flask|python|api\s+server|services)\b`)
	hs256Re        = mustRx(`(?i)\bhs256\b`)
	hsDecodeRe     = mustRx(`(?:decode|verify|jwtVerify)\w*\s*\(.*["']HS256["']|algorithms\s*=\s*\[\s*["']HS256["']`)
)

// sharedSecret: the auth server's secret reused as an HS256 key elsewhere.
func (s *apScan) sharedSecret() {
	s.prose(CodeSharedSecretJWT, sharedSecretRe, 0, func(b int, sp Span, sent []byte) bool {
		return jwtContextRe.Match(sent) || jwtContextRe.Match(s.blockText(b))
	})
	s.prose(CodeSharedSecretJWT, signedSecretRe, 0, func(b int, sp Span, sent []byte) bool {
		return jwtWordRe.Match(s.blockText(b))
	})
	s.prose(CodeSharedSecretJWT, authSecretRe, 0, func(b int, sp Span, sent []byte) bool {
		return otherSideRe.Match(sent) && jwtContextRe.Match(stripSpan(sent, s.r.Doc.Src[sp.Start:sp.End]))
	})
	s.prose(CodeSharedSecretJWT, hs256Re, 0, func(b int, sp Span, sent []byte) bool {
		return authSecretRe.Match(sent) || sharedSecretWordRe.Match(sent)
	})
	authServer := s.hasTech["better-auth"] || s.hasTech["authjs"] || s.hasTech["clerk"] || s.hasTech["supabase-auth"]
	s.codeLines([]*rx{hsDecodeRe}, func(b, i int, line []byte, off int) {
		loc := s.find(hsDecodeRe, line, off)
		if loc == nil || s.codeExcluded(b, i) {
			return
		}
		if authServer || authSecretRe.Match(line) {
			s.add(CodeSharedSecretJWT, Span{off + loc[0], off + loc[1]}, nil, "")
		}
	})
}

func stripSpan(sent, word []byte) []byte {
	return bytes.Replace(sent, word, nil, 1)
}

func (s *apScan) blockText(b int) []byte {
	blk := s.r.Doc.Blocks[b]
	return s.r.Doc.Src[blk.Span.Start:blk.Span.End]
}

var (
	corsWildcardCodeRe = mustRx(`(?i)allow_origins\s*=\s*\[\s*["']\*["']\s*\]|CORS_ALLOW_ALL_ORIGINS\s*=\s*True|CORS_ORIGIN_ALLOW_ALL\s*=\s*True|\borigin\s*:\s*["']\*["']|Access-Control-Allow-Origin["']?\s*[:,]\s*["']?\*`)
	corsCredCodeRe     = mustRx(`(?i)allow_credentials\s*=\s*True|CORS_ALLOW_CREDENTIALS\s*=\s*True|\bcredentials\s*:\s*true|Access-Control-Allow-Credentials["']?\s*[:,]\s*["']?true`)
	corsWildcardProse  = mustRx(`(?i)allow_origins\s*=\s*\[\s*["']\*["']\s*\]|\b(?:all|any)\s+origins?\b|\bwildcard\s+(?:cors|origins?)\b|\borigins?\s*(?:=|:|of)?\s*["'\x60]?\*`)
	credentialsRe      = mustRx(`(?i)allow_credentials|credentials|cookies`)
)

// cors: a wildcard origin with credentials.
func (s *apScan) cors() {
	s.prose(CodeCORSWildcardCredentials, corsWildcardProse, 0, func(b int, sp Span, sent []byte) bool {
		return credentialsRe.Match(sent) && !credentialsOffRe.Match(sent)
	})
	d := s.r.Doc
	for b := range d.Blocks {
		blk := &d.Blocks[b]
		if blk.Kind != KindCode {
			continue
		}
		var wild, cred = -1, -1
		var wildSpan Span
		for i, ln := range blk.Text {
			line := d.Src[ln.Start:ln.End]
			if !s.anyMay(line, ln.Start, corsWildcardCodeRe, corsCredCodeRe) || s.codeExcluded(b, i) {
				continue
			}
			if loc := s.find(corsWildcardCodeRe, line, ln.Start); loc != nil && wild < 0 {
				wild, wildSpan = i, Span{ln.Start + loc[0], ln.Start + loc[1]}
			}
			if s.match(corsCredCodeRe, line, ln.Start) {
				cred = i
			}
		}
		if wild >= 0 && cred >= 0 && abs(wild-cred) <= 12 {
			s.add(CodeCORSWildcardCredentials, wildSpan, nil, "")
		}
	}
}

func abs(i int) int {
	if i < 0 {
		return -i
	}
	return i
}

// publicEnvRe: a browser-exposed variable whose name says secret.
var publicEnvRe = mustRx(`\b(?:NEXT_PUBLIC|VITE|REACT_APP|EXPO_PUBLIC|NUXT_PUBLIC|PUBLIC)_([A-Z0-9_]*(?:SECRET|PASSWORD|PRIVATE_KEY|SERVICE_ROLE|SERVICE_KEY|DATABASE_URL|DB_URL|POSTGRES_URL|REDIS_URL|WEBHOOK_SECRET|AUTH_SECRET|JWT_SECRET|SK|OPENAI_API_KEY|RESEND_API_KEY|SENDGRID_API_KEY|ANTHROPIC_API_KEY|STRIPE_SECRET_KEY|AWS_SECRET_ACCESS_KEY|ACCESS_TOKEN)[A-Z0-9_]*)\b`)

// publicEnv: NEXT_PUBLIC_ on a secret.
func (s *apScan) publicEnv() {
	ok := func(name []byte) bool {
		n := string(name)
		return !strings.Contains(n, "PUBLISHABLE") && !strings.Contains(n, "ANON") && !strings.HasSuffix(n, "_URL_PUBLIC")
	}
	s.proseBlocks(func(b int, text []byte, off int) {
		if !s.r.Doc.mayInDoc(publicEnvRe) {
			return
		}
		for _, m := range s.findAllSub(publicEnvRe, text, off) {
			sp := Span{off + m[0], off + m[1]}
			if !ok(text[m[2]:m[3]]) || s.r.Doc.Exclusion(b, sp) != "" {
				continue
			}
			s.add(CodePublicEnvSecret, sp, s.envPatterns(text[m[2]:m[3]]), "")
		}
	})
	s.codeLines([]*rx{publicEnvRe}, func(b, i int, line []byte, off int) {
		if !s.anyMay(line, off, publicEnvRe) || s.codeExcluded(b, i) {
			return
		}
		for _, m := range s.findAllSub(publicEnvRe, line, off) {
			if ok(line[m[2]:m[3]]) {
				s.add(CodePublicEnvSecret, Span{off + m[0], off + m[1]}, s.envPatterns(line[m[2]:m[3]]), "")
			}
		}
	})
}

// envPatterns picks the pattern that shows the server-side use of a secret.
func (s *apScan) envPatterns(name []byte) []string {
	n := string(name)
	switch {
	case strings.Contains(n, "STRIPE"):
		return []string{"stripe-nextjs/checkout-session-created-server-side-amount-never-from-the-client"}
	case strings.Contains(n, "RESEND"):
		return []string{"resend-nextjs/send-e-mail-from-a-route-handler-or-server-action-with-a-server-only-api-key"}
	case strings.Contains(n, "DATABASE") || strings.Contains(n, "DB_") || strings.Contains(n, "POSTGRES"):
		return []string{"nextjs-prisma/prisma-orm-7-client-with-a-driver-adapter-one-prismaclient-per-process"}
	case strings.Contains(n, "AWS"):
		return []string{"nextjs-s3/presigned-put-url-created-server-side-browser-uploads-directly-to-s3"}
	case strings.Contains(n, "SUPABASE") || strings.Contains(n, "SERVICE_ROLE"):
		return []string{patSupabaseNext}
	case strings.Contains(n, "AUTH"):
		return []string{patServerSession}
	}
	return []string{}
}

var proxyOnlyRe = mustRx(`(?i)\b(?:(?:rel(?:y|ies|ying)|depend(?:s|ing)?)\s+(?:solely|only|entirely|exclusively)\s+on\s+(?:the\s+)?(?:next\.js\s+)?(?:middleware|proxy)(?:\.ts)?|(?:middleware|proxy)(?:\.ts)?\s*\x60?\s+(?:is|as|acts as|serves as)\s+(?:the\s+)?(?:only|sole|single|one)\s+(?:auth\w*\s+)?(?:gate|check|layer|guard|protection|line of defen[cs]e|place)|(?:auth\w*|protection|access control|route protection|route guards?)\s+(?:is\s+|are\s+)?(?:handled|enforced|done|performed|checked|implemented)\s+(?:only|solely|entirely|exclusively)\s+(?:in|by|via)\s+(?:the\s+)?(?:next\.js\s+)?\x60?(?:middleware|proxy)|only\s+(?:the\s+)?(?:next\.js\s+)?\x60?(?:middleware|proxy)(?:\.ts)?\x60?\s+(?:checks|protects|verifies|guards|enforces))`)

// proxyOnly: Next.js proxy/middleware as the only gate.
func (s *apScan) proxyOnly() {
	pats := []string{patServerSession}
	switch {
	case s.hasTech["clerk"]:
		pats = []string{patClerkNext}
	case s.hasTech["supabase-auth"] || s.hasTech["supabase"]:
		pats = []string{patSupabaseNext}
	}
	d := s.r.Doc
	s.proseBlocks(func(b int, text []byte, off int) {
		for _, m := range s.findAll(proxyOnlyRe, text, off) {
			sp := Span{off + m[0], off + m[1]}
			if d.Exclusion(b, sp) == "" {
				s.add(CodeProxyOnlyAuth, sp, pats, "")
			}
		}
	})
}

var (
	// The first alternative is spelt twice, after "/" and after a word
	// boundary, rather than as (?:/|\b)webhooks?/…: the same matches in the
	// same order of preference, but every alternative now starts with a
	// literal, so it runs only where one occurs (prefix.go) instead of
	// through Go's NFA over whole code blocks (a directory tree of plan.md:
	// 15% of its analysis).
	webhookEndpointRe = mustRx(`(?i)/webhooks?/[\w\-\[\]]+|\bwebhooks?/[\w\-\[\]]+|/api/webhooks?\b|\bwebhook\s+(?:endpoint|route|handler|receiver|url)s?\b|\bPOST\s+\S*webhook`)
)

// webhooks: an incoming webhook endpoint in a document that never mentions
// verifying its signature. Reported once, on the first endpoint.
func (s *apScan) webhooks() {
	d := s.r.Doc
	// Whether the document verifies signatures is asked only once an
	// endpoint is found: it scans the whole document.
	signs := func() bool {
		for b := range d.Blocks {
			if sp := d.Blocks[b].Span; sp.Len() > 0 && sp.Start >= d.FrontMatter.End && d.ask(signsQuestion, d.Src[sp.Start:sp.End], sp.Start) {
				return true
			}
		}
		return false
	}
	pats := []string{patStripeNext, patStripeFastAPI}
	if s.hasTech["fastapi"] && !s.hasTech["nextjs"] {
		pats = []string{patStripeFastAPI, patStripeNext}
	}
	for b := range d.Blocks {
		blk := &d.Blocks[b]
		if blk.Kind == KindHTML || blk.Span.Len() == 0 {
			continue
		}
		text := d.Src[blk.Span.Start:blk.Span.End]
		loc := s.find(webhookEndpointRe, text, blk.Span.Start)
		if loc == nil {
			continue
		}
		sp := Span{blk.Span.Start + loc[0], blk.Span.Start + loc[1]}
		if blk.Kind == KindCode {
			if s.codeExcluded(b, s.codeLineOf(b, sp.Start)) {
				continue
			}
		} else if d.Exclusion(b, sp) != "" {
			continue
		}
		if !signs() {
			s.add(CodeWebhookWithoutSignature, sp, pats, "")
		}
		return
	}
}

// signsQuestion asks whether a block speaks of verifying webhook
// signatures; the document does when one of its blocks does. Asked per
// block, through the memo, it is not a scan of the whole document on every
// keystroke.
var signsQuestion = &question{id: 0, fn: signsLower}

// signsLower reports whether lowered text mentions verifying webhook
// signatures: plain words and proximity checks (a regular expression over
// the whole document was once the analysis's single largest cost).
func signsLower(low []byte) bool {
	for _, w := range []string{"signature", "signing secret", "constructevent", "construct_event", "whsec_", "webhook_secret", "svix", "hmac"} {
		if bytes.Contains(low, []byte(w)) {
			return true
		}
	}
	// "verify the webhook", "verifies each event", "payloads are
	// verified": the forms webhookSignedRe used to find, word by word.
	return verifyThenObject(low) || objectThenVerified(low)
}

var signedObjects = []string{"webhook", "event", "payload"}

// verifyThenObject finds "verif…" followed by at most "the" and one more
// word, then a webhook, event or payload.
func verifyThenObject(low []byte) bool {
	for i := 0; ; {
		j := bytes.Index(low[i:], []byte("verif"))
		if j < 0 {
			return false
		}
		k := i + j
		i = k + 5
		if k > 0 && isWordByte(low[k-1]) {
			continue
		}
		w := words(low[k:min(len(low), k+80)], 4)
		if len(w) < 2 {
			continue
		}
		rest := w[1:]
		if rest[0] == "the" {
			rest = rest[1:]
		}
		for n, word := range rest {
			if n > 1 {
				break
			}
			for _, o := range signedObjects {
				if word == o || word == o+"s" {
					return true
				}
			}
		}
	}
}

// objectThenVerified finds a webhook, event or payload followed by
// "verified", optionally after "is" or "are".
func objectThenVerified(low []byte) bool {
	for _, o := range signedObjects {
		for i := 0; ; {
			j := bytes.Index(low[i:], []byte(o))
			if j < 0 {
				break
			}
			k := i + j
			i = k + len(o)
			if k > 0 && isWordByte(low[k-1]) {
				continue
			}
			w := words(low[k:min(len(low), k+60)], 3)
			if len(w) < 2 || w[0] != o && w[0] != o+"s" {
				continue
			}
			rest := w[1:]
			if rest[0] == "is" || rest[0] == "are" {
				rest = rest[1:]
			}
			if len(rest) > 0 && rest[0] == "verified" {
				return true
			}
		}
	}
	return false
}

// words splits the start of b into at most n words of word bytes; any other
// byte separates words.
func words(b []byte, n int) []string {
	var out []string
	for i := 0; i < len(b) && len(out) < n; {
		for i < len(b) && !isWordByte(b[i]) {
			i++
		}
		j := i
		for j < len(b) && isWordByte(b[j]) {
			j++
		}
		if j > i {
			out = append(out, string(b[i:j]))
		}
		i = j
	}
	return out
}

func (s *apScan) codeLineOf(b, off int) int {
	for i, ln := range s.r.Doc.Blocks[b].Text {
		if off >= ln.Start && off <= ln.End {
			return i
		}
	}
	return 0
}

func (s *apScan) codeExcluded(b, i int) bool {
	// Several detectors ask about the same lines: answer each once.
	k := [2]int{b, i}
	if x, ok := s.excluded[k]; ok {
		return x
	}
	x := s.codeExcludedNow(b, i)
	s.excluded[k] = x
	return x
}

func (s *apScan) codeExcludedNow(b, i int) bool {
	blk := s.r.Doc.Blocks[b]
	if i < 0 || i >= len(blk.Text) {
		return s.r.Doc.Exclusion(b, blk.Span) != ""
	}
	return s.r.Doc.Exclusion(b, blk.Text[i]) != ""
}
