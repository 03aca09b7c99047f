"""What every feature uses: errors and their handlers, problem types, the request id, strict
and JSON bodies, the direct routes, pages, URLs, rate limits, no-store. Imports no feature."""
