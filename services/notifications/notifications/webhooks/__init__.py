"""Outgoing webhooks for applicant-tracking systems: a company's endpoints, the signed deliveries of the
events they subscribed to, retried with backoff and logged. Laid out like a service: `domain`, `access`,
`schemas`, `commands`, `queries`, `api`, the worker's `jobs`, and `delivery` (the receivers' side)."""
