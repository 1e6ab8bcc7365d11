-- Graded submissions for bench/load.py (wrk -t1; one Lua state).
--
-- args: plan file, acknowledgements file, run id, attempts per exercise.
-- Each plan line is one (learner, exercise) pair, tab-separated:
--   path, auth header name, auth header value, content type,
--   body before the token for a wrong answer, the same for the right answer, body after it.
-- Request k answers pair k mod #plan: the first passes over the plan give wrong answers,
-- the last pass the right one, so no learner runs out of attempts or has passed already.
-- Every request carries a new submission token. Each acknowledged submission is written
-- to the acknowledgements file: the attempt's id (JSON API) or its status (form).

local plan, made, attempts, run, acks = {}, 0, 3, "", nil

function init(args)
  for line in io.lines(args[1]) do
    local fields = {}
    for value in string.gmatch(line, "[^\t]+") do
      fields[#fields + 1] = value
    end
    plan[#plan + 1] = fields
  end
  acks = io.open(args[2], "w")
  acks:setvbuf("line")
  run = args[3]
  attempts = tonumber(args[4])
end

function request()
  local pass = math.floor(made / #plan)
  local pair = plan[(made % #plan) + 1]
  made = made + 1
  if pass >= attempts then
    -- The plan is used up: answered 404, so the run is reported and discarded.
    return wrk.format("GET", "/bench-plan-exhausted")
  end
  local before = pass < attempts - 1 and pair[5] or pair[6]
  local headers = { ["Content-Type"] = pair[4], [pair[2]] = pair[3] }
  return wrk.format("POST", pair[1], headers, before .. run .. "-" .. made .. pair[7])
end

function response(status, headers, body)
  if status == 201 then
    acks:write(string.match(body, '"id":"([^"]+)"') or "?", "\n")
  elseif status == 303 then
    acks:write("303\n")
  end
end
