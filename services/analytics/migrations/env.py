from analytics.settings import Settings
from kit.migrations import run_env

settings = Settings()
run_env(settings.database_url, settings.schema_name)
