"""Configuration in one place.

Every setting has a documented default and can be overridden by an environment variable.
Secrets (the pseudonymization key) live in git-ignored files or the environment, never in code.
The table of settings is rendered into docs/configuration.md and checked by a test.
"""

from __future__ import annotations

import os
import secrets
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Setting:
    env: str
    default: str
    doc: str


SETTINGS: dict[str, Setting] = {
    "db_path": Setting(
        "EDUSIGHT_DB",
        "data/edusight.duckdb",
        "The analytics database the app reads and the ETL builds.",
    ),
    "raw_dir": Setting(
        "EDUSIGHT_RAW",
        "data/raw",
        "Folder of source exports that `make run` generates and builds from.",
    ),
    "reference_dir": Setting(
        "EDUSIGHT_REFERENCE",
        "data/reference",
        "Editable reference data (units, targets, catalogues).",
    ),
    "geo_dir": Setting("EDUSIGHT_GEO", "data/geo", "Boundaries (WGS-84 GeoJSON) and zone pins."),
    "pseudo_key_file": Setting(
        "EDUSIGHT_PSEUDO_KEY_FILE",
        ".secrets/pseudo.key",
        "File holding the pseudonymization key; created with a random key on first build.",
    ),
    "pseudo_key": Setting(
        "EDUSIGHT_PSEUDO_KEY",
        "",
        "The pseudonymization key itself (overrides the file). Keep it secret: it links pseudonyms to people.",
    ),
    "build_memory": Setting(
        "EDUSIGHT_BUILD_MEMORY",
        "500MB",
        "Memory the build's database engine may hold; beyond it, work spills to a temporary "
        "folder beside the database. Keeps `python -m etl build` near 1 GB at any scale.",
    ),
    "landing_dir": Setting(
        "EDUSIGHT_LANDING",
        "data/landing",
        "Where accepted live exam events land (Parquet batches), with the drop folder "
        "`inbox/`, the `rejected/` audit log and the simulation clock (docs/exam-feed.md).",
    ),
    "feed_host": Setting(
        "EDUSIGHT_FEED_HOST",
        "127.0.0.1",
        "Address `python -m etl feed serve` listens on (this machine only by default).",
    ),
    "feed_port": Setting("EDUSIGHT_FEED_PORT", "8765", "Port of the exam feed endpoint."),
    "feed_secret": Setting(
        "EDUSIGHT_FEED_SECRET",
        "",
        "Secret the per-site feed tokens are derived from (overrides the file). Changing it "
        "revokes every token.",
    ),
    "feed_secret_file": Setting(
        "EDUSIGHT_FEED_SECRET_FILE",
        ".secrets/feed.key",
        "File holding the feed secret; created with a random secret on first use.",
    ),
    "feed_max_body_bytes": Setting(
        "EDUSIGHT_FEED_MAX_BODY_BYTES",
        "1048576",
        "Largest request body the feed endpoint reads (413 beyond).",
    ),
    "feed_max_events": Setting(
        "EDUSIGHT_FEED_MAX_EVENTS", "2000", "Most events in one request (413 beyond)."
    ),
    "feed_max_file_bytes": Setting(
        "EDUSIGHT_FEED_MAX_FILE_BYTES",
        "67108864",
        "Largest drop-folder batch file (larger files go to `inbox/failed/`).",
    ),
    "feed_compact_files": Setting(
        "EDUSIGHT_FEED_COMPACT_FILES",
        "8",
        "The feed server merges landing files once this many small ones have accumulated.",
    ),
    "exam_refresh_s": Setting(
        "EDUSIGHT_EXAM_REFRESH_S", "5", "Seconds between refreshes of the exam command screen."
    ),
    "exam_site_silent_s": Setting(
        "EDUSIGHT_EXAM_SITE_SILENT_S",
        "120",
        "A site that has sent nothing for this many seconds shows as 数据中断 (data interrupted).",
    ),
    "exam_feed_silent_s": Setting(
        "EDUSIGHT_EXAM_FEED_SILENT_S",
        "60",
        "When no event at all has arrived for this many seconds, the exam screen shows a red "
        "feed-stopped banner.",
    ),
    "exam_device_silent_s": Setting(
        "EDUSIGHT_EXAM_DEVICE_SILENT_S",
        "180",
        "A device without a heartbeat for this many seconds counts as offline.",
    ),
    "exam_route_deviation_m": Setting(
        "EDUSIGHT_EXAM_ROUTE_DEVIATION_M",
        "500",
        "A paper-transport vehicle whose GPS position is farther than this many metres from its "
        "planned path raises a route-deviation alarm on the exam screen.",
    ),
    "audit_log": Setting(
        "EDUSIGHT_AUDIT_LOG",
        "data/audit/audit.jsonl",
        "Append-only audit log (logins, failed logins, exports, explorer queries).",
    ),
    "users_file": Setting(
        "EDUSIGHT_USERS_FILE",
        ".secrets/users.toml",
        "Local accounts (role, unit, salted bcrypt hash), managed with `python -m edusight.auth`. "
        "Once this file exists (or SSO is configured in `.streamlit/secrets.toml` [auth]), "
        "everyone must sign in; without it the app runs in demo mode on 127.0.0.1 only.",
    ),
    "session_minutes": Setting(
        "EDUSIGHT_SESSION_MINUTES",
        "60",
        "Minutes without activity after which a signed-in session expires.",
    ),
    "login_state": Setting(
        "EDUSIGHT_LOGIN_STATE",
        "data/audit/login_state.json",
        "Failed sign-in counters per account, behind the exponential back-off.",
    ),
    "explorer_timeout_s": Setting(
        "EDUSIGHT_EXPLORER_TIMEOUT_S",
        "10",
        "Seconds an SQL explorer query may run before it is interrupted.",
    ),
    "explorer_row_limit": Setting(
        "EDUSIGHT_EXPLORER_ROW_LIMIT",
        "5000",
        "Most rows an SQL explorer query returns (and exports).",
    ),
    "demo_scale": Setting(
        "EDUSIGHT_DEMO_SCALE", "1", "Scale of the generated demo data (1 = Chengdu 2021)."
    ),
    "demo_seed": Setting("EDUSIGHT_DEMO_SEED", "2021", "Seed of the generated demo data."),
}


def get(name: str) -> str:
    s = SETTINGS[name]
    return os.environ.get(s.env, s.default)


def path(name: str) -> Path:
    p = Path(get(name))
    return p if p.is_absolute() else ROOT / p


def db_path() -> Path:
    return path("db_path")


def reference_dir() -> Path:
    return path("reference_dir")


def geo_dir() -> Path:
    return path("geo_dir")


def pseudo_key() -> bytes:
    """The keyed-hash secret. Environment first, then the key file (created if absent)."""
    k = get("pseudo_key")
    if k:
        return k.encode()
    f = path("pseudo_key_file")
    if not f.exists():
        f.parent.mkdir(parents=True, exist_ok=True)
        f.write_text(secrets.token_hex(32))
        f.chmod(0o600)
    return f.read_text().strip().encode()


def render_markdown() -> str:
    """docs/configuration.md, rendered from SETTINGS (a test keeps the two in step)."""
    lines = [
        "# Configuration",
        "",
        "<!-- Generated from edusight/config.py: `python -c 'from edusight import config; "
        'print(config.render_markdown(), end="")\' > docs/configuration.md` -->',
        "",
        "Every setting is an environment variable with a default. Relative paths are relative to "
        "the repository root. Secrets belong in the environment or in git-ignored files "
        "(`.secrets/`), never in the repository.",
        "",
        "| variable | default | meaning |",
        "|---|---|---|",
    ]
    for s in SETTINGS.values():
        default = f"`{s.default}`" if s.default else "(empty)"
        lines.append(f"| `{s.env}` | {default} | {s.doc} |")
    lines.append("")
    return "\n".join(lines)
