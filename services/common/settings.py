"""Runtime settings, read from the environment with the DRAFTCTL_ prefix.

With no settings at all draftctl runs embedded: SQLite (WAL) and the blob
store under ./data, jobs on an in-process thread pool.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="DRAFTCTL_", env_file=None, extra="ignore")

    data_dir: Path = Field(default=Path("data"), description="originals (blobs/) and the embedded database")
    database_url: str | None = Field(default=None, description="SQLAlchemy URL; default sqlite under data_dir")
    broker_url: str | None = Field(default=None, description="Celery broker; unset means the in-process runner")
    max_upload_bytes: int = 20 * 1024 * 1024
    max_unzipped_bytes: int = 200 * 1024 * 1024
    max_zip_ratio: int = 200
    convert_time_limit: float = Field(default=60, description="seconds LibreOffice may take to convert a .doc/.odt")
    ocr_max_pages: int = Field(default=30, description="scanned pages one document may have for OCR")
    ocr_time_limit: float = Field(default=240, description="seconds the OCR of one document may take")
    runner_threads: int = 2
    task_time_limit: int = Field(default=300, description="hard limit of one task, seconds (soft: 80%)")
    scan_chunk_size: int = Field(default=10, description="documents per scan task when the scan fans out over workers")
    scan_lock_stale_hours: float = Field(default=12, description="a scan lock older than this is taken over")
    demo_data: bool = False
    merge_embeddings: bool = Field(default=True, description="document embeddings (e5) as a merge-candidate signal")
    cache_dir: Path = Field(default_factory=lambda: Path.home() / ".cache" / "draftctl")
    session_secret: str | None = Field(default=None, description="signs the web session cookie; default: a "
                                       "random secret kept in data_dir/session-secret")
    session_hours: float = Field(default=8, description="a web session lasts this long")
    index_shards: int = Field(default=1, ge=1, le=64, description="shards the directive registry is split into; "
                              "above 1, analyzer workers serve one shard each (DRAFTCTL_INDEX_SHARD) and a check "
                              "fans out over them")
    index_shard: str = Field(default="", description="the shards this analyzer worker serves when the registry "
                             "is split: comma-separated numbers from 0 (e.g. 0 or 0,1)")
    index_snapshot: Path | None = Field(default=None, description="a directive index snapshot (draftctl index "
                                        "snapshot) that workers memory-map instead of loading every entry")
    phrase_model: Path | None = Field(default=None, description="common-phrase model (draftctl model build); "
                                      "default: the bundled models/phrases.npz")

    @field_validator("index_shard")
    @classmethod
    def _shard_numbers(cls, value: str) -> str:
        parts = [p.strip() for p in value.split(",") if p.strip()]
        if not all(p.isdigit() for p in parts):
            raise ValueError(f"DRAFTCTL_INDEX_SHARD must be comma-separated shard numbers, not {value!r}")
        return ",".join(parts)

    @model_validator(mode="after")
    def _shards_exist(self) -> "Settings":
        wrong = [k for k in self.served_shards if k >= self.index_shards]
        if wrong:
            raise ValueError(f"DRAFTCTL_INDEX_SHARD names shard {wrong[0]}, but the registry has "
                             f"{self.index_shards} (DRAFTCTL_INDEX_SHARDS), numbered from 0")
        return self

    @property
    def served_shards(self) -> list[int]:
        """The shards of a split registry this worker serves."""
        return [int(p) for p in self.index_shard.split(",") if p]

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{(self.data_dir / 'draftctl.db').resolve()}"

    @property
    def archive_dir(self) -> Path:
        """Files dropped here are imported as issued documents by the archive scan."""
        return self.data_dir / "archive"

    @property
    def blob_dir(self) -> Path:
        return self.data_dir / "blobs"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
