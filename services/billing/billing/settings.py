"""The billing service's settings: the kit's, with its name, port and database defaults."""

from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "billing"
    port: int = 8007
    database_url: str = "postgresql+asyncpg://billing:billing-dev@127.0.0.1:5432/aivi"
