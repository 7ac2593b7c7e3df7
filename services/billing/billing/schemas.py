"""The service's wire models: request bodies (`kit.schemas.Command`) and responses (`kit.schemas.View`).
None yet: the api serves no route of its own."""
