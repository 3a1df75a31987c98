"""The GCP provider: IAM allow and deny policies over the resource hierarchy, the predefined
roles catalogue, service-account impersonation and escalation methods (docs/providers.md)."""
