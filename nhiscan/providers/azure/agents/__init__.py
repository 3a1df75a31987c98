"""Azure's agent-file vocabulary (``AzureAgentVocabulary``, ``vocabulary.py``; ``VOCABULARY``
for the provider): the ``azure:`` defaults (``defaults.py``), the resource schemes and the ARM
ids they stand for (``schemes.py``, ``uri.py``), the verb-by-kind table (``verbs.py``), the
custom role, role assignments and ``az`` commands that grant exactly an agent's needs
(``render.py``), and what an identity is granted against what it needs (``gaps.py``)."""

from nhiscan.providers.azure.agents.vocabulary import VOCABULARY, AzureAgentVocabulary

__all__ = ["VOCABULARY", "AzureAgentVocabulary"]
