"""The offline GCP connector: Cloud Asset Inventory exports and IAM policy search results."""
