"""An accepted recording is what everyone later reads: the upload URL binds the declared length and content
type, confirm copies the bytes to a key the client never had a URL for, and playback URLs fix how S3 serves
them."""

from __future__ import annotations

from collections.abc import AsyncIterator

from media.settings import MIB, Settings
from media.storage import Storage
from media.worker import discard_upload

from .conftest import Clips, StackFactory


async def test_a_put_to_the_old_upload_url_after_acceptance_changes_nothing_hr_streams_or_downloads(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    session = (await stack.initiate(invitation.candidate, invitation, clips.video)).json()
    headers = {"Content-Type": "video/mp4"}
    assert (await stack.s3.put(session["uploadUrl"], content=clips.video.data, headers=headers)).status_code == 200
    assert (await stack.confirm(invitation.candidate, session["mediaId"])).status_code == 200
    assert (await stack.settled(invitation.candidate, session["mediaId"]))["status"] == "ready"

    # The candidate still holds the upload URL (it is valid for minutes) and sends other bytes of the same
    # length and type, as a swap of an accepted answer would.
    swapped = (b"<html><script>alert(1)</script></html>" * len(clips.video.data))[: len(clips.video.data)]
    await stack.s3.put(session["uploadUrl"], content=swapped, headers=headers)

    stream = (await stack.client.get(f"/api/v1/media/{session['mediaId']}/stream", headers=invitation.hr)).json()
    served = await stack.s3.get(stream["url"])
    assert served.content == clips.video.data
    assert served.headers["content-type"] == "video/mp4"
    assert served.headers["content-disposition"].startswith("inline")
    download = (await stack.client.get(f"/api/v1/media/{session['mediaId']}/download", headers=invitation.hr)).json()
    downloaded = await stack.s3.get(download["url"])
    assert downloaded.content == clips.video.data
    assert downloaded.headers["content-type"] == "video/mp4"
    assert downloaded.headers["content-disposition"] == "attachment; filename=\"video.mp4\"; filename*=UTF-8''video.mp4"
    thumb = (await stack.client.get(f"/api/v1/media/{session['mediaId']}/thumbnail", headers=invitation.hr)).json()
    thumbnail = await stack.s3.get(thumb["url"])
    assert thumbnail.headers["content-type"] == "image/jpeg"
    assert thumbnail.headers["content-disposition"].startswith("inline")

    # What the stale URL wrote is cleared once the URL has expired (the job confirm deferred till then).
    upload_key = f"uploads/{invitation.invitation_id}/{invitation.question_id}/{session['mediaId']}"
    assert await storage.size(upload_key) == len(swapped)
    ctx = {"settings": stack.settings, "storage": storage, "sessions": stack.sessions}
    assert await discard_upload(ctx, session["mediaId"]) == "removed"
    assert await storage.size(upload_key) is None


async def test_an_upload_url_takes_only_the_declared_length_and_content_type(
    run_stack: StackFactory, settings: Settings, clips: Clips
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    data = clips.video.data
    session = (await stack.initiate(invitation.candidate, invitation, clips.video)).json()
    assert session["uploadHeaders"] == {"Content-Type": "video/mp4"}

    async def chunked() -> AsyncIterator[bytes]:
        yield data  # no Content-Length: sent chunked

    refused = [
        (data + b"\0", {"Content-Type": "video/mp4"}),
        (data[:-1], {"Content-Type": "video/mp4"}),
        (data, {"Content-Type": "text/html"}),
        (data, {}),
    ]
    for body, headers in refused:
        assert (await stack.s3.put(session["uploadUrl"], content=body, headers=headers)).status_code == 403, headers
    streamed = await stack.s3.put(session["uploadUrl"], content=chunked(), headers={"Content-Type": "video/mp4"})
    assert streamed.status_code == 403
    nothing = await stack.confirm(invitation.candidate, session["mediaId"])
    assert nothing.status_code == 409 and nothing.json()["code"] == "UPLOAD_INCOMPLETE"

    sent = await stack.s3.put(session["uploadUrl"], content=data, headers=session["uploadHeaders"])
    assert sent.status_code == 200


async def test_each_part_url_takes_only_its_own_part_length(
    run_stack: StackFactory, settings: Settings, clips: Clips
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    data = clips.large.data
    session = (await stack.initiate(invitation.candidate, invitation, clips.large)).json()
    first, last = session["parts"]
    assert (await stack.s3.put(first["url"], content=data[: 5 * MIB + 1])).status_code == 403
    assert (await stack.s3.put(last["url"], content=data[5 * MIB :] + b"\0" * MIB)).status_code == 403
    assert (await stack.s3.put(first["url"], content=data[: 5 * MIB])).status_code == 200
    assert (await stack.s3.put(last["url"], content=data[5 * MIB :])).status_code == 200
    confirmed = await stack.confirm(invitation.candidate, session["mediaId"])
    assert confirmed.status_code == 200 and confirmed.json()["size"] == len(data)


async def test_confirm_moves_the_bytes_to_a_key_no_upload_url_was_signed_for(
    run_stack: StackFactory, settings: Settings, clips: Clips, storage: Storage
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    session = (await stack.initiate(invitation.candidate, invitation, clips.video)).json()
    uploaded_to = await stack.scalar("SELECT object_key FROM media_objects WHERE id = :id", id=session["mediaId"])
    assert uploaded_to in session["uploadUrl"]
    await stack.s3.put(session["uploadUrl"], content=clips.video.data, headers=session["uploadHeaders"])
    assert (await stack.confirm(invitation.candidate, session["mediaId"])).status_code == 200

    kept = await stack.scalar("SELECT object_key FROM media_objects WHERE id = :id", id=session["mediaId"])
    assert kept != uploaded_to and kept not in session["uploadUrl"]
    assert await storage.size(kept) == len(clips.video.data)
    assert await storage.size(uploaded_to) is None


async def test_a_declared_content_type_that_is_no_single_header_value_is_refused(
    run_stack: StackFactory, settings: Settings, clips: Clips
) -> None:
    stack = await run_stack(settings)
    invitation = await stack.invitation()
    for content_type in ("video/mp4\r\nX-Amz-Acl: public-read", "video/mp4;\tcodecs=x", "video/mp4 ; x"):
        response = await stack.initiate(invitation.candidate, invitation, clips.video, contentType=content_type)
        assert response.status_code == 422, content_type
        assert [d["field"] for d in response.json()["details"]] == ["contentType"]
    recorder = await stack.initiate(
        invitation.candidate, invitation, clips.video, contentType='video/webm; codecs="vp8, opus"', fileName="a.webm"
    )
    assert recorder.status_code == 201
    assert recorder.json()["uploadHeaders"] == {"Content-Type": 'video/webm; codecs="vp8, opus"'}
