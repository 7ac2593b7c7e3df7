"""A JSONB value reads back as `json` reads Postgres's text of it, whichever parser the engine uses."""

from __future__ import annotations

import json

from sqlalchemy import text
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.ext.asyncio import AsyncEngine

VALUES = [
    '{"b": 1, "a": [true, false, null, {}], "aa": "x", "a": 2}',
    '"\\u00e9\\ud83d\\ude00 \\"quoted\\" \\\\ \\n"',
    "123456789012345678901234567890",
    "9007199254740993",
    "3.141592653589793238462643383279",
    "0.30000000000000004",
    "12.50",
    "-0.0",
    "1e308",
    "1.7976931348623159e308",
    "4.9e-324",
    "1e-400",
    "[]",
    "{}",
    '""',
    "[" * 300 + "]" * 300,
    '{"a":' * 250 + "1" + "}" * 250,
]


async def test_a_jsonb_value_reads_as_json_reads_its_text_deep_nesting_included(engine: AsyncEngine) -> None:
    async with engine.connect() as conn:
        for value in VALUES:
            read = await conn.scalar(text("SELECT CAST(:v AS jsonb) AS v").columns(v=JSONB), {"v": value})
            as_text = await conn.scalar(text("SELECT CAST(:v AS jsonb)::text"), {"v": value})
            expected = json.loads(as_text)
            assert (type(read), json.dumps(read)) == (type(expected), json.dumps(expected)), value[:40]
