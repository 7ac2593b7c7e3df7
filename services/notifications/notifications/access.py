"""Who may touch which notification: functions comparing the caller with a loaded resource, raising the
domain's `Forbidden`/`NotFound` subclasses. Nothing yet, as there is no resource to guard."""
