-- Drives one headless Neovim session against ipf-lsp and writes what Neovim
-- saw as JSON. Runs after init.lua has attached the server to the buffer of
-- the document given on the command line.
--
--   IPF_PLAN    JSON file: { "docs": [...], "steps": [ {"op": ...}, ... ] }
--   IPF_RESULT  where to write { "nvim": ..., "client": ..., "steps": [ ... ],
--               "notifications": [ ... ] }
--
-- "docs" (optional) are further documents, relative to the working folder,
-- opened with :edit once the server is up (each gets its own buffer, attached
-- like the first); the window then shows the first document again. A step's
-- "doc" names the buffer it works on; without it, the first document's.
-- "notifications" are the LSP notifications the client sent from then on
-- (method, textDocument uri and version).
--
-- Ops (each appends one result):
--   diagnostics              wait until the server has published for the
--                            buffer's current version; the diagnostics as
--                            Neovim holds them (0-based lnum, byte col)
--   hover {line, character}  textDocument/hover: kind and value of the contents
--   code_action {line, character, title}
--                            vim.lsp.buf.code_action() with the cursor there;
--                            the action titled `title` is chosen and Neovim
--                            applies it: the titles offered, the buffer text
--   request {method, params} any request; "$uri" in params is the buffer's URI
--   set_lines {start, end, lines}  nvim_buf_set_lines: the buffer text
--   text                     the buffer text
--   diagnostics_changed      wait until the diagnostics Neovim holds for the
--                            buffer differ from those the buffer's last
--                            diagnostics step returned (a republish without
--                            a new version, after another document changed)
--   state                    bufnr, changedtick, 'modified', version, text
-- Waiting is polling with vim.wait only.
local TIMEOUT = 10000
local plan_path = assert(os.getenv('IPF_PLAN'), 'IPF_PLAN not set')
local result_path = assert(os.getenv('IPF_RESULT'), 'IPF_RESULT not set')

-- buf and uri are the buffer the current step works on (the first
-- document's unless the step names another).
local first = vim.api.nvim_get_current_buf()
local buf = first
local uri = vim.uri_from_bufnr(buf)

-- Remember the version of every publishDiagnostics per URI, so a step can
-- wait for the diagnostics of exactly the current text.
local published_by = {}
local default_publish = vim.lsp.handlers['textDocument/publishDiagnostics']
vim.lsp.handlers['textDocument/publishDiagnostics'] = function(err, result, ctx, config)
  default_publish(err, result, ctx, config)
  if result and result.uri then
    local p = published_by[result.uri] or {}
    p.version = result.version
    p.count = (p.count or 0) + 1
    published_by[result.uri] = p
  end
end

local function read_file(path)
  local f = assert(io.open(path, 'rb'))
  local s = f:read('*a')
  f:close()
  return s
end

local function client()
  local get = vim.lsp.get_clients or vim.lsp.get_active_clients
  for _, c in pairs(get({ bufnr = buf })) do
    if c.name == 'ipf' and (vim.lsp.buf_is_attached == nil or vim.lsp.buf_is_attached(buf, c.id)) then
      return c
    end
  end
end

local function buffer_text()
  local lines = vim.api.nvim_buf_get_lines(buf, 0, -1, true)
  local text = table.concat(lines, '\n')
  if vim.bo[buf].eol then
    text = text .. '\n'
  end
  return text
end

local function version()
  return vim.lsp.util.buf_versions[buf]
end

local function wait_published()
  local ok = vim.wait(TIMEOUT, function()
    local published = published_by[uri] or {}
    return published.version ~= nil and published.version == version()
  end, 10)
  assert(ok, string.format('no diagnostics published for version %s (last: %s)', tostring(version()),
    tostring((published_by[uri] or {}).version)))
end

local function diagnostics()
  local out = {}
  for _, d in ipairs(vim.diagnostic.get(buf)) do
    local lsp = d.user_data and d.user_data.lsp or {}
    table.insert(out, {
      lnum = d.lnum,
      col = d.col,
      end_lnum = d.end_lnum,
      end_col = d.end_col,
      severity = d.severity,
      message = d.message,
      source = d.source,
      code = d.code or lsp.code,
    })
  end
  table.sort(out, function(a, b)
    if a.lnum ~= b.lnum then return a.lnum < b.lnum end
    if a.col ~= b.col then return a.col < b.col end
    return a.message < b.message
  end)
  return out
end

local function request(method, params)
  local responses, err = vim.lsp.buf_request_sync(buf, method, params, TIMEOUT)
  assert(responses, string.format('%s: %s', method, tostring(err)))
  local c = client()
  local r = responses[c.id]
  assert(r, method .. ': no response from ipf')
  assert(not r.err, method .. ': ' .. vim.inspect(r.err))
  return r.result
end

local function substitute(v)
  if v == '$uri' then
    return uri
  elseif type(v) == 'table' then
    local t = {}
    for k, x in pairs(v) do
      t[k] = substitute(x)
    end
    return t
  end
  return v
end

local ops = {}

-- The diagnostics each buffer's last diagnostics step returned.
local last_diagnostics = {}

function ops.diagnostics()
  wait_published()
  local ds = diagnostics()
  last_diagnostics[buf] = ds
  return { version = version(), diagnostics = ds }
end

function ops.diagnostics_changed()
  local before = assert(last_diagnostics[buf], 'diagnostics_changed needs an earlier diagnostics step on the buffer')
  local ds
  local ok = vim.wait(TIMEOUT, function()
    ds = diagnostics()
    return not vim.deep_equal(ds, before)
  end, 10)
  assert(ok, string.format('the diagnostics of %s did not change within %d ms (%d publishes for it so far): %s',
    uri, TIMEOUT, (published_by[uri] or {}).count or 0, vim.inspect(ds)))
  last_diagnostics[buf] = ds
  return { version = version(), diagnostics = ds }
end

function ops.state()
  return {
    buf = buf,
    changedtick = vim.api.nvim_buf_get_changedtick(buf),
    modified = vim.bo[buf].modified,
    version = version(),
    text = buffer_text(),
  }
end

function ops.hover(step)
  local res = request('textDocument/hover', {
    textDocument = { uri = uri },
    position = { line = step.line, character = step.character },
  })
  if res == nil or res == vim.NIL then
    return { value = vim.NIL }
  end
  local c = res.contents
  return { kind = c.kind, value = c.value or c }
end

-- The quick fix as a user takes it: cursor on the diagnostic, the stock
-- vim.lsp.buf.code_action() (which gathers the line's diagnostics itself),
-- and a vim.ui.select stand-in that picks the item titled `title`; Neovim
-- then applies the chosen action's edit.
function ops.code_action(step)
  assert(buf == vim.api.nvim_get_current_buf(), 'code_action works on the buffer in the window: the first document')
  wait_published()
  local line = vim.api.nvim_buf_get_lines(buf, step.line, step.line + 1, true)[1]
  local col = vim.str_byteindex(line, step.character, true)
  vim.api.nvim_win_set_cursor(0, { step.line + 1, col })
  local offered, chosen
  local select = vim.ui.select
  vim.ui.select = function(items, opts, on_choice)
    offered = {}
    local pick
    for i, item in ipairs(items) do
      local title = opts.format_item and opts.format_item(item) or tostring(item)
      table.insert(offered, title)
      if title == step.title then
        pick = i
      end
    end
    chosen = pick or false
    if pick then
      on_choice(items[pick], pick)
    else
      on_choice(nil, nil)
    end
  end
  local before = version()
  if vim.fn.has('nvim-0.8') == 1 then
    vim.lsp.buf.code_action({ context = { only = { 'quickfix' } } })
  else
    vim.lsp.buf.code_action({ only = { 'quickfix' } })
  end
  local ok = vim.wait(TIMEOUT, function() return chosen ~= nil end, 10)
  vim.ui.select = select
  assert(ok, 'no code actions offered at ' .. step.line .. ':' .. step.character)
  assert(chosen, 'no code action titled ' .. step.title .. ' among ' .. vim.inspect(offered))
  assert(vim.wait(TIMEOUT, function() return version() ~= before end, 10), 'the chosen action did not change the buffer')
  return { offered = offered, text = buffer_text() }
end

function ops.request(step)
  return { result = request(step.method, substitute(step.params)) }
end

-- An edit as typing would make it (Neovim sends it as an incremental
-- didChange); start/end are 0-based lines, end exclusive, -1 = the end.
function ops.set_lines(step)
  local before = version()
  vim.api.nvim_buf_set_lines(buf, step.start, step['end'], false, step.lines)
  assert(version() ~= before, 'set_lines did not change the buffer')
  return { text = buffer_text() }
end

function ops.text()
  return { text = buffer_text() }
end

-- Every notification the client sends (0.7 – 0.10 call client.notify(m, p),
-- 0.11 client:notify(m, p)).
local notifications = {}
local function record_notifications(c)
  local notify = c.notify
  c.notify = function(a, b, d)
    local method, params = a, b
    if a == c then
      method, params = b, d
    end
    local td = type(params) == 'table' and params.textDocument or {}
    table.insert(notifications, { method = method, uri = td.uri, version = td.version })
    return notify(a, b, d)
  end
end

-- bufs maps each document of the plan to its buffer.
local bufs = {}

local function open_docs(docs)
  bufs[vim.fn.fnamemodify(vim.api.nvim_buf_get_name(first), ':.')] = first
  for _, doc in ipairs(type(docs) == 'table' and docs or {}) do
    vim.cmd('edit ' .. vim.fn.fnameescape(doc))
    local b = vim.api.nvim_get_current_buf()
    bufs[doc] = b
    buf = b
    assert(vim.wait(TIMEOUT, function() return client() ~= nil end, 10), 'ipf did not attach to ' .. doc)
  end
  vim.cmd('buffer ' .. first)
  buf = first
end

local function run()
  local plan = vim.json.decode(read_file(plan_path))
  assert(vim.wait(TIMEOUT, function() return client() ~= nil end, 10), 'ipf did not attach to the buffer')
  assert(vim.wait(TIMEOUT, function() return client().initialized end, 10), 'ipf did not initialize')
  local c = client()
  record_notifications(c)
  open_docs(plan.docs)
  local v = vim.version()
  local out = {
    nvim = string.format('%d.%d.%d', v.major, v.minor, v.patch),
    client = { name = c.name, root_dir = c.config.root_dir, offset_encoding = c.offset_encoding },
    filetype = vim.bo[buf].filetype,
    steps = {},
  }
  for i, step in ipairs(plan.steps) do
    local fn = assert(ops[step.op], 'unknown op ' .. tostring(step.op))
    buf = first
    if step.doc then
      buf = bufs[step.doc]
      if not buf then
        out.error = string.format('step %d (%s): no buffer for %s', i, step.op, step.doc)
        break
      end
    end
    uri = vim.uri_from_bufnr(buf)
    local ok, res = pcall(fn, step)
    if not ok then
      out.error = string.format('step %d (%s): %s', i, step.op, res)
      break
    end
    res.op = step.op
    table.insert(out.steps, res)
  end
  if #notifications > 0 then -- an empty table would be encoded as {}
    out.notifications = notifications
  end
  return out
end

local ok, out = xpcall(run, debug.traceback)
if not ok then
  out = { error = out }
end
local f = assert(io.open(result_path, 'wb'))
f:write(vim.json.encode(out))
f:close()
vim.cmd('qall!')
