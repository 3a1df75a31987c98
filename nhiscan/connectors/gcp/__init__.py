"""GCP connectors: ``offline/`` reads Cloud Asset Inventory exports (``--gcp-assets``)."""
