"""A toy cloud: a provider and a connector the core has never heard of, registered by tests
only (``conftest.py``), to show that a new cloud needs no core change (DESIGN.md, "Seams")."""
