-- Drive the ChameleonAPI language server from headless Neovim 0.7 (a second real LSP client).
-- Run: nvim --headless -u NONE -c 'luafile nvim_lsp_session.lua'
-- Inputs (environment): CHAMELEON_PY (python), CHAMELEON_WS (workspace), CHAMELEON_FILE (file to open),
-- CHAMELEON_HOVER_LINE / CHAMELEON_HOVER_COL (0-based), CHAMELEON_OUT (JSON results written here).
local py = os.getenv("CHAMELEON_PY")
local ws = os.getenv("CHAMELEON_WS")
local file = os.getenv("CHAMELEON_FILE")
local out_path = os.getenv("CHAMELEON_OUT")
local hover_line = tonumber(os.getenv("CHAMELEON_HOVER_LINE"))
local hover_col = tonumber(os.getenv("CHAMELEON_HOVER_COL"))
local results = { steps = {} }

local function step(name) table.insert(results.steps, name) end

local function finish()
  local f = io.open(out_path, "w")
  f:write(vim.fn.json_encode(results))
  f:close()
  vim.cmd("qa!")
end

job_events = {}
progress_values = {}

local ok, err = pcall(function()
  local diagnostics = {}
  local client_id = vim.lsp.start_client({
    name = "chameleon",
    cmd = { py, "-m", "chameleon_server", "lsp", "--stdio" },
    root_dir = ws,
    init_options = { chameleon = { jobOptions = { tiny = true } } },
    handlers = {
      ["textDocument/publishDiagnostics"] = function(_, result)
        diagnostics[result.uri] = result.diagnostics
      end,
      ["chameleon/jobProgress"] = function(_, result)
        table.insert(job_events, result)
      end,
      ["$/progress"] = function(_, result)
        table.insert(progress_values, result.value)
      end,
    },
  })
  results.client_id = client_id
  step("started")
  vim.cmd("edit " .. vim.fn.fnameescape(file))
  local bufnr = vim.api.nvim_get_current_buf()
  vim.bo[bufnr].filetype = "python"
  vim.lsp.buf_attach_client(bufnr, client_id)
  local inited = vim.wait(20000, function()
    local c = vim.lsp.get_client_by_id(client_id)
    return c ~= nil and c.initialized == true
  end, 50)
  results.initialized = inited
  step("initialized")
  local uri = vim.uri_from_bufnr(bufnr)
  results.uri = uri
  results.got_diagnostics = vim.wait(10000, function() return diagnostics[uri] ~= nil end, 50)
  results.diagnostics = diagnostics[uri] or {}
  step("diagnostics")

  local function request(method, params)
    local resp = vim.lsp.buf_request_sync(bufnr, method, params, 10000)
    if resp == nil or resp[client_id] == nil then return nil end
    return resp[client_id].result
  end

  results.hover = request("textDocument/hover", {
    textDocument = { uri = uri }, position = { line = hover_line, character = hover_col },
  })
  step("hover")
  results.code_lens = request("textDocument/codeLens", { textDocument = { uri = uri } })
  step("codeLens")
  results.code_actions = request("textDocument/codeAction", {
    textDocument = { uri = uri },
    range = { start = { line = hover_line, character = 0 }, ["end"] = { line = hover_line, character = 0 } },
    context = { diagnostics = {} },
  })
  step("codeAction")
  -- an edit: the server re-analyses (debounced) and hover still answers from the new text
  vim.api.nvim_buf_set_lines(bufnr, 0, 0, false, { "# an inserted comment line" })
  results.hover_after_edit = request("textDocument/hover", {
    textDocument = { uri = uri }, position = { line = hover_line + 1, character = hover_col },
  })
  step("hoverAfterEdit")
  if os.getenv("CHAMELEON_CUSTOMIZE") == "1" then
    -- "Customize this API" from Neovim: the embedded trainer service, $/progress, jobProgress
    local lens = nil
    local now = request("textDocument/codeLens", { textDocument = { uri = uri } }) or {}
    for _, l in ipairs(now) do
      if l.command and l.command.command == "chameleon.customize" then lens = l end
    end
    results.customize_line = lens.command.arguments[1].line
    results.customize = request("workspace/executeCommand", {
      command = lens.command.command, arguments = lens.command.arguments,
    })
    step("customize")
    results.job_ended = vim.wait(240000, function()
      for _, e in ipairs(job_events) do
        if e.state == "succeeded" or e.state == "failed" or e.state == "cancelled" then return true end
      end
      return false
    end, 200)
    results.job_events = job_events
    results.progress = progress_values
    results.code_lens_after = request("textDocument/codeLens", { textDocument = { uri = uri } })
    step("customized")
  end
  results.server_info = request("workspace/executeCommand", { command = "chameleon.serverInfo", arguments = {} })
  step("serverInfo")
  local client = vim.lsp.get_client_by_id(client_id)
  client.stop()
  results.stopped = vim.wait(10000, function() return client.is_stopped() end, 50)
  step("stopped")
end)
results.ok = ok
if not ok then results.error = tostring(err) end
finish()
