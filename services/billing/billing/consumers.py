"""`python -m billing.consumers`: the service's Kafka consumer process."""

from billing.settings import Settings
from kit.kafka import Handlers, run_consumer

TOPICS: list[str] = ["user-events", "interview-events", "analysis-events"]
HANDLERS: Handlers = {}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)
