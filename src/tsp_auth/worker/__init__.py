"""The worker: delivers the webhook outbox, sweeps grant expiries and cleans up, on a schedule
(``schedule``), as the process `tsp-auth worker|sweep|cleanup` run (``process``). It sits at
the top, beside ``app``: it runs the work of several features and no feature imports it."""
