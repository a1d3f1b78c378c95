"""Node and hub configuration: TOML files, ``KETANET_<SECTION>_<KEY>`` overrides, safety checks.

Relative paths (including a relative SQLite path in ``database_url``) are resolved against the
folder of the file. Loading refuses a missing key file, a private key or secret readable by others,
and a pseudonym or linkage secret shorter than 32 bytes. Nothing here runs at import time: call
``load_node_settings`` / ``load_hub_settings``.
"""

from __future__ import annotations

import json
import stat
import tomllib
from datetime import datetime
from pathlib import Path
from typing import Any, Literal, NamedTuple, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_settings import BaseSettings, PydanticBaseSettingsSource, SettingsConfigDict

from app.errors import ConfigError

Grant = Literal["aggregate", "record"]
DeliveryMode = Literal["push", "pull"]
ApprovalMode = Literal["auto", "manual", "deny"]
Perturbation = Literal["cell-key", "none"]
MIN_SECRET_BYTES = 32
DEFAULT_TASK_TTL_S = 604_800


class _Section(BaseSettings):
    """A TOML section whose keys environment variables ``KETANET_<SECTION>_<KEY>`` override."""

    model_config = SettingsConfigDict(extra="forbid", case_sensitive=False)

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        # The environment wins over the file (docs/cli.md, configuration reference).
        return (env_settings, init_settings)


class NodeSection(_Section):
    """``[node]``: identity, address, database and key material of a national node."""

    model_config = SettingsConfigDict(env_prefix="KETANET_NODE_", extra="forbid")

    id: str = Field(min_length=1, max_length=32, pattern=r"^[a-z0-9][a-z0-9-]*$")
    country: str = Field(pattern=r"^[A-Z]{2}$")
    public_url: str
    host: str = "127.0.0.1"
    port: int = Field(default=8101, ge=1, le=65535)
    database_url: str
    signing_key: Path
    pseudonym_secret: Path
    linkage_secret: Path | None = None
    """The network-wide secret of linkage tokens (docs/overlap.md); None: no cross-border overlap."""
    timezone: str = "UTC"

    @field_validator("public_url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")


class DisclosureSection(_Section):
    """``[disclosure]``: the node's disclosure-control policy (``docs/disclosure.md``).

    ``perturbation = "cell-key"`` (the default) perturbs every count by its cell key
    (``docs/privacy.md``); ``"none"`` publishes exact counts (for trusted peers). ``ckm_max`` and
    ``ckm_variance`` shape the perturbation table. ``refuse_near_duplicates`` (default on) masks
    or refuses cells that differ from a cell released to the same peer by fewer than ``min_cell``
    members; ``value_lists`` (default off) allows filters listing some but not all values. With
    ``epsilon > 0`` keyed noise replaces the perturbation and a budget is required
    (``epsilon_budget = 0``, no limit, is refused): per analyst of a peer over 365 days, and for
    the whole peer ``epsilon_peer_budget`` (0: ten times ``epsilon_budget``).
    """

    model_config = SettingsConfigDict(env_prefix="KETANET_DISCLOSURE_", extra="forbid")

    min_cell: int = Field(default=11, ge=1)
    mask_zero: bool = False
    rounding: int = Field(default=0, ge=0)
    perturbation: Perturbation = "cell-key"
    ckm_max: int = Field(default=3, ge=1, le=10)
    ckm_variance: float = Field(default=4.0, gt=0.0, le=50.0)
    refuse_near_duplicates: bool = True
    value_lists: bool = False
    epsilon: float = Field(default=0.0, ge=0.0)
    epsilon_budget: float = Field(default=0.0, ge=0.0)
    epsilon_peer_budget: float = Field(default=0.0, ge=0.0)
    max_records_per_patient: int = Field(default=100, ge=1)

    @property
    def peer_budget(self) -> float:
        """Return the ε budget of a whole peer over 365 days (all its analysts together)."""
        return self.epsilon_peer_budget or 10 * self.epsilon_budget

    @model_validator(mode="after")
    def _noise_needs_a_budget(self) -> DisclosureSection:
        if self.epsilon > 0 and self.epsilon_budget <= 0:
            raise ValueError(
                "epsilon > 0 needs epsilon_budget > 0: without a budget repeated new questions "
                "average the noise away"
            )
        return self


class PeerDisclosure(DisclosureSection):
    """``[peers.disclosure]``: one peer's policy; keys not given take the node's ``[disclosure]``.

    Not read from the environment: a ``KETANET_DISCLOSURE_*`` override sets the node's policy,
    which a peer's table then overrides key by key.
    """

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


class LimitsSection(_Section):
    """``[limits]``: request size, rate and work limits of a node."""

    model_config = SettingsConfigDict(env_prefix="KETANET_LIMITS_", extra="forbid")

    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    rate_per_minute: int = Field(default=600, ge=1)
    max_strata: int = Field(default=200, ge=1)
    query_timeout_s: float = Field(default=20, gt=0)
    max_overlap_elements: int = Field(default=200_000, ge=1)
    """Largest blinded set the node accepts in the cross-border overlap exchange (docs/overlap.md)."""
    max_concurrent_evaluations: int = Field(default=4, ge=1)
    """Measure evaluations run at once; more wait (up to ``query_timeout_s``), then get 503."""
    unauthenticated_per_minute: int = Field(default=60, ge=1)
    """Requests a minute from one client address that carry no valid signature (then 429)."""


class PeerConfig(BaseModel):
    """``[[peers]]``: a trusted peer, its public keys, grants and validity window."""

    model_config = ConfigDict(extra="forbid")

    name: str
    jwks: list[dict[str, Any]]
    grants: list[Grant] = Field(default_factory=lambda: list[Grant](["aggregate"]))
    not_before: datetime | None = None
    not_after: datetime | None = None
    revoked: bool = False
    disclosure: PeerDisclosure | None = None
    """This peer's own policy (e.g. exact counts for an audit body under contract), else None."""


class HubLinkSection(_Section):
    """``[hub]`` of node.toml: how the node reaches the hub (pull mode, answers delivered later)."""

    model_config = SettingsConfigDict(env_prefix="KETANET_HUB_", extra="forbid")

    url: str
    """The hub's public URL: the audience of the node's signed task requests."""
    peer: str = "hub"
    """The ``[[peers]]`` entry whose key signs the hub's tasks."""
    mode: DeliveryMode = "push"
    poll_wait_s: float = Field(default=20, ge=0, le=300)

    @field_validator("url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")


class ApprovalSection(_Section):
    """``[approval]``: which measures a data steward must approve before the node answers."""

    model_config = SettingsConfigDict(env_prefix="KETANET_APPROVAL_", extra="forbid")

    default: ApprovalMode = "auto"
    measures: dict[str, ApprovalMode] = Field(default_factory=dict)
    """Per-measure overrides of ``default`` (measure id → mode)."""

    def mode_for(self, measure: str) -> ApprovalMode:
        """Return how requests for ``measure`` are handled: ``auto``, ``manual`` or ``deny``."""
        return self.measures.get(measure, self.default)

    def needs_steward(self) -> bool:
        """Return whether any measure needs a steward's approval."""
        return self.default == "manual" or "manual" in self.measures.values()


class NodeSettings(BaseModel):
    """A node's whole configuration, paths resolved."""

    model_config = ConfigDict(extra="forbid")

    config_path: Path | None = None
    node: NodeSection
    disclosure: DisclosureSection = Field(default_factory=DisclosureSection)
    limits: LimitsSection = Field(default_factory=LimitsSection)
    peers: list[PeerConfig] = Field(default_factory=list)
    hub: HubLinkSection | None = None
    """How to reach the hub; required in pull mode and for approvals delivered later."""
    approval: ApprovalSection = Field(default_factory=ApprovalSection)


class HubSection(_Section):
    """``[hub]``: identity, address, database and key material of the hub."""

    model_config = SettingsConfigDict(env_prefix="KETANET_HUB_", extra="forbid")

    id: str = "hub"
    host: str = "127.0.0.1"
    port: int = Field(default=8100, ge=1, le=65535)
    database_url: str
    signing_key: Path
    api_token_file: Path
    timeout_s: float = Field(default=30, gt=0)
    public_url: str | None = None
    """The URL nodes sign task requests for (the hub's audience); default ``http://host:port``."""
    task_ttl_s: int = Field(default=DEFAULT_TASK_TTL_S, ge=1)
    """How long a node's task may stay pending before it turns into ``timeout``."""
    max_running_queries_per_analyst: int = Field(default=4, ge=1)
    """Queries one analyst may have being sent at once through this hub process (then 429)."""
    bearer_failures_per_minute: int = Field(default=30, ge=1)
    """Refused bearer tokens a minute from one client address; beyond, every request is 429."""

    @field_validator("public_url")
    @classmethod
    def _checked_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not value.startswith(("http://", "https://")):
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @property
    def audience(self) -> str:
        """Return the hub's audience: ``public_url``, or ``http://host:port`` without one."""
        return self.public_url or f"http://{self.host}:{self.port}"


class NodeEntry(BaseModel):
    """``[[nodes]]``: a node the hub queries, with its pinned public keys."""

    model_config = ConfigDict(extra="forbid")

    id: str
    country: str = Field(pattern=r"^[A-Z]{2}$")
    url: str
    jwks: list[dict[str, Any]]
    mode: DeliveryMode = "push"
    """``push``: the hub calls ``url``; ``pull``: the hub never connects, the node fetches tasks."""
    allow_link_local: bool = False
    """Call ``url`` even when it is a link-local or cloud-metadata address (``hub.node_urls``)."""

    @field_validator("url")
    @classmethod
    def _strip_slash(cls, value: str) -> str:
        return value.rstrip("/")


class HubSettings(BaseModel):
    """The hub's whole configuration, paths resolved."""

    model_config = ConfigDict(extra="forbid")

    config_path: Path | None = None
    hub: HubSection
    nodes: list[NodeEntry] = Field(default_factory=list)


def load_node_settings(path: Path, *, check_files: bool = True) -> NodeSettings:
    """Return the node settings in ``path``; raises ``ConfigError`` naming the key and the rule."""
    raw = _read_toml(path)
    base = path.resolve().parent
    node_raw = dict(raw.get("node", {}))
    try:
        node = NodeSection(**node_raw)
        disclosure = DisclosureSection(**raw.get("disclosure", {}))
        settings = NodeSettings(
            config_path=path.resolve(),
            node=node.model_copy(
                update={
                    "database_url": resolve_database_url(node.database_url, base),
                    "signing_key": _resolve(base, node.signing_key),
                    "pseudonym_secret": _resolve(base, node.pseudonym_secret),
                    "linkage_secret": (
                        _resolve(base, node.linkage_secret)
                        if node.linkage_secret is not None
                        else None
                    ),
                }
            ),
            disclosure=disclosure,
            limits=LimitsSection(**raw.get("limits", {})),
            peers=[_peer(entry, base, disclosure) for entry in raw.get("peers", [])],
            hub=_section(HubLinkSection, "hub", raw["hub"]) if "hub" in raw else None,
            approval=_section(ApprovalSection, "approval", raw.get("approval", {})),
        )
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_first_error(exc)}") from None
    except _SectionError as error:
        raise ConfigError(f"{path}: {error}") from None
    check_hub_link(settings)
    if check_files:
        check_private_file(settings.node.signing_key, what="node.signing_key")
        check_secret_file(settings.node.pseudonym_secret)
        if settings.node.linkage_secret is not None:
            check_secret_file(settings.node.linkage_secret, what="node.linkage_secret")
    return settings


def check_hub_link(settings: NodeSettings) -> None:
    """Refuse a node that must reach the hub without ``[hub]``, or names an unknown hub peer.

    Pull mode and manual approval (answers delivered later) both need ``[hub]``; raises
    ``ConfigError``.
    """
    link = settings.hub
    if link is None:
        if settings.approval.needs_steward():
            raise ConfigError("approval: manual approval needs [hub] url to deliver answers")
        return
    if link.peer not in {peer.name for peer in settings.peers}:
        raise ConfigError(f"hub.peer: no [[peers]] entry named {link.peer!r}")


def load_hub_settings(path: Path, *, check_files: bool = True) -> HubSettings:
    """Return the hub settings in ``path``; raises ``ConfigError`` naming the key and the rule."""
    raw = _read_toml(path)
    base = path.resolve().parent
    try:
        hub = HubSection(**raw.get("hub", {}))
        settings = HubSettings(
            config_path=path.resolve(),
            hub=hub.model_copy(
                update={
                    "database_url": resolve_database_url(hub.database_url, base),
                    "signing_key": _resolve(base, hub.signing_key),
                    "api_token_file": _resolve(base, hub.api_token_file),
                }
            ),
            nodes=[_node_entry(entry, base) for entry in raw.get("nodes", [])],
        )
    except ValidationError as exc:
        raise ConfigError(f"{path}: {_first_error(exc)}") from None
    if check_files:
        check_private_file(settings.hub.signing_key, what="hub.signing_key")
        check_private_file(settings.hub.api_token_file, what="hub.api_token_file")
    return settings


def resolve_database_url(url: str, base: Path) -> str:
    """Return ``url`` with a relative SQLite path made absolute against ``base``."""
    prefix = "sqlite:///"
    if url.startswith(prefix) and not url.startswith(prefix + "/") and url != "sqlite://":
        return prefix + str((base / url.removeprefix(prefix)).resolve())
    return url


def check_private_file(path: Path, *, what: str) -> None:
    """Refuse a missing file or one that group or others may read; raises ``ConfigError``."""
    if not path.is_file():
        raise ConfigError(f"{what}: file {path} does not exist")
    mode = stat.S_IMODE(path.stat().st_mode)
    if mode & 0o077:
        raise ConfigError(f"{what}: {path} is readable by others (mode {mode:o}); chmod 600 it")
    folder = path.resolve().parent
    folder_mode = stat.S_IMODE(folder.stat().st_mode)
    if folder_mode & 0o022:
        # whoever may write the folder may swap the file for their own key or secret
        raise ConfigError(
            f"{what}: folder {folder} is writable by group or others (mode {folder_mode:o}); "
            "chmod 700 it"
        )


def check_secret_file(path: Path, *, what: str = "node.pseudonym_secret") -> None:
    """Refuse a secret file that is missing, exposed or shorter than 32 bytes."""
    check_private_file(path, what=what)
    if len(path.read_bytes().strip()) < MIN_SECRET_BYTES:
        raise ConfigError(f"{what}: {path} holds fewer than {MIN_SECRET_BYTES} bytes")


def read_secret(path: Path) -> bytes:
    """Return the bytes of a secret file as the node uses them (surrounding whitespace removed)."""
    return path.read_bytes().strip()


def load_jwk_file(path: Path) -> dict[str, Any]:
    """Return the public JWK in ``path``; raises ``ConfigError`` when missing or not a JWK."""
    try:
        jwk = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(f"jwk: file {path} does not exist") from None
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise ConfigError(f"jwk: {path} is not a JSON Web Key") from None
    if not isinstance(jwk, dict) or jwk.get("kty") != "OKP" or "x" not in jwk:
        raise ConfigError(f"jwk: {path} is not an Ed25519 (OKP) public JWK")
    if "d" in jwk:
        raise ConfigError(f"jwk: {path} holds a private key; give the public JWK")
    return jwk


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except FileNotFoundError:
        raise ConfigError(f"{path}: configuration file does not exist") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: not valid TOML ({exc})") from None


def _resolve(base: Path, value: Path) -> Path:
    return value if value.is_absolute() else (base / value).resolve()


def _keys(entry: dict[str, Any], base: Path) -> list[dict[str, Any]]:
    """Collect ``jwk`` (file path or inline table) and ``jwks`` (list of either) into one list."""
    items: list[Any] = []
    if "jwk" in entry:
        items.append(entry["jwk"])
    items.extend(entry.get("jwks", []))
    keys = [
        item if isinstance(item, dict) else load_jwk_file(_resolve(base, Path(item)))
        for item in items
    ]
    if not keys:
        raise ConfigError(f"{entry.get('name') or entry.get('id')}: no jwk or jwks given")
    return keys


def _peer(entry: dict[str, Any], base: Path, node_policy: DisclosureSection) -> PeerConfig:
    fields = {k: v for k, v in entry.items() if k not in {"jwk", "jwks", "disclosure"}}
    policy = None
    if "disclosure" in entry:
        try:
            policy = PeerDisclosure(**(node_policy.model_dump() | dict(entry["disclosure"])))
        except ValidationError as exc:
            where = f"peers.{entry.get('name', '?')}.disclosure"
            raise ConfigError(f"{where}.{_first_error(exc)}") from None
    return PeerConfig(**fields, jwks=_keys(entry, base), disclosure=policy)


def _node_entry(entry: dict[str, Any], base: Path) -> NodeEntry:
    fields = {k: v for k, v in entry.items() if k not in {"jwk", "jwks"}}
    return NodeEntry(**fields, jwks=_keys(entry, base))


class _SectionError(Exception):
    """A section's first validation error, named ``section.key: rule``."""


_S = TypeVar("_S", bound=BaseSettings)


def _section(kind: type[_S], name: str, raw: dict[str, Any]) -> _S:
    try:
        return kind(**raw)
    except ValidationError as exc:
        raise _SectionError(f"{name}.{_first_error(exc)}") from None


def _first_error(exc: ValidationError) -> str:
    error = exc.errors()[0]
    where = ".".join(str(part) for part in error["loc"])
    return f"{where}: {error['msg']}"


class ServiceDatabase(NamedTuple):
    """Which service a config file configures, its database and its signing key."""

    role: Literal["node", "hub"]
    database_url: str
    signing_key: Path


def load_database_and_key(path: Path) -> ServiceDatabase:
    """Return the role, database URL and signing key path of a node.toml or hub.toml.

    Raises ``ConfigError`` naming the key and the rule.
    """
    # A node.toml may hold a [hub] table too (how the node reaches the hub): [node] decides.
    if "node" not in _read_toml(path):
        hub = load_hub_settings(path, check_files=False).hub
        return ServiceDatabase("hub", hub.database_url, hub.signing_key)
    node = load_node_settings(path, check_files=False).node
    return ServiceDatabase("node", node.database_url, node.signing_key)
