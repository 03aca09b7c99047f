"""Authorization links a partner sends to sellers (seed 001/002/004)."""
