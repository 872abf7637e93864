package analysis

import (
	"fmt"
	"regexp"
	"strings"
)

// concern is a kind of requirement whose meaning needs technologies of some
// roles to work together: signing in needs the frontend and the auth
// library, storing needs the backend, the ORM and the database.
type concern struct {
	name string
	// cue finds the concern in a requirement's text.
	cue *regexp.Regexp
	// chain lists hops: each hop is the roles that may play it, first
	// filled one wins; consecutive filled hops form integration points.
	chain [][]Role
}

// concerns are matched against requirement lines. The cues are about how
// people phrase a need, not about any technology.
var concerns = []concern{
	{
		name:  "sign-in",
		cue:   regexp.MustCompile(`(?i)\b(sign[- ]?(?:in|up|out)|log[- ]?(?:in|out)|register(?:s|ed|ing)?\b|registration|authenticat\w*|session\w*|social login|oauth)`),
		chain: [][]Role{{RoleFrontend}, {RoleAuth}},
	},
	{
		name:  "protected access",
		cue:   regexp.MustCompile(`(?i)\b(tokens?|jwts?|jwks|bearer|protected|authoriz\w*|unauthori[sz]ed|401|verif\w+ (?:the )?(?:token|identity|user)|user identity|authenticated (?:user|request)s?)\b`),
		chain: [][]Role{{RoleAuth}, {RoleBackend}},
	},
	{
		name:  "API call",
		cue:   regexp.MustCompile(`(?i)(\bapis?\b|\bendpoints?\b|\brest(?:ful)?\b|/api/|\bhttp requests?\b|\bfetch(?:es|ed|ing)?\b|\bapi client\b|authorization header)`),
		chain: [][]Role{{RoleFrontend}, {RoleAPI, RoleBackend}},
	},
	{
		name:  "persistence",
		cue:   regexp.MustCompile(`(?i)\b(persist\w*|stored? (?:in|into) (?:the |a )?(?:database|db|table)|database|crud|(?:create|read|update|delete)[, /]+(?:read|update|delete|list)|tables?\b|migrations?|schemas?|queries|query the)\b`),
		chain: [][]Role{{RoleBackend, RoleFrontend}, {RoleORM}, {RoleDatabase}},
	},
	{
		name:  "payment",
		cue:   regexp.MustCompile(`(?i)\b(pay(?:s|ing|ment|ments)?|checkout|subscri(?:be|bes|bed|ption|ptions)|billing|invoices?|refunds?|charges?|payouts?|webhooks?)\b`),
		chain: [][]Role{{RoleBackend, RoleFrontend}, {RolePayments}},
	},
	{
		name:  "email",
		cue:   regexp.MustCompile(`(?i)\b(send(?:s|ing)? (?:an? |the )?(?:\w+ )?e-?mails?|e-?mail (?:notification|verification|confirmation|delivery)s?|notif(?:y|ies|ied|ication|ications)|reset link|verification link)\b`),
		chain: [][]Role{{RoleBackend}, {RoleEmail}},
	},
	{
		name:  "upload",
		cue:   regexp.MustCompile(`(?i)\b(upload\w*|attachments?|file storage|avatars?)\b`),
		chain: [][]Role{{RoleFrontend}, {RoleStorage}},
	},
	{
		name:  "AI",
		cue:   regexp.MustCompile(`(?i)(\bllms?\b|\bai\b|natural[- ]language|\bprompts?\b|自然语言|大模型)`),
		chain: [][]Role{{RoleBackend}, {RoleAI}},
	},
	{
		name:  "cache",
		cue:   regexp.MustCompile(`(?i)\b(cach(?:e|es|ed|ing)|rate[- ]limit\w*)\b`),
		chain: [][]Role{{RoleBackend}, {RoleCache}},
	},
}

// reqIDRe finds a requirement id: FR-004, NFR-2, SC-001, US1.
var reqIDRe = regexp.MustCompile(`\b((?:FR|NFR|SC|AC|US|REQ)-?\d+[a-z]?)\b`)

var (
	storyRe    = regexp.MustCompile(`(?i)\bas an? [^,.]{1,60}, I (?:want|need|can)`)
	scenarioRe = regexp.MustCompile(`(?i)\*{0,2}given\*{0,2}\b.*\*{0,2}(?:when|then)\*{0,2}\b`)
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
	documented := r.documentedPairs(e)
	seen := map[string]bool{}
	for _, p := range r.Points {
		seen[pairKey(e.Catalog, p.From, p.To)+"\x00"+itoa(p.Section)] = true
	}
	for b := range d.Blocks {
		blk := &d.Blocks[b]
		if blk.Kind == KindCode || blk.Kind == KindHTML || blk.Kind == KindHeading {
			continue
		}
		for _, run := range blk.Text {
			text := d.Src[run.Start:run.End]
			for ci := range concerns {
				c := &concerns[ci]
				for _, loc := range c.cue.FindAllIndex(text, -1) {
					sp := Span{run.Start + loc[0], run.Start + loc[1]}
					// A requirement phrased as a negation ("reject requests
					// without a valid token") needs the same integration;
					// rejected alternatives, placeholders and questions do not.
					if ex := d.Exclusion(b, sp); ex != "" && ex != ExclNegated {
						continue
					}
					r.addImplicit(e, in, st, c, b, sp, documented, seen)
					break
				}
			}
		}
	}
}

// addImplicit adds the points of concern c found at sp in block b.
func (r *Result) addImplicit(e *Env, in *Input, st *Stack, c *concern, b int, sp Span, documented, seen map[string]bool) {
	blk := &r.Doc.Blocks[b]
	var hops []StackEntry
	for _, hop := range c.chain {
		for _, role := range hop {
			if en, ok := st.For(role); ok {
				hops = append(hops, en)
				break
			}
		}
	}
	for i := 0; i+1 < len(hops); i++ {
		a, z := hops[i], hops[i+1]
		if e.Catalog.Canonical(a.Tech) == e.Catalog.Canonical(z.Tech) {
			continue
		}
		from, to := e.orient(a.Tech, z.Tech)
		key := pairKey(e.Catalog, from, to)
		if documented[key] {
			continue
		}
		sk := key + "\x00" + itoa(blk.Section)
		if seen[sk] {
			continue
		}
		seen[sk] = true
		line := r.Lines.Line(sp.Start)
		p := IntegrationPoint{
			From: from, To: to,
			Span:     r.Lines.LineSpan(line),
			Block:    b,
			Section:  blk.Section,
			Patterns: e.PatternsFor(from, to, r.Doc.textOf(*blk)),
			Reason:   fmt.Sprintf("implied by %s with %s: %s, %s", r.requirementName(b, sp), stackOwner(a, z), e.Catalog.Name(a.Tech), e.Catalog.Name(z.Tech)),
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
}

// requirementName names the requirement holding sp: its id ("FR-004"), "a
// user story", "an acceptance scenario", or its line.
func (r *Result) requirementName(b int, sp Span) string {
	blk := r.Doc.Blocks[b]
	text := r.Doc.textOf(blk)
	if m := reqIDRe.FindSubmatch(lineText(r.Doc.Src, sp.Start)); m != nil {
		return string(m[1])
	}
	if m := reqIDRe.FindSubmatch(text); m != nil {
		return string(m[1])
	}
	switch {
	case storyRe.Match(text):
		return fmt.Sprintf("the user story on line %d", r.Lines.Line(sp.Start)+1)
	case scenarioRe.Match(text):
		return fmt.Sprintf("the acceptance scenario on line %d", r.Lines.Line(sp.Start)+1)
	}
	return fmt.Sprintf("line %d", r.Lines.Line(sp.Start)+1)
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
