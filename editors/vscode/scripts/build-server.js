#!/usr/bin/env node
// Puts the ipf-lsp server binary into bin/<platform>-<arch>/ so that
// `vsce package` bundles it with the extension.
//
//   node scripts/build-server.js               go build ../../cmd/ipf-lsp for this machine
//   IPF_TARGET=linux-x64 node scripts/...      cross-compile (GOOS/GOARCH from the target)
//   IPF_LSP_BINARY=/path/to/ipf-lsp node ...   copy a prebuilt binary instead of building
'use strict';
const { execFileSync } = require('child_process');
const fs = require('fs');
const path = require('path');

const ext = path.resolve(__dirname, '..');
const repo = path.resolve(ext, '..', '..');
const target = process.env.IPF_TARGET || `${process.platform}-${process.arch}`;
const [plat, arch] = target.split('-');
const goos = { win32: 'windows', darwin: 'darwin', linux: 'linux' }[plat];
const goarch = { x64: 'amd64', arm64: 'arm64' }[arch];
if (!goos || !goarch) {
  console.error(`build-server: unsupported target ${target}`);
  process.exit(1);
}
const exe = goos === 'windows' ? 'ipf-lsp.exe' : 'ipf-lsp';
const outDir = path.join(ext, 'bin', target);
const out = path.join(outDir, exe);
fs.rmSync(path.join(ext, 'bin'), { recursive: true, force: true });
fs.mkdirSync(outDir, { recursive: true });

if (process.env.IPF_LSP_BINARY) {
  fs.copyFileSync(process.env.IPF_LSP_BINARY, out);
  console.log(`build-server: copied ${process.env.IPF_LSP_BINARY} -> ${path.relative(ext, out)}`);
} else {
  execFileSync('go', ['build', '-ldflags=-s -w', '-o', out, './cmd/ipf-lsp'], {
    cwd: repo,
    stdio: 'inherit',
    env: { ...process.env, CGO_ENABLED: '0', GOOS: goos, GOARCH: goarch },
  });
  console.log(`build-server: go build ./cmd/ipf-lsp -> ${path.relative(ext, out)}`);
}
fs.chmodSync(out, 0o755);
