"""Service proposals (seed 002, US L2L and US CB): a partner offers a service to a named seller,
who accepts (a consent) or declines (docs/proposals.md)."""
