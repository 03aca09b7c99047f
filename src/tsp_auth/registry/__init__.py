"""Partners, their members and services, sellers and their accounts (DESIGN §2)."""
