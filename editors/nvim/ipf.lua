-- ipf-lsp for Neovim 0.7 – 0.10 (for 0.11 and newer use lsp/ipf.lua).
--
-- Paste this into init.lua, or keep it as a file and `dofile()` it. It starts
-- (or reuses) one `ipf-lsp serve` per workspace root for every Markdown
-- buffer; the root is the nearest folder holding `.specify` (a spec-kit
-- project) or `.git`, else the file's own folder.
local markers = { '.specify', '.git' }

local function root_dir(bufnr)
  local name = vim.api.nvim_buf_get_name(bufnr)
  if name == '' then
    return vim.loop.cwd()
  end
  local start = vim.fn.fnamemodify(name, ':p:h')
  if vim.fs and vim.fs.find then -- 0.8+
    local found = vim.fs.find(markers, { upward = true, path = start })[1]
    return found and vim.fs.dirname(found) or start
  end
  local dir = start -- 0.7: walk up by hand
  while true do
    for _, m in ipairs(markers) do
      if vim.loop.fs_stat(dir .. '/' .. m) then
        return dir
      end
    end
    local parent = vim.fn.fnamemodify(dir, ':h')
    if parent == dir then
      return start
    end
    dir = parent
  end
end

local clients = {} -- 0.7 only: root -> client id

vim.api.nvim_create_autocmd('FileType', {
  group = vim.api.nvim_create_augroup('ipf-lsp', { clear = true }),
  pattern = 'markdown',
  callback = function(args)
    local root = root_dir(args.buf)
    local config = { name = 'ipf', cmd = { 'ipf-lsp', 'serve' }, root_dir = root }
    if vim.lsp.start then -- 0.8 – 0.10: reuses a running client with the same name and root
      vim.lsp.start(config, { bufnr = args.buf })
      return
    end
    local id = clients[root] -- 0.7
    if not id or vim.lsp.client_is_stopped(id) then
      config.workspace_folders = { { uri = vim.uri_from_fname(root), name = root } }
      id = vim.lsp.start_client(config)
      clients[root] = id
    end
    if id then
      vim.lsp.buf_attach_client(args.buf, id)
    end
  end,
})
