"""The stand-ins serve their API over real HTTP on 127.0.0.1 on a port of their own, until stopped."""

from __future__ import annotations

import httpx
import pytest

from standins.llm import CHAT_PATH, LlmStandIn
from standins.transcription import TRANSCRIPTIONS_PATH, WhisperStandIn


async def test_two_stand_ins_run_side_by_side_on_free_ports_and_release_them_when_stopped() -> None:
    llm, whisper = LlmStandIn(), WhisperStandIn(failing=True)
    await llm.start()
    await whisper.start()
    try:
        assert llm.port != whisper.port
        async with httpx.AsyncClient() as client:
            chat = await client.post(
                llm.base_url + CHAT_PATH,
                json={"model": "m", "messages": [{"content": "overall assessment"}, {"content": "answers"}]},
            )
            heard = await client.post(
                whisper.base_url + TRANSCRIPTIONS_PATH, files={"file": ("a.ogg", b"not audio")}, data={"model": "m"}
            )
    finally:
        await whisper.stop()
        await llm.stop()
    assert chat.status_code == 200
    assert chat.json()["choices"][0]["message"]["content"].startswith('{"summary"')
    assert heard.status_code == 500
    assert whisper.requests[0].file_size == len(b"not audio")
    async with httpx.AsyncClient() as client:
        with pytest.raises(httpx.ConnectError):
            await client.post(llm.base_url + CHAT_PATH)
