"""Demo data for `tsp-auth demo` (`make run`): ``load`` writes it, one module per flow."""
