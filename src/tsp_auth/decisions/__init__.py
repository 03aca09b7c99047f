"""The decision API: may this console session do action X on shop Y? (DESIGN §3)."""
