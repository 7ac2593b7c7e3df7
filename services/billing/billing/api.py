"""HTTP routes: each declares the roles it needs, opens the transaction, calls one handler and answers with a
view built after COMMIT. No route yet; the router is mounted so that the first one needs no wiring."""

from fastapi import APIRouter

router = APIRouter(prefix="/api")
