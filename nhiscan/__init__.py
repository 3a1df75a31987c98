"""nhiscan: inventory of non-human identities, their reach, and the gap to what agents need."""

__version__ = "0.1.0"
