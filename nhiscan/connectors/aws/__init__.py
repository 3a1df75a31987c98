"""The AWS connectors: live through boto3 (``live.AwsConnector``) and offline from an
``aws iam get-account-authorization-details`` export (``gaad_file.GaadFileConnector``).

Both share the pure ``to_*`` transforms in ``gaad.py``; ``calls.py`` turns a refused or failing
call into a ``CollectionGap``; ``permissions.py`` lists the read-only actions the live
connector needs.
"""
