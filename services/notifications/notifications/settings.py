"""The notifications service's settings: the kit's, with its name, port and database defaults."""

from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "notifications"
    port: int = 8006
    database_url: str = "postgresql+asyncpg://notifications:notifications-dev@127.0.0.1:5432/aivi"
