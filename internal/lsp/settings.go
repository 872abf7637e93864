package lsp

// This file wires the configuration: the `.ipf.toml` at each workspace root,
// the editor's `ipf` settings (initializationOptions, workspace/configuration,
// workspace/didChangeConfiguration) and the defaults, in that order of
// precedence. Every change builds a new analysis.Env, swaps it in and
// re-analyses the open documents; nothing needs a restart. A malformed
// `.ipf.toml` gives one diagnostic in that file and the defaults.
//
// In a multi-root workspace each folder is a scope of its own: its
// `.ipf.toml` (and the editor settings asked with its scopeUri) apply to
// the documents it holds, the deepest folder when folders nest, and its
// Env loads its own pattern folders. Documents outside every folder get the
// defaults merged with the editor settings.

import (
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"go.lsp.dev/protocol"
	"go.lsp.dev/uri"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/config"
	wsmodel "github.com/ipf-lsp/ipf-lsp/internal/workspace"
)

// CodeConfig is the diagnostic code of a malformed `.ipf.toml`.
const CodeConfig = config.CodeConfig

// configWait bounds how long the server waits for the client's answer to
// workspace/configuration before going on with what it has.
const configWait = 5 * time.Second

// clientExtras are client capabilities the features of this package need
// and v0.12.0's types lack or bury.
type clientExtras struct {
	configuration   bool // workspace/configuration
	watchDynamic    bool // didChangeWatchedFiles dynamic registration
	inlayRefresh    bool // workspace/inlayHint/refresh
	codeLensRefresh bool // workspace/codeLens/refresh
	hierarchical    bool // hierarchical document symbols
	snippets        bool // snippet completion items
}

// rawClientCaps is the part of initialize's params clientExtras come from.
type rawClientCaps struct {
	Capabilities struct {
		Workspace struct {
			Configuration         bool `json:"configuration"`
			DidChangeWatchedFiles struct {
				DynamicRegistration bool `json:"dynamicRegistration"`
			} `json:"didChangeWatchedFiles"`
			InlayHint struct {
				RefreshSupport bool `json:"refreshSupport"`
			} `json:"inlayHint"`
			CodeLens struct {
				RefreshSupport bool `json:"refreshSupport"`
			} `json:"codeLens"`
		} `json:"workspace"`
		TextDocument struct {
			DocumentSymbol struct {
				Hierarchical bool `json:"hierarchicalDocumentSymbolSupport"`
			} `json:"documentSymbol"`
			Completion struct {
				CompletionItem struct {
					SnippetSupport bool `json:"snippetSupport"`
				} `json:"completionItem"`
			} `json:"completion"`
		} `json:"textDocument"`
	} `json:"capabilities"`
}

// rootConfig is the `.ipf.toml` of one workspace root.
type rootConfig struct {
	path string
	uri  protocol.DocumentURI // the URI its diagnostics are published for
	text string               // content, for locating the error
	cfg  config.Config
	err  error // parse error; cfg is then zero
}

// configState is the server's configuration. Its own mutex guards it.
type configState struct {
	base *analysis.Env // the built-in environment every Env starts from

	mu     sync.Mutex
	client clientExtras
	editor config.Config // initializationOptions, pushed settings, or the unscoped answer
	// folderEditor holds the editor settings asked for each workspace root
	// (workspace/configuration with its scopeUri); a root without an entry
	// uses editor.
	folderEditor map[string]config.Config
	overlays     map[string]protocol.DocumentURI // config files open in the editor: path → URI
	texts        map[string]string               // their unsaved text
	roots        map[string]rootConfig           // workspace root path → its file
	// inferred are the roots found for documents outside every workspace
	// folder (the nearest folder with .git or .specify, as check finds
	// them): each gets a scope with its `.ipf.toml`, as a folder does.
	inferred  []string
	published map[protocol.DocumentURI]bool // config URIs with a diagnostic published
	packErr   string                        // the pattern folders' error last logged
}

func newConfigState(base *analysis.Env) *configState {
	return &configState{
		base:         base,
		folderEditor: map[string]config.Config{},
		overlays:     map[string]protocol.DocumentURI{},
		texts:        map[string]string{},
		roots:        map[string]rootConfig{},
		published:    map[protocol.DocumentURI]bool{},
	}
}

// scope is the configuration that applies to the documents of one
// workspace folder, or to the documents outside every folder (root "").
// It is never modified once stored.
type scope struct {
	root string
	cfg  config.Config // effective: defaults < editor settings < the folder's .ipf.toml
	env  *analysis.Env // built from cfg, with the folder's pattern packs
}

// ignored reports whether the file at path matches the scope's ignore
// globs: it is then synced and served but gets no diagnostics.
func (sc *scope) ignored(path string) bool {
	return sc.root != "" && path != "" && sc.cfg.Ignored(sc.root, path)
}

// scopeSet is one load of the configuration: a scope per workspace folder
// and one for the documents outside them. reloadConfig swaps in a new one;
// a stored set is never modified.
type scopeSet struct {
	folders []*scope // deepest first, so the first that holds a path is its folder
	primary *scope   // the first workspace folder's, or outside when there is none
	outside *scope
}

// newScopeSet returns a set without folders, whose documents are analysed
// with env and the defaults (the server before initialize).
func newScopeSet(env *analysis.Env) *scopeSet {
	sc := &scope{cfg: config.Default(), env: env}
	return &scopeSet{primary: sc, outside: sc}
}

// of returns the scope of the file at path (clean and absolute; "" for a
// document that is not a file): the deepest folder that holds it, else the
// outside scope.
func (ss *scopeSet) of(path string) *scope {
	if path != "" {
		for _, sc := range ss.folders {
			if within(sc.root, path) {
				return sc
			}
		}
	}
	return ss.outside
}

// all returns every scope of the set, the outside one last.
func (ss *scopeSet) all() []*scope {
	return append(slices.Clip(ss.folders), ss.outside)
}

// within reports whether path is root or below it (both clean).
func within(root, path string) bool {
	if path == root {
		return true
	}
	if !strings.HasSuffix(root, string(filepath.Separator)) {
		root += string(filepath.Separator)
	}
	return strings.HasPrefix(path, root)
}

// scopeOf returns the scope of the document u: the configuration and Env it
// is analysed and served with.
func (s *Server) scopeOf(u protocol.DocumentURI) *scope {
	p, _ := filePath(u)
	return s.scopes.Load().of(p)
}

// scopeForFile returns the scope of the file at path (clean and absolute;
// "" for a document that is not a file). A file outside every workspace
// folder whose folder exists gets the root check would give it (the
// nearest folder with .git or .specify, else its own folder): the first
// time, the configuration is reloaded with that root's `.ipf.toml`, as a
// folder's is, so that it applies as it does in check.
func (s *Server) scopeForFile(path string) *scope {
	sc := s.scopes.Load().of(path)
	if sc.root != "" || path == "" {
		return sc
	}
	if _, err := os.Stat(filepath.Dir(path)); err != nil {
		return sc
	}
	root := wsmodel.FindRoot(path, "")
	s.cfg.mu.Lock()
	known := slices.Contains(s.cfg.inferred, root)
	if !known {
		s.cfg.inferred = append(s.cfg.inferred, root)
	}
	s.cfg.mu.Unlock()
	if !known {
		s.reloadConfig()
		s.publishConfigDiagnostics()
	}
	return s.scopes.Load().of(path)
}

// envFor returns the Env of the document u.
func (s *Server) envFor(u protocol.DocumentURI) *analysis.Env {
	return s.scopeOf(u).env
}

func (s *Server) extras() clientExtras {
	s.cfg.mu.Lock()
	defer s.cfg.mu.Unlock()
	return s.cfg.client
}

// withSettings wraps the initialize route: it reads the client capabilities
// clientExtras needs and, once initialize has run, the configuration, so the
// first didOpen is analysed with it. Config diagnostics wait for initialized.
func (s *Server) withSettings(r route) route {
	return route{handle: func(ctx context.Context, raw json.RawMessage) (any, error) {
		res, err := r.handle(ctx, raw)
		if err != nil {
			return res, err
		}
		var rc rawClientCaps
		_ = json.Unmarshal(raw, &rc) // initialize already validated the params
		c, w := rc.Capabilities, rc.Capabilities.Workspace
		s.mu.Lock()
		initOpts := s.caps.initOptions
		s.mu.Unlock()
		editor, eerr := config.FromEditor(initOpts)
		var partial *config.EditorWarning
		switch {
		case errors.As(eerr, &partial):
			s.logToClient(protocol.MessageTypeWarning, "ipf-lsp: initializationOptions: %v", eerr)
		case eerr != nil:
			s.logToClient(protocol.MessageTypeWarning, "ipf-lsp: initializationOptions ignored: %v", eerr)
		}
		s.cfg.mu.Lock()
		s.cfg.client = clientExtras{
			configuration:   w.Configuration,
			watchDynamic:    w.DidChangeWatchedFiles.DynamicRegistration,
			inlayRefresh:    w.InlayHint.RefreshSupport,
			codeLensRefresh: w.CodeLens.RefreshSupport,
			hierarchical:    c.TextDocument.DocumentSymbol.Hierarchical,
			snippets:        c.TextDocument.Completion.CompletionItem.SnippetSupport,
		}
		s.cfg.editor = editor
		s.cfg.mu.Unlock()
		s.reloadConfig()
		return res, nil
	}}
}

// initialized pulls the editor settings, watches `.ipf.toml` files and
// publishes the diagnostics of malformed ones. It waits for the client's
// answer (bounded by configWait) so documents opened next see the settings.
func (s *Server) initialized(ctx context.Context) (any, error) {
	ex := s.extras()
	s.initDone.Store(true)
	if ex.configuration {
		s.pullEditorSettings(ctx)
	}
	s.applyConfig()
	return nil, nil
}

// watchState is what the client was last asked to watch.
type watchState struct {
	// mu is held across the client/registerCapability round trips, so
	// that two changes of configuration register in order.
	mu    sync.Mutex
	id    string   // the registration in force, "" before the first
	globs []string // its patterns
	seq   int
}

// watchGlobs returns the file patterns the server needs to hear about: the
// configuration files, the documents that govern other documents' stacks
// (constitutions and plans, workspace.go), and the pattern folders of every
// scope's configuration.
func (s *Server) watchGlobs() []string {
	var folders []string
	for _, sc := range s.scopes.Load().all() {
		for _, f := range sc.cfg.PatternFolders {
			folders = append(folders, "**/"+strings.Trim(filepath.ToSlash(f), "/")+"/*.md")
		}
	}
	// Sorted, so that the same folders make the same registration.
	slices.Sort(folders)
	return append([]string{"**/" + config.FileName, "**/constitution.md", "**/plan.md"}, slices.Compact(folders)...)
}

// syncWatchers asks the client to report changes of configuration and
// pattern files, and asks again when the configuration names other pattern
// folders (an added workspace folder, an edited `.ipf.toml`): the old
// registration is dropped and one with the new patterns made, since a
// registration's options cannot be changed in place. It runs on its own
// goroutine: the answers need the message queue.
func (s *Server) syncWatchers() {
	w := &s.watch
	w.mu.Lock()
	defer w.mu.Unlock()
	// Worked out under the lock: of two goroutines started by two changes,
	// the later to run sees the later configuration.
	globs := s.watchGlobs()
	if w.id != "" && slices.Equal(w.globs, globs) {
		return
	}
	type watcher struct {
		GlobPattern string `json:"globPattern"`
	}
	const method = "workspace/didChangeWatchedFiles"
	if w.id != "" {
		// The specification's field is spelled "unregisterations".
		params := map[string]any{"unregisterations": []map[string]any{{"id": w.id, "method": method}}}
		if _, err := s.conn.Call(s.ctx, "client/unregisterCapability", params, nil); err != nil {
			s.log.Warn("client/unregisterCapability failed", "error", err)
		}
	}
	w.seq++
	id := "ipf-watch-" + strconv.Itoa(w.seq)
	ws := make([]watcher, len(globs))
	for i, g := range globs {
		ws[i] = watcher{g}
	}
	params := map[string]any{"registrations": []map[string]any{{
		"id":              id,
		"method":          method,
		"registerOptions": map[string]any{"watchers": ws},
	}}}
	if _, err := s.conn.Call(s.ctx, "client/registerCapability", params, nil); err != nil {
		s.log.Warn("client/registerCapability failed", "error", err)
		w.id, w.globs = "", nil // asked again at the next change
		return
	}
	w.id, w.globs = id, globs
}

// pullEditorSettings asks the client for the `ipf` section: once without a
// scope (for documents outside every folder) and once for each workspace
// folder with its scopeUri, in one request. A folder whose answer is
// missing or undecodable uses the unscoped settings.
func (s *Server) pullEditorSettings(ctx context.Context) {
	s.mu.Lock()
	scopes := slices.Clone(s.caps.roots)
	s.mu.Unlock()
	items := []protocol.ConfigurationItem{{Section: "ipf"}}
	var itemRoots []string
	for _, r := range scopes {
		if p, ok := filePath(r); ok {
			items = append(items, protocol.ConfigurationItem{ScopeURI: uri.URI(r), Section: "ipf"})
			itemRoots = append(itemRoots, p)
		}
	}
	ctx, cancel := context.WithTimeout(ctx, configWait)
	defer cancel()
	var answer json.RawMessage
	if _, err := s.conn.Call(ctx, "workspace/configuration", &protocol.ConfigurationParams{Items: items}, &answer); err != nil {
		s.log.Warn("workspace/configuration failed", "error", err)
		return
	}
	var res []json.RawMessage
	if err := json.Unmarshal(answer, &res); err != nil || res == nil {
		// The specification's answer is a list, one entry per item; a
		// client that sends anything else is told, or its settings would
		// silently not apply.
		shown := string(answer)
		if shown == "" {
			shown = "null" // the transport hands a null result over as nothing
		}
		s.logToClient(protocol.MessageTypeWarning, "ipf-lsp: the answer to workspace/configuration is not a list of settings (%.100s): the previous settings stay", shown)
		return
	}
	if len(res) == 0 {
		return
	}
	logged := map[string]bool{} // the same settings in every folder warn once
	editor, ok := s.decodeEditor(res[0], logged)
	folders := map[string]config.Config{}
	for i, root := range itemRoots {
		if i+1 >= len(res) {
			break
		}
		if c, ok := s.decodeEditor(res[i+1], logged); ok {
			folders[root] = c
		}
	}
	s.cfg.mu.Lock()
	if ok {
		s.cfg.editor = editor
	}
	s.cfg.folderEditor = folders
	s.cfg.mu.Unlock()
}

// decodeEditor decodes editor settings; false when they are undecodable
// (the previous settings then stay). Its warnings are logged to the client
// once per message in logged.
func (s *Server) decodeEditor(raw json.RawMessage, logged map[string]bool) (config.Config, bool) {
	c, err := config.FromEditor(raw)
	if err == nil {
		return c, true
	}
	if msg := err.Error(); !logged[msg] {
		logged[msg] = true
		s.logToClient(protocol.MessageTypeWarning, "ipf-lsp: %v", err)
	}
	partial := (*config.EditorWarning)(nil)
	return c, errors.As(err, &partial)
}

// setEditor takes pushed settings (workspace/didChangeConfiguration from a
// client without workspace/configuration) for every folder.
func (s *Server) setEditor(raw json.RawMessage) {
	c, ok := s.decodeEditor(raw, map[string]bool{})
	if !ok {
		return // undecodable: the previous settings stay
	}
	s.cfg.mu.Lock()
	s.cfg.editor = c
	s.cfg.folderEditor = map[string]config.Config{}
	s.cfg.mu.Unlock()
}

// didChangeConfigurationParams keeps the settings raw.
type didChangeConfigurationParams struct {
	Settings json.RawMessage `json:"settings"`
}

func (s *Server) didChangeConfiguration(ctx context.Context, p *didChangeConfigurationParams) (any, error) {
	if s.extras().configuration {
		s.pullEditorSettings(ctx)
	} else {
		s.setEditor(p.Settings)
	}
	s.applyConfig()
	return nil, nil
}

func (s *Server) didChangeWatchedFiles(ctx context.Context, p *protocol.DidChangeWatchedFilesParams) (any, error) {
	s.applyConfig()
	return nil, nil
}

// isConfigURI reports whether u names a `.ipf.toml` file.
func isConfigURI(u protocol.DocumentURI) bool {
	return strings.HasSuffix(string(u), "/"+config.FileName)
}

// configDocument handles sync notifications of a `.ipf.toml` opened in the
// editor: its unsaved text is the configuration (live change), and it is
// never analysed as Markdown. text is nil on close (back to the disk file).
func (s *Server) configDocument(u protocol.DocumentURI, text *string) {
	path, ok := filePath(u)
	if !ok {
		return
	}
	s.cfg.mu.Lock()
	if text == nil {
		delete(s.cfg.overlays, path)
		delete(s.cfg.texts, path)
	} else {
		s.cfg.overlays[path] = u
		s.cfg.texts[path] = *text
	}
	s.cfg.mu.Unlock()
	s.applyConfig()
}

// configChange applies a didChange to an open `.ipf.toml`.
func (s *Server) configChange(p *didChangeParams) {
	path, ok := filePath(p.TextDocument.URI)
	if !ok {
		return
	}
	s.mu.Lock()
	enc := s.caps.encoding
	s.mu.Unlock()
	s.cfg.mu.Lock()
	text, open := s.cfg.texts[path]
	s.cfg.mu.Unlock()
	if !open {
		// No text to apply the edit to: taking it for the whole file
		// would configure the workspace from a fragment.
		s.logToClient(protocol.MessageTypeWarning, "ipf-lsp: didChange for %s, which is not open: ignored", p.TextDocument.URI)
		return
	}
	for _, c := range p.ContentChanges {
		if c.Range == nil {
			text = c.Text
			continue
		}
		start, end := NewMapper(text, enc).RangeOffsets(*c.Range)
		text = text[:start] + c.Text + text[end:]
	}
	s.configDocument(p.TextDocument.URI, &text)
}

// filePath returns the path of a file URI, cleaned; false for other schemes
// (untitled:, git: …), for a file URI that does not parse (a bad percent
// escape), and for one that names no local absolute path: a host other
// than localhost (file://server/share is a network share), or a Windows
// drive path anywhere but on Windows, where "/C:/x" is an absolute path
// (taken as "C:/x", it was resolved against the working directory).
func filePath(u protocol.DocumentURI) (string, bool) {
	if !strings.HasPrefix(string(u), "file://") {
		return "", false
	}
	pu, err := url.ParseRequestURI(string(u))
	if err != nil || pu.Scheme != "file" || pu.Host != "" && !strings.EqualFold(pu.Host, "localhost") {
		return "", false
	}
	p := pu.Path
	if runtime.GOOS == "windows" {
		p = uri.URI(u).Filename()
	}
	if !filepath.IsAbs(p) {
		return "", false
	}
	return filepath.Clean(filepath.FromSlash(p)), true
}

// rootPaths returns the file-system paths of the workspace roots.
func (s *Server) rootPaths() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, r := range s.caps.roots {
		if p, ok := filePath(r); ok {
			out = append(out, p)
		}
	}
	return out
}

// reloadConfig reads every root's `.ipf.toml` (or its unsaved text),
// computes the effective configuration of each folder and swaps in a new
// scopeSet. It publishes nothing.
func (s *Server) reloadConfig() {
	roots := s.rootPaths()
	s.cfg.mu.Lock()
	for _, r := range s.cfg.inferred {
		if !slices.Contains(roots, r) {
			roots = append(roots, r)
		}
	}
	s.cfg.roots = map[string]rootConfig{}
	for _, root := range roots {
		p := filepath.Join(root, config.FileName)
		rc := rootConfig{path: p, uri: protocol.DocumentURI(uri.File(p))}
		if u, ok := s.cfg.overlays[p]; ok {
			rc.uri, rc.text = u, s.cfg.texts[p]
			rc.cfg, rc.err = config.Parse(p, []byte(rc.text))
		} else if data, err := config.ReadFile(root, p); err == nil {
			rc.text = string(data)
			rc.cfg, rc.err = config.Parse(p, data)
		} else if !errors.Is(err, os.ErrNotExist) {
			rc.err = err
		} else {
			continue
		}
		s.cfg.roots[root] = rc
	}
	ss := &scopeSet{outside: &scope{cfg: config.Default().Merge(s.cfg.editor)}}
	for _, root := range roots {
		if slices.ContainsFunc(ss.folders, func(sc *scope) bool { return sc.root == root }) {
			continue // the same folder twice
		}
		editor, ok := s.cfg.folderEditor[root]
		if !ok {
			editor = s.cfg.editor
		}
		sc := &scope{root: root, cfg: config.Default().Merge(editor)}
		if rc, ok := s.cfg.roots[root]; ok && rc.err == nil {
			sc.cfg = sc.cfg.Merge(rc.cfg)
		}
		ss.folders = append(ss.folders, sc)
	}
	base := s.cfg.base
	s.cfg.mu.Unlock()

	ss.primary = ss.outside
	if len(ss.folders) > 0 {
		ss.primary = ss.folders[0]
	}
	// Deepest first: of the folders that hold a path, the first is the
	// innermost.
	sort.SliceStable(ss.folders, func(i, j int) bool { return len(ss.folders[i].root) > len(ss.folders[j].root) })
	var errs []string
	for _, sc := range ss.all() {
		env, err := sc.cfg.Env(base, sc.root)
		sc.env = env
		if err != nil && !slices.Contains(errs, err.Error()) {
			errs = append(errs, err.Error())
		}
	}
	// The configuration is loaded at initialize and again at initialized,
	// and on every change of a watched file: an error is logged when it
	// appears or changes, not at each reload.
	msg := strings.Join(errs, "; ")
	s.cfg.mu.Lock()
	repeated := msg == s.cfg.packErr
	s.cfg.packErr = msg
	s.cfg.mu.Unlock()
	if msg != "" && !repeated {
		s.logToClient(protocol.MessageTypeWarning, "ipf-lsp: pattern folders: %s", msg)
	}
	s.scopes.Store(ss)
}

// applyConfig reloads the configuration, publishes the diagnostics of the
// configuration files, re-analyses every open document and asks the client
// to refresh inlay hints and code lenses.
func (s *Server) applyConfig() {
	s.reloadConfig()
	s.publishConfigDiagnostics()
	s.publishPackDiagnostics()
	s.mu.Lock()
	for u, d := range s.docs {
		if isConfigURI(u) {
			continue
		}
		d.invalidate()
	}
	s.mu.Unlock()
	ex := s.extras()
	if ex.watchDynamic && s.initDone.Load() {
		go s.syncWatchers()
	}
	if ex.inlayRefresh {
		go s.refresh("workspace/inlayHint/refresh")
	}
	if ex.codeLensRefresh {
		go s.refresh("workspace/codeLens/refresh")
	}
}

// refresh sends a refresh request; it runs on its own goroutine because the
// client may answer only after the current message is handled.
func (s *Server) refresh(method string) {
	if _, err := s.conn.Call(s.ctx, method, nil, nil); err != nil {
		s.log.Debug("refresh failed", "method", method, "error", err)
	}
}

// publishConfigDiagnostics publishes one diagnostic for each malformed
// `.ipf.toml`, open in the editor or not, and clears fixed ones.
func (s *Server) publishConfigDiagnostics() {
	s.mu.Lock()
	enc := s.caps.encoding
	s.mu.Unlock()
	s.cfg.mu.Lock()
	out := map[protocol.DocumentURI][]protocol.Diagnostic{}
	for u := range s.cfg.published {
		out[u] = []protocol.Diagnostic{}
	}
	s.cfg.published = map[protocol.DocumentURI]bool{}
	for _, rc := range s.cfg.roots {
		if rc.err == nil {
			continue
		}
		out[rc.uri] = []protocol.Diagnostic{configDiagnostic(rc, enc)}
		s.cfg.published[rc.uri] = true
	}
	s.cfg.mu.Unlock()
	for u, ds := range out {
		s.notify(s.ctx, "textDocument/publishDiagnostics", &publishParams{URI: u, Diagnostics: ds})
	}
}

// configDiagnostic locates a configuration error on its line.
func configDiagnostic(rc rootConfig, enc Encoding) protocol.Diagnostic {
	m := NewMapper(rc.text, enc)
	line := 0
	msg := rc.err.Error()
	var pe *config.ParseError
	if errors.As(rc.err, &pe) {
		msg = pe.Msg
		if pe.Line > 0 {
			line = pe.Line - 1
		}
	}
	li := analysis.NewLineIndex([]byte(rc.text))
	sp := li.LineSpan(min(line, li.Count()-1))
	return protocol.Diagnostic{
		Range:    m.Range(sp.Start, sp.End),
		Severity: protocol.DiagnosticSeverityError,
		Code:     CodeConfig,
		Source:   "ipf",
		Message:  "invalid " + config.FileName + ", using the defaults: " + msg,
	}
}
