"""Agents as policy: agent files (``agents.yaml``) are loaded, compiled into the exact access
each agent needs (its plan), and compared with what its identities are granted (``gaps.py``).

- ``vocabulary.py``: the verbs; ``language.py``: what each provider's vocabulary answers (its
  ``defaults`` section, resource schemes and ids, what each verb needs, the least-privilege
  documents) and the registered ones (``Vocabularies``), which the orchestration passes in.
- ``english/``: plain-English steps, read with a documented lexicon; never a guess.
- ``loader.py``: YAML with file:line errors; ``schema.py``: the published JSON Schema.
- ``compiler.py``: agent → needs (through each provider's defaults); ``plan.py``: the plan file
  (with each provider's least-privilege documents) and the difference between two plans;
  ``claims.py``: which identities each agent runs as.
"""
