from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "users"
    port: int = 8002
    database_url: str = "postgresql+asyncpg://users:users-dev@127.0.0.1:5432/aivi"
