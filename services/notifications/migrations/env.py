import notifications.domain  # noqa: F401  (the models, for autogenerate)
from kit.migrations import run_env
from notifications.settings import Settings

settings = Settings()
run_env(settings.database_url, settings.schema_name)
