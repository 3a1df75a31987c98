"""Azure and Entra ID privilege escalation: the method table (``methods.py``) and the engine that
asks the authorizer each method's actions (``engine.py``)."""
