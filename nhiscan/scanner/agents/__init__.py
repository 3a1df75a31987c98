"""Agents as policy: agent files (``agents.yaml``) are loaded, compiled into the exact access
each agent needs (its plan), and compared with what its identities are granted (``gaps.py``).

- ``verbs.py``: the vocabulary (verbs) and the verb-by-scheme table: what each verb needs on each
  kind of resource, as data with a meta-test.
- ``uri.py``: resource references (``s3://bucket/key*``, ``dynamodb://table``, ARNs).
- ``english/``: plain-English steps, read with a documented lexicon; never a guess.
- ``loader.py``: YAML with file:line errors; ``schema.py``: the published JSON Schema.
- ``compiler.py``: agent → needs; ``render.py``: least-privilege policies; ``plan.py``: the
  plan file and the difference between two plans; ``claims.py``: which identities each agent
  runs as.
"""
