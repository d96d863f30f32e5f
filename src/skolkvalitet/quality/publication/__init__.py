"""The public pages (/offentlig/): what the organiser publishes and how it is read."""
