package config

import (
	"errors"
	"testing"
)

// TestParseInvalidValues: every invalid value is an error that names the
// line of its key (the server underlines that line in .ipf.toml, check
// prints path:line). Values of the wrong type were reported on no line
// (line 1 in the editor) with the decoder's "toml: line 3 (last key …)"
// in the message; `severity = "warning"`, max_file_size = 0 or -1 and a
// malformed ignore glob were accepted and silently did nothing.
// codeList is the codes an unknown-code message lists after all and config.
const codeList = "auth-call-per-request, cors-wildcard-credentials, file-too-large, hardcoded-secret, incomplete-pattern, integration-point, missing-exp-check, missing-jwt-algorithms, no-constitution, off-stack, other-constitution, proxy-only-auth, public-env-secret, shared-secret-jwt, token-in-browser-storage, unverified-jwt-signature, webhook-without-signature"

func TestParseInvalidValues(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		line       int
		msg        string
	}{
		{"bool as string", "# settings\n\ninlay_hints = \"yes\"\n", 3,
			`inlay_hints: incompatible types: TOML value has type string; destination has type boolean`},
		{"severity value type", "# settings\n[severity]\nintegration-point = 2\n", 3,
			`severity.integration-point: incompatible types: TOML value has type int64; destination has type string`},
		{"severity level", "# settings\n[severity]\nintegration-point = \"warning\"\nhardcoded-secret = \"warn\"\n", 4,
			`severity for "hardcoded-secret" must be error, warning, information or hint, not "warn"`},
		{"severity levels in code order", "[severity]\nwebhook-without-signature = \"bad\"\nauth-call-per-request = \"worse\"\n", 3,
			`severity for "auth-call-per-request" must be error, warning, information or hint, not "worse"`},
		{"unknown code disabled", "# settings\ndisabled = [\"all\", \"config\", \"incomplete-patern\"]\n", 2,
			`disabled: unknown diagnostic code "incomplete-patern"; the codes are all, config, ` + codeList},
		{"unknown code given a severity", "[severity]\nintegration-point = \"hint\"\noff_stack = \"error\"\n", 3,
			`severity: unknown diagnostic code "off_stack"; the codes are all, config, ` + codeList},
		{"severity dotted key", "inlay_hints = true\nseverity.integration-point = \"loud\"\n", 2,
			`severity for "integration-point" must be error, warning, information or hint, not "loud"`},
		{"severity not a table", "# settings\nseverity = \"warning\"\n", 2,
			`severity must be a table of codes, [severity] with lines such as integration-point = "warning"`},
		{"unknown key", "# settings\ninlay_hints = true\ninlay_hint = false\n", 3, `unknown key(s): inlay_hint`},
		{"unknown key in table", "[severity]\nintegration-point = \"hint\"\n[extra]\nx = 1\n", 3, `unknown key(s): extra, extra.x`},
		{"max_file_size zero", "max_file_size = 0\n", 1, `max_file_size must be a positive number of bytes, not 0`},
		{"max_file_size negative", "# settings\nmax_file_size = -1\n", 2, `max_file_size must be a positive number of bytes, not -1`},
		{"bad glob", "# settings\nignore = [\"drafts/**\", \"[drafts\"]\n", 2, `ignore: "[drafts" is not a valid glob (syntax error in pattern)`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Parse("/w/.ipf.toml", []byte(tc.text))
			var pe *ParseError
			if !errors.As(err, &pe) {
				t.Fatalf("error %v, want a ParseError", err)
			}
			if pe.Line != tc.line || pe.Msg != tc.msg {
				t.Errorf("got line %d %q\nwant line %d %q", pe.Line, pe.Msg, tc.line, tc.msg)
			}
		})
	}
	// Valid values still parse.
	c, err := Parse("/w/.ipf.toml", []byte("max_file_size = 1\nignore = [\"drafts/**\", \"*.tmp.md\"]\n[severity]\nintegration-point = \"hint\"\n"))
	if err != nil || c.MaxFileSize != 1 || c.Severity["integration-point"] != "hint" {
		t.Fatalf("valid file: %+v, %v", c, err)
	}
}
