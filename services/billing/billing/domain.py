"""The billing domain: aggregates (ORM-mapped), value objects, status enums and domain errors.

Nothing yet: the service owns no data beyond its outbox and processed_messages. Its first aggregate comes
with the migration that creates its table and the command that records its events.
"""
