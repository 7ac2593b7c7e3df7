from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "gateway"
    port: int = 8001
    database_url: str = "postgresql+asyncpg://gateway:gateway-dev@127.0.0.1:5432/aivi"
