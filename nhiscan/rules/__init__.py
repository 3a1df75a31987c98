"""The neutral rules, a module each. The registry of those that run is ``registry.CORE_RULES``:
importing one rule (or the thresholds the configuration reads) does not import them all."""
