"""`python -m interviews.consumers`: the service's Kafka consumer process."""

from interviews.settings import Settings
from kit.kafka import Handlers, run_consumer

TOPICS: list[str] = ["analysis-events", "media-events"]
HANDLERS: Handlers = {}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)
