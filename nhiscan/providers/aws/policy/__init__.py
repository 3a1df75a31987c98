"""IAM policy evaluation: AWS's documented logic, exactly, from the snapshot alone.

- :class:`EstateAuthorizer` implements :class:`nhiscan.scanner.authz.Authorizer` over an
  estate: ``evaluate``, ``is_admin``, ``trust_admits_service``, ``allowed_actions``.
- ``evaluate.py`` holds the combining rules (identity, groups, boundary, SCPs, resource and
  trust policies, same and cross account); ``admin.py`` the definition of an administrator;
  ``conditions.py`` the operators; ``context.py`` which condition keys the snapshot knows;
  ``principals.py`` Principal/NotPrincipal; ``matching.py`` globs, ARNs, policy variables;
  ``compiled.py`` compiles each distinct document once.
"""

from nhiscan.providers.aws.policy.authorizer import EstateAuthorizer
from nhiscan.providers.aws.policy.compiled import CompiledDocument, PolicyCompiler, compile_document
from nhiscan.providers.aws.policy.matching import Tri

__all__ = ["CompiledDocument", "EstateAuthorizer", "PolicyCompiler", "Tri", "compile_document"]
