"""AWS's agent-file vocabulary (``AwsAgentVocabulary``, ``vocabulary.py``): the ``aws:``
defaults, the resource schemes and their ARN templates (``schemes.py``), the verb-by-scheme
table (``verbs.py``), references and ARNs (``uri.py``), and the IAM policy and trust policy
documents that grant exactly an agent's needs (``render.py``)."""
