"""TSP Access: one-click login of a partner member into a seller's console (seed 000)."""
