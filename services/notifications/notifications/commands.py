"""Write handlers: `async def name(session, id, cmd, *, caller, now)`, called by the api and the consumers
inside their transaction; they load aggregates, check `access` and call the domain. None yet."""
