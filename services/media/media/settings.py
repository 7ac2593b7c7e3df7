from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "media"
    port: int = 8004
    database_url: str = "postgresql+asyncpg://media:media-dev@127.0.0.1:5432/aivi"
