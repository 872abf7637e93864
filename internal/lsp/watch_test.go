package lsp

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"
)

// TestWatchersFollowPatternFolders checks that the files the client is
// asked to watch follow the configuration: a pattern folder named in
// `.ipf.toml` after start-up, or by a workspace folder added later, is
// watched too, through a new registration that replaces the old one.
func TestWatchersFollowPatternFolders(t *testing.T) {
	w := newWorkspace(t, map[string]string{".ipf.toml": "pattern_folders = [\"team/patterns\"]\n"}, clientOptions{})
	const base = `"**/.ipf.toml","**/constitution.md","**/plan.md","**/.ipf/patterns/*.md"`
	reg := w.waitRequests("client/registerCapability", 1)
	jsonEqual(t, "first registration", reg[0], `{"registrations":[{"id":"ipf-watch-1","method":"workspace/didChangeWatchedFiles",
		"registerOptions":{"watchers":`+globsJSON(base+`,"**/references/*.md","**/team/patterns/*.md"`)+`}}]}`)

	// .ipf.toml now names a second folder.
	if err := os.WriteFile(filepath.Join(w.root, ".ipf.toml"), []byte("pattern_folders = [\"team/patterns\", \"docs/ipf\"]\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	w.notifyServer("workspace/didChangeWatchedFiles", map[string]any{"changes": []map[string]any{{"uri": w.uri(".ipf.toml"), "type": 2}}})
	unreg := w.waitRequests("client/unregisterCapability", 1)
	jsonEqual(t, "unregistration", unreg[0], `{"unregisterations":[{"id":"ipf-watch-1","method":"workspace/didChangeWatchedFiles"}]}`)
	reg = w.waitRequests("client/registerCapability", 2)
	jsonEqual(t, "second registration", reg[1], `{"registrations":[{"id":"ipf-watch-2","method":"workspace/didChangeWatchedFiles",
		"registerOptions":{"watchers":`+globsJSON(base+`,"**/docs/ipf/*.md","**/references/*.md","**/team/patterns/*.md"`)+`}}]}`)

	// A workspace folder is added whose configuration names a third.
	other := t.TempDir()
	writeFile(t, filepath.Join(other, ".ipf.toml"), "pattern_folders = [\"specs/patterns\"]\n")
	w.notifyServer("workspace/didChangeWorkspaceFolders", map[string]any{"event": map[string]any{
		"added":   []map[string]any{{"uri": protocol.DocumentURI(uri.File(other)), "name": "other"}},
		"removed": []map[string]any{},
	}})
	reg = w.waitRequests("client/registerCapability", 3)
	jsonEqual(t, "third registration", reg[2], `{"registrations":[{"id":"ipf-watch-3","method":"workspace/didChangeWatchedFiles",
		"registerOptions":{"watchers":`+globsJSON(base+`,"**/docs/ipf/*.md","**/references/*.md","**/specs/patterns/*.md","**/team/patterns/*.md"`)+`}}]}`)
	unreg = w.waitRequests("client/unregisterCapability", 2)
	jsonEqual(t, "second unregistration", unreg[1], `{"unregisterations":[{"id":"ipf-watch-2","method":"workspace/didChangeWatchedFiles"}]}`)
}

// globsJSON turns a comma-separated list of quoted patterns into the
// watchers array of a registration.
func globsJSON(list string) string {
	out := "["
	for i, g := range splitQuoted(list) {
		if i > 0 {
			out += ","
		}
		out += `{"globPattern":` + g + `}`
	}
	return out + "]"
}

func splitQuoted(list string) []string {
	var out []string
	start := -1
	for i, c := range list {
		if c == '"' {
			if start < 0 {
				start = i
			} else {
				out = append(out, list[start:i+1])
				start = -1
			}
		}
	}
	return out
}

// TestConfigurationAnswerNotAList: a client whose answer to
// workspace/configuration is not a list (an object, null) is told in its
// log, and the settings it had stay. It was ignored without a word, so the
// settings silently did not apply.
func TestConfigurationAnswerNotAList(t *testing.T) {
	for _, answer := range []string{`{"ipf":{"inlayHints":{"enabled":false}}}`, `null`, `5`} {
		w := newWorkspace(t, nil, clientOptions{})
		u := w.open(w.uri("plan.md"), planDoc)
		w.waitDiagnostics(u, 1)
		w.mu.Lock()
		w.configAnswer = json.RawMessage(answer)
		w.mu.Unlock()
		w.notifyServer("workspace/didChangeConfiguration", map[string]any{"settings": nil})
		want := "ipf-lsp: the answer to workspace/configuration is not a list of settings (" + answer + "): the previous settings stay"
		deadline := time.After(waitTimeout)
		for found := false; !found; {
			w.mu.Lock()
			found = slices.Contains(w.logs, want)
			logs := slices.Clone(w.logs)
			w.mu.Unlock()
			if found {
				break
			}
			select {
			case <-w.notify:
			case <-deadline:
				t.Fatalf("answer %s: logs %q, want %q", answer, logs, want)
			}
		}
	}
}
