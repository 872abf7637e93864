package analysis

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

func TestRequiredLiterals(t *testing.T) {
	tests := []struct {
		re   string
		want string // literals joined by "|", "" for no gate
	}{
		{`(?i)\b(?:tokens?|jwts?|bearer)\b`, "token|jwt|bearer"},
		{`allow_origins\s*=\s*\[`, "allow_origins"},
		{`(?i)\b(?:local\s?storage|session\s?storage)\b`, "storage|session"},
		{`\bexp\b`, "exp"},
		{`(?:a|b*)`, ""},
		{`[0-9]+`, ""},
		{`(?i)Next\.js`, "next.js"},
	}
	for _, tt := range tests {
		var got []string
		for _, l := range requiredLiterals(regexp.MustCompile(tt.re)) {
			got = append(got, string(l))
		}
		if strings.Join(got, "|") != tt.want {
			t.Errorf("%s: got %q, want %q", tt.re, got, tt.want)
		}
	}
}

// TestGateNeverHidesAMatch: on real text, whenever an expression matches,
// the gate lets it run.
func TestGateNeverHidesAMatch(t *testing.T) {
	texts := []string{
		"Store the JWT in localStorage.", "ALLOW_ORIGINS = ['*']", "NEXT_PUBLIC_STRIPE_SECRET_KEY=sk_live_x",
		"Users Sign-In with OAuth", "the Webhook Endpoint /api/webhooks/stripe", "jwt.decode(token, options={'verify_signature': False})",
	}
	res := []*regexp.Regexp{storageWordRe, corsWildcardCodeRe, publicEnvRe, secretPrefixRe, webhookEndpointRe, unverifiedCodeRe, tokenWordRe, sharedSecretRe}
	for _, c := range concerns {
		res = append(res, c.cue)
	}
	for _, re := range res {
		for _, s := range texts {
			if re.MatchString(s) && !mayMatch(re, asciiLower([]byte(s))) {
				t.Errorf("gate of %s hides its match in %q", re, s)
			}
		}
	}
}

func TestWebhookSignatureWording(t *testing.T) {
	for _, tt := range []struct {
		text string
		want bool
	}{
		{"we verify the webhook before use", true},
		{"the handler verifies each event", true},
		{"payloads are verified", true},
		{"webhook events are verified on arrival", true},
		{"verify that the order exists, then log the event", false},
		{"the event log is kept for 30 days", false},
		{"check the Stripe-Signature header", true},
	} {
		if got := (&apScan{}).signsLower(asciiLower([]byte(tt.text))); got != tt.want {
			t.Errorf("%q: %v, want %v", tt.text, got, tt.want)
		}
	}
}

func TestLongLineIsNotAnalysed(t *testing.T) {
	src := append([]byte("# T\r\n\r\n"), bytes.Repeat([]byte("[a]("), 1<<18)...)
	r := testEnv(t).Analyze(&Input{Src: src})
	if len(r.Findings) != 1 || r.Findings[0].Code != CodeTooLarge ||
		r.Findings[0].Message != "not analysed: line 3 has 1048576 bytes, above the limit of 32768 bytes for one line" {
		t.Fatalf("findings = %+v", r.Findings)
	}
	if l, n := longestLine([]byte("ab\r\ncde\rf\n")); l != 1 || n != 3 {
		t.Fatalf("longestLine = %d, %d", l, n)
	}
}
