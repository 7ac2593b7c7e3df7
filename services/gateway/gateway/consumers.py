"""`python -m gateway.consumers`: the service's Kafka consumer process."""

from gateway.settings import Settings
from kit.kafka import Handlers, run_consumer

TOPICS: list[str] = []
HANDLERS: Handlers = {}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)
