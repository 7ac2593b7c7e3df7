"""`python -m billing.consumers`: the service's Kafka consumer process.

It subscribes to a topic only once it handles an event from it. A consumer group that read a topic with no
handler would commit past every record on it, so the events published before its first handler would
never reach the service; an unsubscribed group starts from the oldest retained record when it first joins.
"""

from billing.settings import Settings
from kit.kafka import Handlers, run_consumer

TOPICS: list[str] = []
HANDLERS: Handlers = {}

if __name__ == "__main__":
    run_consumer(Settings(), HANDLERS, TOPICS)
