-- wrk script: GET each path of $TILE_PATHS (one per line) in turn (docs/PERFORMANCE.md, "Serving").
paths = {}
for line in io.lines(os.getenv("TILE_PATHS")) do paths[#paths + 1] = line end
i = 0
request = function()
  i = i % #paths + 1
  return wrk.format("GET", paths[i])
end
