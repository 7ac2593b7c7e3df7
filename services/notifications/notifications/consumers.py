"""`python -m notifications.consumers`: the service's Kafka consumer process."""

from kit.kafka import Handlers, run_consumer
from notifications.settings import Settings

TOPICS: list[str] = ["user-events", "interview-events", "analysis-events", "billing-events"]
HANDLERS: Handlers = {}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)
