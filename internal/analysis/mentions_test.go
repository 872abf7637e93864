package analysis

import (
	"fmt"
	"strings"
	"testing"
)

func mentionsOf(t *testing.T, src string) []string {
	t.Helper()
	env, err := DefaultEnv()
	if err != nil {
		t.Fatal(err)
	}
	r := env.Analyze(&Input{Src: []byte(src)})
	var out []string
	for _, m := range r.Mentions {
		s := m.Tech + "=" + src[m.Span.Start:m.Span.End]
		if m.Excluded != "" {
			s += " (" + m.Excluded + ")"
		}
		out = append(out, s)
	}
	return out
}

func TestMentions(t *testing.T) {
	tests := []struct {
		name, src string
		want      []string
	}{
		{"spellings of Next.js", "Next.js, NextJS and next.js 16 are one framework.", []string{"nextjs=Next.js", "nextjs=NextJS", "nextjs=next.js"}},
		{"the word next is not Next.js", "The next step is to plan.", nil},
		{"spellings of Better Auth", "Better Auth, better-auth and BetterAuth.", []string{"better-auth=Better Auth", "better-auth=better-auth", "better-auth=BetterAuth"}},
		{"longest alias wins", "Supabase Auth signs users in.", []string{"supabase-auth=Supabase Auth"}},
		{"word boundaries", "FastAPIs and preFastAPI are not names; FastAPI is.", []string{"fastapi=FastAPI"}},
		{"case-sensitive short names", "We express the idea; use Express.", []string{"express=Express"}},
		{"inline code is not prose", "Call `FastAPI()` from FastAPI.", []string{"fastapi=FastAPI"}},
		{"fenced code is not prose", "```python\nfrom fastapi import FastAPI\n```\n", nil},
		{"URLs are not mentions", "See https://nextjs.org/docs and www.fastapi.dev.", nil},
		{"CJK around a name", "使用 FastAPI 作为后端", []string{"fastapi=FastAPI"}},
		{"a slash joins two names", "Payments go through Stripe/PayPal.", []string{"stripe=Stripe", "paypal=PayPal"}},
		{"a slash in a path hides the name", "Edit app/prisma/schema.prisma and lib/stripe.ts.", nil},
		{"CJK touching a name", "登录页面：Next.js用FastAPI作为后端", []string{"nextjs=Next.js", "fastapi=FastAPI"}},
		{"accented letters still join a word", "éFastAPI and FastAPIé", nil},
		{"HTML comments are not prose", "<!--\nExample: Django\n-->\n", nil},
		{"negation right before", "We do not use Django here.", []string{"django=Django (negation)"}},
		{"instead of", "Use Better Auth instead of NextAuth.", []string{"better-auth=Better Auth", "authjs=NextAuth (rejected alternative)"}},
		{"rejected after", "Django was rejected for its weight.", []string{"django=Django (rejected alternative)"}},
		{"alternatives label", "**Alternatives considered**: Auth0, Clerk.", []string{"auth0=Auth0 (rejected alternative)", "clerk=Clerk (rejected alternative)"}},
		{"alternatives list", "Alternatives considered:\n\n- Auth0\n- Firebase Auth\n", []string{"auth0=Auth0 (rejected alternative)", "firebase-auth=Firebase Auth (rejected alternative)"}},
		{"template placeholder", "**Primary Dependencies**: [e.g., FastAPI, UIKit or NEEDS CLARIFICATION]", []string{"fastapi=FastAPI (template placeholder)"}},
		{"requirement negation does not reject", "System MUST NOT allow access without a token from Better Auth.", []string{"better-auth=Better Auth"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := mentionsOf(t, tt.src)
			if strings.Join(got, "|") != strings.Join(tt.want, "|") {
				t.Errorf("got  %q\nwant %q", got, tt.want)
			}
		})
	}
}

// TestEveryAliasIsFound: each alias of the catalog, alone in a sentence as
// written and (for the case-insensitive ones) in capitals, is found as its
// technology or as a longer name of the catalog that starts the same way:
// the matcher's second-byte filter hides none.
func TestEveryAliasIsFound(t *testing.T) {
	m := testEnv(t).Matcher
	n := 0
	for c0 := range m.byFirst {
		for _, a := range m.byFirst[c0] {
			texts := []string{a.text}
			if !a.exact {
				texts = append(texts, strings.ToUpper(a.text))
			}
			for _, text := range texts {
				src := []byte("We use " + text + " here.")
				found := m.Find(src, Span{0, len(src)}, 0, nil)
				ok := false
				for _, f := range found {
					ok = ok || f.Span.Start == len("We use ")
				}
				if !ok {
					t.Errorf("alias %q (%s) not found in %q: %+v", text, a.tech, src, found)
				}
				n++
			}
		}
	}
	if n < 100 {
		t.Fatalf("only %d aliases tried", n)
	}
}

// TestExactAliasWithCapitalSecondByte: a case-sensitive alias whose second
// letter is a capital (a pack's "AWS", "tRPC") is found as written and not
// in another case.
func TestExactAliasWithCapitalSecondByte(t *testing.T) {
	m := NewMatcher(NewCatalog([]Technology{
		{ID: "aws", Name: "AWS", Role: RoleHosting, CaseSensitive: []string{"AWS"}},
		{ID: "trpc", Name: "tRPC", Role: RoleBackend, CaseSensitive: []string{"tRPC"}},
	}))
	for _, tt := range []struct{ text, want string }{
		{"Deploy on AWS today.", "aws@10"},
		{"Deploy on aws today.", ""},
		{"Calls go through tRPC.", "trpc@17"},
		{"Calls go through TRPC.", ""},
	} {
		var got []string
		for _, f := range m.Find([]byte(tt.text), Span{0, len(tt.text)}, 0, nil) {
			got = append(got, fmt.Sprintf("%s@%d", f.Tech, f.Span.Start))
		}
		if strings.Join(got, ",") != tt.want {
			t.Errorf("%q: %v, want %q", tt.text, got, tt.want)
		}
	}
}
