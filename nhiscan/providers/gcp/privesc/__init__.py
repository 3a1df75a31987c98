"""GCP privilege escalation: the method table (``methods.py``) and the engine that asks the
authorizer each method's permissions (``engine.py``)."""
