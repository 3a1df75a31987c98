"""Reading ARNs offline: the AWS ``IdScheme``. Each answer is the rule the core applies today
(queries, reports, agent scores), gathered here so the core can ask instead."""

from __future__ import annotations

import re

from nhiscan.providers.aws.statements import account_of


class ArnIds:
    """ARNs: ``arn:partition:service:region:account:resource``."""

    def owns(self, value: str, /) -> bool:
        return value.startswith("arn:")

    def scope_of(self, value: str, /) -> str | None:
        """The account id an ARN (or a bare 12-digit id) names."""
        return account_of(value)

    def service_of(self, value: str, /) -> str:
        parts = value.split(":", 3)
        return parts[2] if len(parts) > 2 and parts[0] == "arn" else "unknown"

    def container_of(self, value: str, /) -> str | None:
        """An S3 object's bucket (``arn:aws:s3:::b/key`` -> ``arn:aws:s3:::b``); None otherwise."""
        return value.split("/", 1)[0] if value.split(":")[2:3] == ["s3"] else None

    def short(self, value: str, /) -> str:
        """The resource part's last name: ``arn:aws:iam::1:role/a/b`` -> ``b``."""
        return re.split(r"[:/]", value)[-1]

    def is_broad(self, value: str, /) -> bool:
        """``*`` or a whole service (``arn:aws:s3:::*``, ``arn:aws:dynamodb:*:*:*``)."""
        if value == "*":
            return True
        fields = value.split(":", 5)
        return len(fields) == 6 and fields[5] in ("*", "*/*")
