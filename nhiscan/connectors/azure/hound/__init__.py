"""The AzureHound reader: ``--azure-hound FILE``, an AzureHound JSON output file."""
