-- ipf-lsp for Neovim 0.11 and newer.
--
-- Copy this file to ~/.config/nvim/lsp/ipf.lua (or put editors/nvim on your
-- 'runtimepath') and enable it from init.lua:
--
--   vim.lsp.enable('ipf')
--
-- The server attaches to Markdown buffers; the workspace root is the nearest
-- folder holding `.specify` (a spec-kit project) or `.git`.
return {
  cmd = { 'ipf-lsp', 'serve' },
  filetypes = { 'markdown' },
  root_markers = { '.specify', '.git' },
}
