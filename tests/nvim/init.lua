-- Test init for the headless Neovim tests (nvim_test.go). No user config, no
-- plugins: only the documented setup snippet from editors/nvim for the
-- installed version, so the snippet users copy is the one under test.
-- `ipf-lsp` is found on PATH (the test puts the freshly built binary first).
local repo = assert(os.getenv('IPF_REPO'), 'IPF_REPO not set')

vim.opt.swapfile = false
vim.opt.more = false
local log_level = os.getenv('IPF_NVIM_LSP_LOG') or ''
vim.lsp.set_log_level(log_level ~= '' and log_level or 'WARN')

if vim.fn.has('nvim-0.11') == 1 then
  vim.opt.runtimepath:prepend(repo .. '/editors/nvim') -- provides lsp/ipf.lua
  vim.lsp.enable('ipf')
else
  dofile(repo .. '/editors/nvim/ipf.lua') -- 0.7 – 0.10
end
