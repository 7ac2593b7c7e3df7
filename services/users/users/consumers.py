"""`python -m users.consumers`: the service's Kafka consumer process."""

from kit.kafka import Handlers, run_consumer
from users.settings import Settings

TOPICS: list[str] = ["auth-events", "user-commands"]
HANDLERS: Handlers = {}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)
