"""The seller's consent: `/open/authorize`, then the consent request decided by the seller."""
