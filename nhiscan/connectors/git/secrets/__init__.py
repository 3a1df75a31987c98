"""Secret detection: detect-secrets' plugins and filters, nhiscan's detectors for the
credentials of non-human identities, and a fast engine in front of both.

Pure: bytes and a path in, matches out. Reading files and git objects is the git connector's
job (``connectors/git``); turning a match into an ``Exposure`` record is ``exposure.py``.
A ``Match`` holds the secret in memory only; nothing here writes it anywhere.
"""
