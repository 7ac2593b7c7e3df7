from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "interviews"
    port: int = 8003
    database_url: str = "postgresql+asyncpg://interviews:interviews-dev@127.0.0.1:5432/aivi"
