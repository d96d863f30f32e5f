"""Two-factor login with TOTP (django-otp): set-up, the code step after logging in, recovery
codes, and the organisers' policy that makes it mandatory for roles with pupil access
(docs/security.md, "Two-factor login")."""
