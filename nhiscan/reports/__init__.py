"""Reporters: one module per output format, chosen through ``Format``."""
