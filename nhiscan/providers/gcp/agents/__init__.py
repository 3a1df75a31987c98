"""GCP's agent-file vocabulary (``GcpAgentVocabulary``, ``vocabulary.py``): the ``gcp:``
defaults (``defaults.py``), the resource schemes and the full resource names they stand for
(``uri.py``), the verb-by-kind table (``verbs.py``), and the custom role, bindings and ``gcloud``
commands that grant exactly an agent's needs (``render.py``)."""
