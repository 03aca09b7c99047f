"""Member assignments: which partner members may act for which sellers (DESIGN §2)."""
