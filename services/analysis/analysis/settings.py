from pydantic import AliasChoices, Field, SecretStr

from kit.settings import ServiceSettings


class Settings(ServiceSettings):
    service_name: str = "analysis"
    port: int = 8005
    database_url: str = "postgresql+asyncpg://analysis:analysis-dev@127.0.0.1:5432/aivi"

    # Without a key the transparent offline scorer runs and every result says `engine: "offline"`.
    # GROQ_API_KEY / GROQ_MODEL are the reference's names for the same settings.
    llm_api_key: SecretStr = Field(SecretStr(""), validation_alias=AliasChoices("llm_api_key", "groq_api_key"))
    # Groq by default; any OpenAI-compatible server (vLLM, Ollama) by base URL and chat path.
    llm_base_url: str = "https://api.groq.com"
    llm_chat_path: str = "/openai/v1/chat/completions"
    llm_model: str = Field("llama-3.3-70b-versatile", validation_alias=AliasChoices("llm_model", "groq_model"))
    llm_temperature: float = 0.3
    llm_max_tokens: int = 1024
    llm_timeout_s: float = 60.0
    # The provider's limits (Groq free tier: 30 requests and 6,000-12,000 tokens per minute).
    llm_requests_per_minute: int = 30
    llm_tokens_per_minute: int = 12_000
    llm_max_concurrency: int = 8
    # Attempts per call for invalid JSON and transient errors; 429s are retried separately.
    llm_max_attempts: int = 3
    llm_max_rate_limit_retries: int = 5
    llm_max_retry_after_s: float = 120.0
    prompt_version: str = "v1"

    analysis_timeout_s: float = 1800.0
    # A `pending` analysis older than this is enqueued again (its first job was lost with Redis).
    stale_pending_s: float = 120.0
    # How long an interview with recorded answers waits for their transcripts; after that the sweep runs it
    # and the recordings still without one are not analysable (as if transcription were unavailable).
    transcript_wait_s: float = 3600.0

    @property
    def llm_enabled(self) -> bool:
        return bool(self.llm_api_key.get_secret_value())
