from django.apps import AppConfig


class ConfigConfig(AppConfig):
    """Holds the project-wide system checks (checks.py)."""

    name = "skolkvalitet.config"
    label = "config"

    def ready(self) -> None:
        from skolkvalitet.config import checks  # noqa: F401  (registers the checks)
