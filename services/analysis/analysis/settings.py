from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "analysis"
    port: int = 8005
    database_url: str = "postgresql+asyncpg://analysis:analysis-dev@127.0.0.1:5432/aivi"
