-- POST a small new document to PATH on every request.
-- args: PATH
local path
local i = 0

function init(args)
  path = args[1]
  wrk.headers["Content-Type"] = "application/json"
end

function request()
  i = i + 1
  local body = string.format(
    '{"title": "Bench item %d", "status": "open", "qty": %d, "amount": %d.5}', i, i % 100, i % 50
  )
  return wrk.format("POST", path, nil, body)
end
