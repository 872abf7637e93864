package config

import (
	"encoding/json"
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestFromEditorBadSettings: a setting of the wrong type or out of range
// is left out and said, and the others still apply. One such value (`"inlayHints": true`,
// an easy slip in a Neovim `settings` table) made the whole section
// undecodable: the constitution path and the disabled codes beside it were
// dropped too, and for initializationOptions only stderr said so.
func TestFromEditorBadSettings(t *testing.T) {
	for _, tc := range []struct {
		name, raw string
		want      Config
		dropped   []string
	}{
		{"inlayHints as a bool",
			`{"ipf": {"inlayHints": true, "constitution": {"path": "docs/c.md"}, "diagnostics": {"disabled": ["off-stack"]}}}`,
			Config{Constitution: "docs/c.md", Disabled: []string{"off-stack"}},
			[]string{`inlayHints must be an object such as {"enabled": false}, not true`}},
		{"maxFileSize as a string and folders as a string",
			`{"maxFileSize": "big", "patterns": {"folders": "specs/patterns"}, "ignore": ["drafts/**"]}`,
			Config{Ignore: []string{"drafts/**"}},
			[]string{`maxFileSize must be a number of bytes, not "big"`,
				`patterns must be an object such as {"folders": ["references"]}, not {"folders":"specs/patterns"}`}},
		{"constitution as a string",
			`{"constitution": "docs/c.md", "inlayHints": {"enabled": false}}`,
			Config{InlayHints: new(bool)},
			[]string{`constitution must be an object such as {"path": ".specify/memory/constitution.md"}, not "docs/c.md"`}},
		// Out of range, as .ipf.toml refuses them: a maxFileSize of -1 or
		// 1e300 (which does not fit in int64) and a malformed ignore glob
		// were dropped or kept without a word.
		{"negative size", `{"maxFileSize": -1, "ignore": ["drafts/**"]}`, Config{Ignore: []string{"drafts/**"}},
			[]string{"maxFileSize must be a positive number of bytes, not -1"}},
		{"huge size", `{"maxFileSize": 1e300}`, Config{},
			[]string{"maxFileSize must be a positive number of bytes up to 9223372036854775807, not 1e+300"}},
		{"bad glob", `{"ignore": ["drafts/**", "[abc"], "maxFileSize": 2048}`, Config{Ignore: []string{"drafts/**"}, MaxFileSize: 2048},
			[]string{`ignore: "[abc" is not a valid glob (syntax error in pattern)`}},
	} {
		c, err := FromEditor(json.RawMessage(tc.raw))
		var w *EditorWarning
		if !errors.As(err, &w) {
			t.Errorf("%s: error %v, want an EditorWarning", tc.name, err)
			continue
		}
		if !reflect.DeepEqual(w.Dropped, tc.dropped) {
			t.Errorf("%s: dropped\n%q\nwant\n%q", tc.name, w.Dropped, tc.dropped)
		}
		if !reflect.DeepEqual(c, tc.want) {
			t.Errorf("%s: config %+v, want %+v", tc.name, c, tc.want)
		}
	}
	// Not an object at all: nothing applies, and the error says why.
	_, err := FromEditor(json.RawMessage(`[1, 2]`))
	if err == nil || !strings.Contains(err.Error(), "must be an object") {
		t.Errorf("array: error %v", err)
	}
	// 0 is VS Code's default, "the server's default": no error.
	if c, err := FromEditor(json.RawMessage(`{"maxFileSize": 0}`)); err != nil || c.MaxFileSize != 0 {
		t.Errorf("size 0: %+v %v", c, err)
	}
}
