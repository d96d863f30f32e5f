"""Skolkvalitet: systematic quality work for Swedish school organisers."""

__version__ = "0.1.0"

# What the product writes (the SQLite database, uploads, documents, keys, backups) is for its
# own user only: files 0600, directories 0700. Set by the two entry points, the `skolkvalitet`
# command (cli.py) and the web server's WSGI application (config/wsgi.py); docs/security.md.
PRIVATE_UMASK = 0o077
