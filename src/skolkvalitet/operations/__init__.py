"""The operator's care of an installation: backup and restore of the database, retention
(gallring) of pupil-level data and rotation of the pseudonym key (docs/operations.md)."""
