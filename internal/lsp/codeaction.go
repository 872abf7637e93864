package lsp

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sync"

	"go.lsp.dev/jsonrpc2"
	"go.lsp.dev/protocol"

	"github.com/ipf-lsp/ipf-lsp/internal/analysis"
	"github.com/ipf-lsp/ipf-lsp/internal/patterns"
)

func (s *Server) codeAction(ctx context.Context, p *protocol.CodeActionParams) ([]protocol.CodeAction, error) {
	a, err := s.current(ctx, p.TextDocument.URI)
	if a == nil {
		return nil, err
	}
	if !wantsQuickFixes(p.Context.Only) {
		return nil, nil // all our actions are quick fixes
	}
	env := s.envFor(p.TextDocument.URI)
	var out []protocol.CodeAction
	// One reading of the document places every section of the request.
	ins := sync.OnceValue(func() *analysis.Inserter { return analysis.NewInserter(bytesOf(a.snap.text)) })
	type pair struct {
		f *analysis.Finding
		d protocol.Diagnostic
	}
	var found []pair
	for _, d := range p.Context.Diagnostics {
		if d.Source != "ipf" {
			continue
		}
		if _, ok := decodeData(d.Data); !ok {
			continue
		}
		// The client's diagnostic may be older than the text; offer only
		// what still holds for the current version.
		if f := findingAt(a, d); f != nil {
			found = append(found, pair{f, d})
		}
	}
	if len(found) == 0 && !slices.ContainsFunc(p.Context.Diagnostics, func(d protocol.Diagnostic) bool { return d.Source == "ipf" }) {
		// A client that sends none of ours (a command palette's "code
		// actions here", a client that does not track diagnostics) gets
		// the fixes of the findings the range touches, as gopls does.
		for i := range a.res.Findings {
			f := &a.res.Findings[i]
			if r := a.snap.mapper.Range(f.Span.Start, f.Span.End); overlaps(r, p.Range) {
				found = append(found, pair{f, s.diagnostic(a, f)})
			}
		}
	}
	// Several pairs' fixes in one list: each title names its pair, or
	// "Insert pattern: Tests with dependency_overrides …" would not say
	// which of the line's points it documents.
	pairs := map[string]bool{}
	for _, fd := range found {
		if from, to, ok := findingPair(env, fd.f); ok {
			pairs[env.PairKey(from, to)] = true
		}
	}
	for _, fd := range found {
		f, d := fd.f, fd.d
		out = append(out, s.fixesFor(env, a, ins, f, d, len(pairs) > 1)...)
		if f.Code != analysis.CodeIntegrationPoint {
			// An integration point is resolved by documenting it.
			out = append(out, s.ignoreAction(a, f, d))
		}
	}
	return dedupeActions(out), nil
}

// wantsQuickFixes reports whether a code action request's only list (empty:
// every kind) admits quick fixes. Kinds are hierarchical: "quickfix" is
// admitted by itself alone, as it has no parent but the empty kind.
func wantsQuickFixes(only []protocol.CodeActionKind) bool {
	return len(only) == 0 || slices.Contains(only, protocol.QuickFix) || slices.Contains(only, protocol.CodeActionKind(""))
}

// overlaps reports whether two ranges share a position; an empty range
// (a cursor) touches a range it lies in or at either end of.
func overlaps(a, b protocol.Range) bool {
	before := func(x, y protocol.Position) bool {
		return x.Line < y.Line || x.Line == y.Line && x.Character < y.Character
	}
	return !before(a.End, b.Start) && !before(b.End, a.Start)
}

// dedupeActions keeps the first action of each title: two findings on one
// line (an explicit and an implied point of the same pair) would otherwise
// offer "Insert pattern: X" twice, and both insert the same section.
func dedupeActions(in []protocol.CodeAction) []protocol.CodeAction {
	seen := map[string]int{}
	var out []protocol.CodeAction
	for _, a := range in {
		if i, ok := seen[a.Title]; ok {
			out[i].Diagnostics = append(out[i].Diagnostics, a.Diagnostics...)
			continue
		}
		seen[a.Title] = len(out)
		out = append(out, a)
	}
	return out
}

// ignoreAction suppresses the finding with a comment: at the end of its
// line in prose and tables, above its block in headings and code
// (analysis.Result.IgnoreEdit).
func (s *Server) ignoreAction(a *analyzed, f *analysis.Finding, d protocol.Diagnostic) protocol.CodeAction {
	return protocol.CodeAction{
		Title:       fmt.Sprintf("Ignore %s on this line", f.Code),
		Kind:        protocol.QuickFix,
		Diagnostics: []protocol.Diagnostic{d},
		Edit:        s.workspaceEdit(a.snap, a.res.IgnoreEdit(f.Code, f.Span.Start)),
	}
}

// findingAt returns the finding of the current analysis that d reports:
// the one of d's code and message at d's range (two integration points
// implied by one line share their code and range), else the first of d's
// code at d's range (a message that changed with the text) or, failing
// that, the one of d's code and message on d's lines whose range in bytes
// is d's, else the only one there. Neovim 0.7 (Debian 12's) sends back the cursor line's diagnostics
// with the byte columns it shows instead of the UTF-16 ones it was sent
// (vim.lsp.diagnostic.get_line_diagnostics), so after a non-ASCII
// character on the line ("→", "é") no range was equal and no quick fix
// was offered.
func findingAt(a *analyzed, d protocol.Diagnostic) *analysis.Finding {
	code, _ := d.Code.(string)
	var onLines []*analysis.Finding
	var atRange *analysis.Finding
	for i := range a.res.Findings {
		f := &a.res.Findings[i]
		if f.Code != code {
			continue
		}
		r := a.snap.mapper.Range(f.Span.Start, f.Span.End)
		if r == d.Range {
			if f.Message == d.Message {
				return f
			}
			if atRange == nil {
				atRange = f
			}
			continue
		}
		if r.Start.Line == d.Range.Start.Line && r.End.Line == d.Range.End.Line && f.Message == d.Message {
			onLines = append(onLines, f)
		}
	}
	if atRange != nil {
		return atRange
	}
	for _, f := range onLines {
		if a.snap.mapper.byteRange(f.Span.Start, f.Span.End) == d.Range {
			return f
		}
	}
	if len(onLines) == 1 {
		return onLines[0]
	}
	return nil
}

func decodeData(v any) (diagData, bool) {
	var d diagData
	if v == nil {
		return d, false
	}
	b, err := json.Marshal(v)
	if err != nil || json.Unmarshal(b, &d) != nil {
		return d, false
	}
	return d, true
}

// fixesFor lists the quick fixes of one finding: insert each matching
// pattern, or a blank template for a pair with none. They are the finding's
// own, whatever data the client's diagnostic carries (an older version's, or
// one the client made). ins places the sections in a's text.
func (s *Server) fixesFor(env *analysis.Env, a *analyzed, ins func() *analysis.Inserter, f *analysis.Finding, d protocol.Diagnostic, namePairs bool) []protocol.CodeAction {
	var out []protocol.CodeAction
	v := a.snap.version
	id := insertData{Kind: insertDataKind, URI: a.snap.uri, Version: &v, Code: f.Code, Range: a.snap.mapper.Range(f.Span.Start, f.Span.End)}
	ids := f.Patterns
	if len(ids) == 0 && f.Point != nil {
		id.From, id.To = f.Point.From, f.Point.To
		// The title names the pair: two pairs of one line would otherwise
		// share a title, and dedupeActions would keep only the first.
		title := "Insert blank integration template: " + env.Catalog.Name(id.From) + " → " + env.Catalog.Name(id.To)
		out = append(out, s.insertAction(a, ins, title, env.SectionText(id.From, id.To, nil), id, d, true))
		return out
	}
	for i, pid := range ids {
		pt, ok := env.Library.Get(pid)
		if !ok {
			continue
		}
		id.Pattern = pid
		title := "Insert pattern: " + pt.Name
		if namePairs {
			title += " (" + env.Catalog.Name(pt.From) + " → " + env.Catalog.Name(pt.To) + ")"
		}
		out = append(out, s.insertAction(a, ins, title, env.SectionText(pt.From, pt.To, pt), id, d, i == 0))
	}
	return out
}

// findingPair is the pair a finding's fixes document: its point's, or for
// an anti-pattern its first recommended pattern's.
func findingPair(env *analysis.Env, f *analysis.Finding) (from, to string, ok bool) {
	if f.Point != nil {
		return f.Point.From, f.Point.To, true
	}
	if len(f.Patterns) > 0 {
		if pt, found := env.Library.Get(f.Patterns[0]); found {
			return pt.From, pt.To, true
		}
	}
	return "", "", false
}

// insertAction is the quick fix that inserts section. For a client that
// resolves a code action's edit lazily (lazyEdits) it carries data, what
// codeAction/resolve computes the edit from, instead of the edit: placing
// the section reads the whole document (analysis.Inserter, about 13 ms for
// 380 KB), and VS Code asks for code actions at each cursor move onto a
// diagnostic, while the edit is needed only for the action picked.
func (s *Server) insertAction(a *analyzed, ins func() *analysis.Inserter, title, section string, data insertData, d protocol.Diagnostic, preferred bool) protocol.CodeAction {
	act := protocol.CodeAction{
		Title:       title,
		Kind:        protocol.QuickFix,
		Diagnostics: []protocol.Diagnostic{d},
		IsPreferred: preferred,
	}
	if s.lazyEdits() {
		act.Data = data
		return act
	}
	act.Edit = s.workspaceEdit(a.snap, ins().Section(section))
	return act
}

// insertDataKind marks the data of ipf-lsp's insert actions.
const insertDataKind = "ipf.insert"

// insertData is the data of an insert quick fix resolved lazily: the
// document and the version the action was made for, the finding it fixes
// (its code and range in that version) and the pattern to insert, or the
// pair of a blank template.
type insertData struct {
	Kind string               `json:"kind"`
	URI  protocol.DocumentURI `json:"uri"`
	// Version is required: the edit is only ever computed for it.
	Version *int32         `json:"version"`
	Code    string         `json:"code"`
	Range   protocol.Range `json:"range"`
	Pattern string         `json:"pattern,omitempty"`
	From    string         `json:"from,omitempty"`
	To      string         `json:"to,omitempty"`
}

// lazyEdits reports whether the client resolves a code action's edit with
// codeAction/resolve (resolveSupport.properties holds "edit").
func (s *Server) lazyEdits() bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.caps.resolveEdit
}

// codeActionResolve computes the edit of an insert quick fix (insertData)
// for the document version the action was made for. If the document has
// moved past that version, or the finding is no longer reported there (no
// finding of its code at its range offers the pattern or the pair), it
// answers ContentModified: an edit is never computed for another version
// than the one in data (the client applies the edit to the version it has,
// and without documentChanges nothing else would stop it), nor for another
// finding (a document closed and opened again restarts its versions). Data
// of ours that does not decode is InvalidParams; an action that is not one
// of ours comes back as it was sent.
func (s *Server) codeActionResolve(ctx context.Context, p *map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	act := *p
	var kind struct {
		Kind string `json:"kind"`
	}
	raw, ok := act["data"]
	if !ok || json.Unmarshal(raw, &kind) != nil || kind.Kind != insertDataKind {
		return act, nil
	}
	var data insertData
	if err := json.Unmarshal(raw, &data); err != nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "codeAction/resolve: data: %v", err)
	}
	if data.URI == "" || data.Version == nil {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "codeAction/resolve: data needs {uri, version}")
	}
	if data.Pattern == "" && (data.From == "" || data.To == "") {
		return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "codeAction/resolve: data names no pattern and no pair")
	}
	d := s.doc(data.URI)
	if d == nil {
		return nil, jsonrpc2.Errorf(protocol.CodeContentModified, "%s is not open", data.URI)
	}
	snap := d.cur.Load()
	if snap.version != *data.Version {
		return nil, jsonrpc2.Errorf(protocol.CodeContentModified, "document changed (version %d, code action was for %d): ask for code actions again", snap.version, *data.Version)
	}
	a, err := s.analysisOf(ctx, d, snap)
	if err != nil {
		return nil, err
	}
	if !reports(a, data) {
		return nil, jsonrpc2.Errorf(protocol.CodeContentModified, "%s at %d:%d is no longer reported: ask for code actions again", data.Code, data.Range.Start.Line+1, data.Range.Start.Character+1)
	}
	env := s.envFor(data.URI)
	var section string
	switch {
	case data.Pattern != "":
		pt, ok := env.Library.Get(data.Pattern)
		if !ok {
			return nil, jsonrpc2.Errorf(protocol.CodeContentModified, "pattern %s is no longer in the library: ask for code actions again", data.Pattern)
		}
		section = env.SectionText(pt.From, pt.To, pt)
	default:
		section = env.SectionText(data.From, data.To, nil)
	}
	edit, err := json.Marshal(s.workspaceEdit(snap, analysis.InsertSection(bytesOf(snap.text), section)))
	if err != nil {
		return nil, err
	}
	if d.cur.Load() != snap || d.closed.Load() || s.doc(data.URI) != d {
		// Changed, or closed, while the analysis was awaited.
		return nil, jsonrpc2.Errorf(protocol.CodeContentModified, "document changed while the code action was resolved: ask for code actions again")
	}
	out := maps.Clone(act)
	out["edit"] = edit
	return out, nil
}

// reports reports whether a has the finding an insert action was made for:
// one of its code at its range whose quick fixes insert its pattern, or, for
// a blank template, of its pair.
func reports(a *analyzed, data insertData) bool {
	for i := range a.res.Findings {
		f := &a.res.Findings[i]
		if f.Code != data.Code || a.snap.mapper.Range(f.Span.Start, f.Span.End) != data.Range {
			continue
		}
		switch {
		case data.Pattern != "":
			if slices.Contains(f.Patterns, data.Pattern) {
				return true
			}
		case f.Point != nil && len(f.Patterns) == 0 && f.Point.From == data.From && f.Point.To == data.To:
			return true
		}
	}
	return false
}

// workspaceEdit wraps an edit of one snapshot. With documentChanges the
// client itself refuses the edit if the document moved past the version it
// was computed for.
func (s *Server) workspaceEdit(snap *snapshot, e analysis.Edit) *protocol.WorkspaceEdit {
	te := protocol.TextEdit{Range: snap.mapper.Range(e.Span.Start, e.Span.End), NewText: e.Text}
	s.mu.Lock()
	dc := s.caps.documentChanges
	s.mu.Unlock()
	if dc {
		v := snap.version
		return &protocol.WorkspaceEdit{DocumentChanges: []protocol.TextDocumentEdit{{
			TextDocument: protocol.OptionalVersionedTextDocumentIdentifier{
				TextDocumentIdentifier: protocol.TextDocumentIdentifier{URI: snap.uri},
				Version:                &v,
			},
			Edits: []protocol.TextEdit{te},
		}}}
	}
	return &protocol.WorkspaceEdit{Changes: map[protocol.DocumentURI][]protocol.TextEdit{snap.uri: {te}}}
}

// insertArgs are the arguments of the insert commands.
type insertArgs struct {
	URI protocol.DocumentURI `json:"uri"`
	// Version is required: an edit is only ever computed for the version
	// the command was made for (0 is a valid version: Neovim starts there).
	Version *int32 `json:"version"`
	Pattern string `json:"pattern,omitempty"`
	From    string `json:"from,omitempty"`
	To      string `json:"to,omitempty"`
	// Patterns limits ipf.insertAllPatterns to these pattern ids (a code
	// lens of one section); empty means every undocumented point.
	Patterns []string `json:"patterns,omitempty"`
}

func (s *Server) executeCommand(ctx context.Context, p *protocol.ExecuteCommandParams) (any, error) {
	switch p.Command {
	case cmdPatterns:
		// The library of the folder that holds the argument's uri (a
		// document or a folder: each folder has its own pattern packs);
		// without one, the first workspace folder's.
		env := s.scopes.Load().primary.env
		if len(p.Arguments) > 0 {
			var arg struct {
				URI protocol.DocumentURI `json:"uri"`
			}
			b, _ := json.Marshal(p.Arguments[0])
			if err := json.Unmarshal(b, &arg); err != nil || arg.URI == "" {
				return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: the argument must be {uri} (a document or folder), or none", p.Command)
			}
			env = s.envFor(arg.URI)
		}
		return LibraryMarkdown(env), nil
	case cmdInsertPattern, cmdInsertAll:
		if len(p.Arguments) == 0 {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s needs an argument {uri, version}", p.Command)
		}
		var args insertArgs
		b, _ := json.Marshal(p.Arguments[0])
		if err := json.Unmarshal(b, &args); err != nil || args.URI == "" {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s: argument must be {uri, version}: %v", p.Command, err)
		}
		d := s.doc(args.URI)
		if d == nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s is not open", args.URI)
		}
		if args.Version == nil {
			return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "%s needs the document version it was computed for: {uri, version}", p.Command)
		}
		snap := d.cur.Load()
		if *args.Version != snap.version {
			// Never apply an edit to a version it was not computed for.
			return nil, jsonrpc2.Errorf(protocol.CodeContentModified, "document changed (version %d, command was for %d): try again", snap.version, *args.Version)
		}
		env := s.envFor(args.URI)
		var a *analyzed
		pt, isPattern := env.Library.Get(args.Pattern)
		isPattern = isPattern && p.Command == cmdInsertPattern
		if p.Command == cmdInsertAll && len(args.Patterns) == 0 || isPattern {
			// Every undocumented point, or where the pattern's pair already
			// has a heading: the analysis of this version.
			var err error
			if a, err = s.analysisOf(ctx, d, snap); err != nil {
				return nil, err
			}
		}
		var e *analysis.Edit
		if isPattern {
			var found bool
			if e, found = underHeading(env, a, pt); found && e == nil {
				return nil, nil // the pattern is under the pair's heading already
			}
		}
		if e == nil {
			if a == nil {
				// Whether the section is there already is the analysis's
				// to say (a heading in a code block does not count).
				var err error
				if a, err = s.analysisOf(ctx, d, snap); err != nil {
					return nil, err
				}
			}
			section := s.sectionsToInsert(env, a, p.Command, args)
			if section == "" || alreadyInserted(a.res, section) {
				return nil, nil
			}
			ins := analysis.InsertSection(bytesOf(snap.text), section)
			e = &ins
		}
		if err := d.beginEdit(snap); err != nil {
			return nil, err
		}
		edit := s.workspaceEdit(snap, *e)
		// The client may answer applyEdit only after the messages it sent
		// before it (a didChange, a hover) are answered: waiting in the
		// queue would deadlock with it.
		releaseQueue(ctx)
		return nil, s.applyEdit(ctx, d, snap, edit)
	}
	return nil, jsonrpc2.Errorf(jsonrpc2.InvalidParams, "unknown command %q", p.Command)
}

// underHeading finds the `## Integration:` heading that names p's pair (the
// code lens on such a heading inserts its missing patterns) and returns the
// edit that adds p at the end of that heading's section, before the next
// heading of level 1 or 2 of the document's top level. found is false when no heading names the pair;
// the edit is nil when p's section is under the heading already.
func underHeading(env *analysis.Env, a *analyzed, p *patterns.Pattern) (e *analysis.Edit, found bool) {
	res := a.res
	key := env.PairKey(p.From, p.To)
	for _, sec := range res.Sections {
		if sec.Pattern != nil || sec.Integration == "" || !namesPair(env, sec.Integration, key) {
			continue
		}
		if !slices.Contains(missingPatterns(env, res, sec.Integration, sec.Line), p.ID) {
			return nil, true
		}
		// The section ends at the next heading of level 1 or 2 of the
		// document's top level: one in a block quote or a list item (the
		// analysis's blocks have them too) ends nothing.
		edit := analysis.InsertUnder(res.Doc.Src, res.Lines.Start(sec.Line), p.Markdown)
		return &edit, true
	}
	return nil, false
}

// namesPair reports whether an integration heading names the pair with key.
func namesPair(env *analysis.Env, heading, key string) bool {
	for _, pair := range env.HeadingPairs(heading) {
		if env.PairKey(pair[0], pair[1]) == key {
			return true
		}
	}
	return false
}

// beginEdit claims d for one edit computed for snap, until the client has
// answered workspace/applyEdit. It refuses, with ContentModified, an edit
// while another one waits for the client, a second edit computed for the
// version an applied edit was computed for (the client's didChange for the
// first is not here yet: the second would be computed without it, and a
// pattern could go in twice), and an edit of a version the document has
// left while the command waited for its analysis.
func (d *document) beginEdit(snap *snapshot) error {
	d.editMu.Lock()
	defer d.editMu.Unlock()
	switch {
	case d.cur.Load() != snap:
		return jsonrpc2.Errorf(protocol.CodeContentModified, "document changed (version %d) while the command was computed: try again", snap.version)
	case d.editing:
		return jsonrpc2.Errorf(protocol.CodeContentModified, "an edit of this document is waiting for the client's answer to workspace/applyEdit: try again after it")
	case d.edited && d.editedVersion == snap.version:
		return jsonrpc2.Errorf(protocol.CodeContentModified, "an edit computed for version %d was already applied: try again at the next version", snap.version)
	}
	d.editing, d.edited, d.editedVersion = true, true, snap.version
	return nil
}

// endEdit records the client's answer: a refused edit may be tried again.
func (d *document) endEdit(version int32, applied bool) {
	d.editMu.Lock()
	defer d.editMu.Unlock()
	d.editing = false
	if !applied && d.editedVersion == version {
		d.edited = false
	}
}

// codeRequestFailed is LSP 3.17's RequestFailed: the request was valid but
// could not be carried out (go.lsp.dev/protocol v0.12.0 predates it).
const codeRequestFailed jsonrpc2.Code = -32803

// applyEdit sends the edit and waits for the client's answer off the queue.
// The wait for the answer is not tied to the command: if the command is
// cancelled, its reply goes out at once, and the document stays claimed
// until the client says what it did with the edit.
func (s *Server) applyEdit(ctx context.Context, d *document, snap *snapshot, edit *protocol.WorkspaceEdit) error {
	type answer struct {
		res protocol.ApplyWorkspaceEditResponse
		err error
	}
	done := make(chan answer, 1)
	go func() {
		var r answer
		_, r.err = s.conn.Call(s.ctx, "workspace/applyEdit", &protocol.ApplyWorkspaceEditParams{Label: "Insert integration patterns", Edit: *edit}, &r.res)
		d.endEdit(snap.version, r.err == nil && r.res.Applied)
		done <- r
	}()
	select {
	case r := <-done:
		if r.err != nil {
			return jsonrpc2.Errorf(jsonrpc2.InternalError, "workspace/applyEdit: %v", r.err)
		}
		if !r.res.Applied {
			// The request was sound; the client chose not to apply it
			// (LSP 3.17's RequestFailed, not a fault of the server).
			reason := r.res.FailureReason
			if reason == "" {
				reason = "no reason given"
			}
			return jsonrpc2.Errorf(codeRequestFailed, "the client did not apply the edit: %s", reason)
		}
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// sectionsToInsert returns the Markdown to insert for a command: one pattern,
// or the default pattern of every undocumented integration point (from a,
// which only that case needs).
func (s *Server) sectionsToInsert(env *analysis.Env, a *analyzed, cmd string, args insertArgs) string {
	if cmd == cmdInsertPattern {
		if pt, ok := env.Library.Get(args.Pattern); ok {
			return env.SectionText(pt.From, pt.To, pt)
		}
		if args.From != "" && args.To != "" {
			return env.SectionText(args.From, args.To, nil)
		}
		return ""
	}
	var out string
	if len(args.Patterns) > 0 {
		for _, id := range args.Patterns {
			if pt, ok := env.Library.Get(id); ok {
				if out != "" {
					out += "\n"
				}
				out += env.SectionText(pt.From, pt.To, pt)
			}
		}
		return out
	}
	seen := map[[2]string]bool{}
	for _, pt := range a.res.Points {
		k := [2]string{pt.From, pt.To}
		if pt.Documented || seen[k] {
			continue
		}
		seen[k] = true
		if out != "" {
			out += "\n"
		}
		if len(pt.Patterns) > 0 {
			p, _ := env.Library.Get(pt.Patterns[0])
			out += env.SectionText(pt.From, pt.To, p)
		} else {
			out += env.SectionText(pt.From, pt.To, nil)
		}
	}
	return out
}

// LibraryMarkdown lists the pattern library as Markdown.
func LibraryMarkdown(env *analysis.Env) string {
	out := "# ipf-lsp pattern library\n\n| Pair | Pattern | Id | Source |\n|---|---|---|---|\n"
	for _, p := range env.Library.All() {
		src := ""
		if len(p.Sources) > 0 {
			src = p.Sources[0]
		}
		out += fmt.Sprintf("| %s → %s | %s | `%s` | %s |\n", env.Catalog.Name(p.From), env.Catalog.Name(p.To), p.Name, p.ID, src)
	}
	return out
}
