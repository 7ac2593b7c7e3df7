"""`python -m media.consumers`: the service's Kafka consumer process."""

from kit.kafka import Handlers, run_consumer
from media.settings import Settings

TOPICS: list[str] = ["interview-events"]
HANDLERS: Handlers = {}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)
