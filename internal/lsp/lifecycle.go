package lsp

import (
	"context"
	"encoding/json"
	"slices"

	"go.lsp.dev/protocol"
)

// clientCaps is what the server needs to know of the client.
type clientCaps struct {
	markdownHover   bool
	documentChanges bool
	encoding        Encoding
	roots           []protocol.DocumentURI
	initOptions     json.RawMessage
	// resolveEdit: the client resolves a code action's edit lazily
	// (codeAction/resolve).
	resolveEdit bool
}

// initializeParams adds the LSP 3.17 fields go.lsp.dev v0.12.0 lacks.
type initializeParams struct {
	protocol.InitializeParams
	Capabilities struct {
		protocol.ClientCapabilities
		General struct {
			PositionEncodings []string `json:"positionEncodings"`
		} `json:"general"`
	} `json:"capabilities"`
	InitializationOptions json.RawMessage `json:"initializationOptions"`
}

// serverCapabilities adds LSP 3.17 fields to v0.12.0's ServerCapabilities.
type serverCapabilities struct {
	protocol.ServerCapabilities
	PositionEncoding  string `json:"positionEncoding,omitempty"`
	InlayHintProvider any    `json:"inlayHintProvider,omitempty"`
}

type initializeResult struct {
	Capabilities serverCapabilities   `json:"capabilities"`
	ServerInfo   *protocol.ServerInfo `json:"serverInfo,omitempty"`
}

// Commands the server executes through workspace/executeCommand.
const (
	cmdInsertPattern = "ipf.insertPattern"
	cmdInsertAll     = "ipf.insertAllPatterns"
	cmdPatterns      = "ipf.patterns"
)

func (s *Server) initialize(ctx context.Context, p *initializeParams) (*initializeResult, error) {
	caps := clientCaps{encoding: UTF16, initOptions: p.InitializationOptions}
	if td := p.Capabilities.TextDocument; td != nil {
		if td.Hover != nil {
			for _, k := range td.Hover.ContentFormat {
				if k == protocol.Markdown {
					caps.markdownHover = true
				}
			}
		}
		if ca := td.CodeAction; ca != nil && ca.ResolveSupport != nil {
			caps.resolveEdit = slices.Contains(ca.ResolveSupport.Properties, "edit")
		}
	} else {
		caps.markdownHover = true
	}
	if ws := p.Capabilities.Workspace; ws != nil && ws.WorkspaceEdit != nil {
		caps.documentChanges = ws.WorkspaceEdit.DocumentChanges
	}
	for _, e := range p.Capabilities.General.PositionEncodings {
		if e == "utf-8" {
			caps.encoding = UTF8
		}
	}
	for _, f := range p.WorkspaceFolders {
		caps.roots = append(caps.roots, protocol.DocumentURI(f.URI))
	}
	if len(caps.roots) == 0 && p.RootURI != "" {
		caps.roots = append(caps.roots, p.RootURI)
	}
	s.mu.Lock()
	s.caps = caps
	s.mu.Unlock()
	s.initWorkspace(p)
	s.state.Store(stateInitialized)

	enc := "utf-16"
	if caps.encoding == UTF8 {
		enc = "utf-8"
	}
	return &initializeResult{
		Capabilities: serverCapabilities{
			ServerCapabilities: protocol.ServerCapabilities{
				TextDocumentSync: protocol.TextDocumentSyncOptions{
					OpenClose: true,
					Change:    protocol.TextDocumentSyncKindIncremental,
					Save:      &protocol.SaveOptions{IncludeText: false},
				},
				HoverProvider:          true,
				CodeLensProvider:       &protocol.CodeLensOptions{},
				CompletionProvider:     &protocol.CompletionOptions{TriggerCharacters: []string{":"}},
				DocumentSymbolProvider: true,
				DefinitionProvider:     true,
				CodeActionProvider: &protocol.CodeActionOptions{
					CodeActionKinds: []protocol.CodeActionKind{protocol.QuickFix},
					ResolveProvider: true,
				},
				ExecuteCommandProvider: &protocol.ExecuteCommandOptions{
					Commands: []string{cmdInsertPattern, cmdInsertAll, cmdPatterns},
				},
			},
			PositionEncoding:  enc,
			InlayHintProvider: true,
		},
		ServerInfo: &protocol.ServerInfo{Name: "ipf-lsp", Version: s.ver},
	}, nil
}

func (s *Server) shutdown(ctx context.Context) (any, error) {
	s.state.Store(stateShutdown)
	s.mu.Lock()
	for _, d := range s.docs {
		d.stop()
	}
	s.mu.Unlock()
	return nil, nil
}

// buildRoutes lists every method the server answers. Handlers live in the
// file named after their LSP feature.
func (s *Server) buildRoutes() map[string]route {
	return map[string]route{
		"initialize":  s.withSettings(handle(s.initialize)),
		"initialized": {handle: func(ctx context.Context, _ json.RawMessage) (any, error) { return s.initialized(ctx) }},
		"shutdown":    {handle: func(ctx context.Context, _ json.RawMessage) (any, error) { return s.shutdown(ctx) }},

		"textDocument/didOpen":   handle(s.didOpen),
		"textDocument/didChange": handle(s.didChange),
		"textDocument/didClose":  handle(s.didClose),
		"textDocument/didSave":   handle(s.didSave),

		"workspace/didChangeWorkspaceFolders": handle(s.didChangeWorkspaceFolders),

		"textDocument/hover":       handle(s.hover),
		"textDocument/codeAction":  handle(s.codeAction),
		"codeAction/resolve":       handle(s.codeActionResolve),
		"workspace/executeCommand": handle(s.executeCommand),

		"textDocument/inlayHint":           handle(s.inlayHint),
		"textDocument/codeLens":            handle(s.codeLens),
		"textDocument/completion":          handle(s.completion),
		"textDocument/documentSymbol":      handle(s.documentSymbol),
		"textDocument/definition":          handle(s.definition),
		"workspace/didChangeConfiguration": handle(s.didChangeConfiguration),
		"workspace/didChangeWatchedFiles":  handle(s.didChangeWatchedFiles),
	}
}
