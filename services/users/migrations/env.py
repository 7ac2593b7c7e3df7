from kit.migrations import run_env
from users.settings import Settings

settings = Settings()
run_env(settings.database_url, settings.schema_name)
