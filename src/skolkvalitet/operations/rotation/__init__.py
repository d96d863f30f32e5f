"""Rotation of the pseudonym key: actions.py (docs/security.md, "Rotating the pseudonym key")."""
