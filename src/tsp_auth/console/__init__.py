"""The local seller console: the relying party a TSP Access login token is for, served only in
development (``TSP_AUTH_LOCAL_CONSOLE``) so one-click login can be clicked through on one
machine (seed 000 step 2). It is also the reference integration of a seller console
(docs/tsp-access.md, "The local console"): it redeems the login token on a browser profile,
keeps the session token in a cookie, and asks for a decision before every action.
"""
