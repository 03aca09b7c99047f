"""Every role's pages on the one ``web/`` base (issue 22): TSP Access for a partner's staff,
My Service for a seller, the home page per role. Each page is a client of the same services
as the JSON API: it reads and decides through them, never through SQL or rules of its own.
"""
