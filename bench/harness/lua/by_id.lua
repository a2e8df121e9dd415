-- Requests on /<prefix>/<id>, cycling through the ids in a file (one per line).
-- args: METHOD PREFIX IDS_FILE [once]
--   GET and DELETE send no body; PUT sends {"qty": n} with n counting up.
--   "once" sends each id a single time, then an id that does not exist (a 404 that wrk
--   counts under "Non-2xx"), so that a delete never hits the same row twice.
local method, prefix, once
local ids = {}
local i = 0
local missing = "00000000-0000-7000-8000-000000000000"

function init(args)
  method, prefix, once = args[1], args[2], args[4] == "once"
  for line in io.lines(args[3]) do
    if #line > 0 then ids[#ids + 1] = line end
  end
  if method == "PUT" then wrk.headers["Content-Type"] = "application/json" end
end

function request()
  i = i + 1
  local id
  if once then
    id = ids[i] or missing
  else
    id = ids[(i - 1) % #ids + 1]
  end
  local body = nil
  if method == "PUT" then body = string.format('{"qty": %d}', i % 1000) end
  return wrk.format(method, prefix .. "/" .. id, nil, body)
end
