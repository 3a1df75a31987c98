"""Azure and Entra ID (#15)."""
