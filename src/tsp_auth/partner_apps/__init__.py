"""Partner authorization (seed 004): a TAP partner authorizes an app (docs/partner-apps.md)."""
