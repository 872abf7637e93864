// VS Code client for ipf-lsp, the Integration Pattern Finder language server.
//
// It finds the server binary (setting, then the copy bundled in the extension,
// then PATH), starts it as `ipf-lsp serve --stdio`, and adds three commands:
// restart, show the pattern library, insert all missing patterns.
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as vscode from 'vscode';
import {
  ExecuteCommandRequest,
  LanguageClient,
  LanguageClientOptions,
  ServerOptions,
  State,
} from 'vscode-languageclient/node';

const CONFIG_SECTION = 'ipf';
const SERVER_ARGS = ['serve', '--stdio'];
const INSTALL_URL = 'https://github.com/ipf-lsp/ipf-lsp/blob/main/editors/vscode/README.md#install-the-server';

/** Commands this extension registers itself; the language client must not register them again. */
const CLIENT_COMMANDS = new Set(['ipf.restartServer', 'ipf.showPatternLibrary', 'ipf.insertAllPatterns']);

let client: LanguageClient | undefined;
let output: vscode.LogOutputChannel;
let extensionContext: vscode.ExtensionContext;

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  extensionContext = context;
  output = vscode.window.createOutputChannel('ipf-lsp', { log: true });
  context.subscriptions.push(
    output,
    vscode.commands.registerCommand('ipf.restartServer', restartServer),
    vscode.commands.registerCommand('ipf.showPatternLibrary', showPatternLibrary),
    vscode.commands.registerCommand('ipf.insertAllPatterns', insertAllPatterns),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('ipf.server.path')) {
        output.appendLine('ipf.server.path changed: restarting the server');
        void restartServer();
      }
    }),
  );
  await startServer();
}

export async function deactivate(): Promise<void> {
  await stopServer();
}

// ---------------------------------------------------------------------------
// Server binary resolution

interface ResolvedServer {
  command: string;
  source: 'setting' | 'bundled' | 'PATH';
}

type Resolution = ResolvedServer | { error: string };

function exeName(): string {
  return process.platform === 'win32' ? 'ipf-lsp.exe' : 'ipf-lsp';
}

/** Folder inside the extension that holds the bundled binary: bin/<platform>-<arch>, e.g. bin/linux-x64. */
export function bundledServerPath(extensionRoot: string): string {
  return path.join(extensionRoot, 'bin', `${process.platform}-${process.arch}`, exeName());
}

function isFile(p: string): boolean {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
}

function ensureExecutable(p: string): void {
  if (process.platform === 'win32') return;
  try {
    fs.accessSync(p, fs.constants.X_OK);
  } catch {
    try {
      fs.chmodSync(p, 0o755);
    } catch {
      // reported when the spawn fails
    }
  }
}

function expandPath(p: string): string {
  let out = p.trim();
  if (out === '~' || out.startsWith('~/')) out = path.join(os.homedir(), out.slice(1));
  const folder = vscode.workspace.workspaceFolders?.[0]?.uri.fsPath;
  if (folder) out = out.replace(/\$\{workspaceFolder\}/g, folder);
  if (!path.isAbsolute(out) && folder) out = path.join(folder, out);
  return out;
}

function findOnPath(name: string): string | undefined {
  const dirs = (process.env.PATH ?? '').split(path.delimiter).filter(Boolean);
  const exts = process.platform === 'win32' ? (process.env.PATHEXT ?? '.EXE').split(';') : [''];
  for (const dir of dirs) {
    for (const ext of exts) {
      const candidate = path.join(dir, name + (name.toLowerCase().endsWith(ext.toLowerCase()) ? '' : ext));
      if (!isFile(candidate)) continue;
      if (process.platform !== 'win32') {
        try {
          fs.accessSync(candidate, fs.constants.X_OK);
        } catch {
          continue;
        }
      }
      return candidate;
    }
  }
  return undefined;
}

function resolveServer(): Resolution {
  const configured = vscode.workspace.getConfiguration(CONFIG_SECTION).get<string>('server.path', '').trim();
  if (configured) {
    const p = expandPath(configured);
    if (isFile(p)) {
      ensureExecutable(p);
      return { command: p, source: 'setting' };
    }
    return { error: `ipf.server.path is set to "${configured}", but there is no file at ${p}.` };
  }
  const bundled = bundledServerPath(extensionContext.extensionPath);
  if (isFile(bundled)) {
    ensureExecutable(bundled);
    return { command: bundled, source: 'bundled' };
  }
  const onPath = findOnPath(exeName());
  if (onPath) return { command: onPath, source: 'PATH' };
  return {
    error:
      `ipf-lsp: no language server binary found. This extension has no bundled server for ` +
      `${process.platform}-${process.arch}, "ipf-lsp" is not on PATH, and ipf.server.path is not set.`,
  };
}

// ---------------------------------------------------------------------------
// Settings sent to the server

/** The whole `ipf` settings section as a plain object, as sent in initializationOptions. */
function settingsObject(): Record<string, unknown> {
  const cfg = vscode.workspace.getConfiguration(CONFIG_SECTION);
  return {
    server: { path: cfg.get<string>('server.path', '') },
    trace: { server: cfg.get<string>('trace.server', 'off') },
    inlayHints: { enabled: cfg.get<boolean>('inlayHints.enabled', true) },
    constitution: { path: cfg.get<string>('constitution.path', '') },
    patterns: { folders: cfg.get<string[]>('patterns.folders', []) },
    diagnostics: { disabled: cfg.get<string[]>('diagnostics.disabled', []) },
    maxFileSize: cfg.get<number>('maxFileSize', 0),
  };
}

// ---------------------------------------------------------------------------
// Client lifecycle

function createClient(server: ResolvedServer): LanguageClient {
  const serverOptions: ServerOptions = {
    // No `transport`: the client would append its own `--stdio`; we pass the args ourselves.
    command: server.command,
    args: SERVER_ARGS,
    options: { env: process.env },
  };
  const clientOptions: LanguageClientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'markdown' },
      { scheme: 'untitled', language: 'markdown' },
    ],
    outputChannel: output,
    traceOutputChannel: output,
    initializationOptions: settingsObject(),
    synchronize: { configurationSection: CONFIG_SECTION },
  };
  // Client id "ipf" makes vscode-languageclient read the `ipf.trace.server` setting.
  const c = new LanguageClient('ipf', 'ipf-lsp', serverOptions, clientOptions);

  // The server may advertise `ipf.insertAllPatterns` in executeCommandProvider. The
  // client would then register a VS Code command of the same id, which clashes with
  // ours (ours adds the active document's URI and version). Skip those ids.
  const feature = c.getFeature(ExecuteCommandRequest.method);
  const register = feature.register.bind(feature);
  feature.register = (data) => {
    const commands = (data.registerOptions.commands ?? []).filter((id) => !CLIENT_COMMANDS.has(id));
    register({ ...data, registerOptions: { ...data.registerOptions, commands } });
  };
  return c;
}

async function startServer(): Promise<void> {
  const resolved = resolveServer();
  if ('error' in resolved) {
    output.appendLine(resolved.error);
    void showMissingServer(resolved.error);
    return;
  }
  output.appendLine(`Starting ${resolved.command} ${SERVER_ARGS.join(' ')} (from ${resolved.source})`);
  const c = createClient(resolved);
  client = c;
  try {
    await c.start();
    output.appendLine('ipf-lsp is running');
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    output.appendLine(`ipf-lsp failed to start: ${msg}`);
    const choice = await vscode.window.showErrorMessage(`ipf-lsp failed to start: ${msg}`, 'Show Output');
    if (choice === 'Show Output') output.show(true);
  }
}

async function stopServer(): Promise<void> {
  const c = client;
  client = undefined;
  if (!c) return;
  try {
    if (c.state !== State.Stopped) await c.stop(5000);
  } catch (err) {
    output.appendLine(`stopping ipf-lsp: ${err instanceof Error ? err.message : String(err)}`);
  }
  try {
    await c.dispose();
  } catch {
    // already disposed
  }
}

async function restartServer(): Promise<void> {
  output.appendLine('Restarting ipf-lsp');
  await stopServer();
  await startServer();
}

async function showMissingServer(message: string): Promise<void> {
  const install = 'How to install';
  const settings = 'Open Settings';
  const choice = await vscode.window.showErrorMessage(message, install, settings);
  if (choice === install) {
    await vscode.env.openExternal(vscode.Uri.parse(INSTALL_URL));
  } else if (choice === settings) {
    await vscode.commands.executeCommand('workbench.action.openSettings', 'ipf.server.path');
  }
}

async function runningClient(): Promise<LanguageClient | undefined> {
  if (!client) await startServer();
  if (client && client.state === State.Running) return client;
  if (client && client.state === State.Starting) {
    try {
      await client.start();
      return client;
    } catch {
      // fall through
    }
  }
  void vscode.window.showErrorMessage('ipf-lsp is not running. Run "ipf: Restart server" or see the ipf-lsp output.');
  return undefined;
}

// ---------------------------------------------------------------------------
// Commands

async function showPatternLibrary(): Promise<void> {
  const c = await runningClient();
  if (!c) return;
  let result: unknown;
  try {
    // Each workspace folder has its own pattern packs: ask for the library
    // of the active document's folder (else the first folder's).
    const active = vscode.window.activeTextEditor?.document.uri;
    const scope = active && active.scheme === 'file' ? active : vscode.workspace.workspaceFolders?.[0]?.uri;
    const args = scope ? [{ uri: c.code2ProtocolConverter.asUri(scope) }] : [];
    result = await c.sendRequest(ExecuteCommandRequest.type, { command: 'ipf.patterns', arguments: args });
  } catch (err) {
    void vscode.window.showErrorMessage(`ipf.patterns failed: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  let content: string;
  if (typeof result === 'string') content = result;
  else if (result && typeof result === 'object' && typeof (result as { markdown?: unknown }).markdown === 'string') {
    content = (result as { markdown: string }).markdown;
  } else content = '```json\n' + JSON.stringify(result, null, 2) + '\n```\n';
  const doc = await vscode.workspace.openTextDocument({ language: 'markdown', content });
  await vscode.window.showTextDocument(doc, { preview: false });
}

function isWorkspaceEditLike(v: unknown): boolean {
  return !!v && typeof v === 'object' && ('changes' in v || 'documentChanges' in v);
}

async function insertAllPatterns(): Promise<void> {
  const editor = vscode.window.activeTextEditor;
  if (!editor || editor.document.languageId !== 'markdown') {
    void vscode.window.showInformationMessage('ipf: open a Markdown spec or plan first.');
    return;
  }
  const c = await runningClient();
  if (!c) return;
  const doc = editor.document;
  const uri = c.code2ProtocolConverter.asUri(doc.uri);
  let result: unknown;
  try {
    result = await c.sendRequest(ExecuteCommandRequest.type, {
      command: 'ipf.insertAllPatterns',
      arguments: [{ uri, version: doc.version }],
    });
  } catch (err) {
    void vscode.window.showErrorMessage(`ipf.insertAllPatterns failed: ${err instanceof Error ? err.message : String(err)}`);
    return;
  }
  // The server normally applies the edit itself (workspace/applyEdit). Accept a
  // returned WorkspaceEdit too.
  if (isWorkspaceEditLike(result)) {
    const edit = await c.protocol2CodeConverter.asWorkspaceEdit(result as never);
    if (edit) await vscode.workspace.applyEdit(edit);
  }
}
