"""What every connector does, whatever the CRM: authenticate, discover objects and fields
(custom ones included), read changes since a cursor, upsert by external id, and list what
still exists so deletions can be found. The sync engine (integrations.sync) only ever talks
to this interface, so a new CRM is one module."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar


class ConnectorError(Exception):
    """A failure the admin reads: `str(exc)` is a sentence saying what happened and what to
    do. `retryable` failures (timeouts, 5xx, rate limits) are retried with backoff; the
    others go to the dead-letter list or stop the run."""

    retryable: ClassVar[bool] = False

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class TemporaryFailure(ConnectorError):
    retryable = True


class RateLimited(TemporaryFailure):
    """The CRM said 429 (or its own limit): wait `retry_after` seconds before asking again."""


class AuthFailed(ConnectorError):
    """The CRM refused our credentials (a revoked token, a changed password): the run stops
    and the connection asks the admin to reconnect."""


class RecordRejected(ConnectorError):
    """The CRM refused one record (a required field missing, a bad value): that record goes
    to the dead-letter list; the run goes on."""


@dataclass(frozen=True)
class RemoteObject:
    name: str
    label: str
    # which of our kinds it naturally maps onto ("account", "opportunity"), if any
    suggested_kind: str = ""


@dataclass(frozen=True)
class RemoteField:
    name: str
    label: str
    # one of: text, long_text, number, money, percent, date, datetime, boolean, choice,
    # reference, email, url, id
    type: str
    required: bool = False
    read_only: bool = False
    custom: bool = False
    # for choice fields: (value, label)
    choices: tuple[tuple[str, str], ...] = ()
    # for reference fields: the object it points at
    relation: str = ""


@dataclass
class RemoteRecord:
    external_id: str
    # the CRM's own modification stamp (ISO text), compared as text in cursors and links
    modified: str
    values: dict[str, Any]


@dataclass
class ChangePage:
    records: list[RemoteRecord]
    # where the next page starts; saved with the batch (integrations.models.SyncCursor)
    cursor: dict[str, Any]
    done: bool
    # how many records the whole read will bring, when the CRM says (progress bar)
    total: int | None = None


@dataclass(frozen=True)
class UpsertResult:
    external_id: str
    modified: str
    created: bool


@dataclass
class Credentials:
    """What a connection stores: `settings` in clear (addresses), `secret` encrypted."""

    settings: dict[str, Any] = field(default_factory=dict)
    secret: dict[str, Any] = field(default_factory=dict)


class Connector:
    """Subclasses implement the CRM's side; instances are short-lived (one per run)."""

    key: ClassVar[str]
    label: ClassVar[str]
    # connects through the CRM's OAuth sign-in (integrations.connectors.oauth) rather than a form
    oauth: ClassVar[bool] = False
    # the settings that name one CRM instance: a second connection to it is refused (all of
    # them when empty)
    identity_keys: ClassVar[tuple[str, ...]] = ()

    def __init__(self, credentials: Credentials) -> None:
        self.credentials = credentials

    # -- connecting -------------------------------------------------------------------------
    def authenticate(self) -> str:
        """Checks the credentials; answers who we are in the CRM (shown to the admin)."""
        raise NotImplementedError

    @classmethod
    def settings_complete(cls, settings: dict[str, Any], secret: dict[str, Any]) -> dict[str, Any]:
        """The settings with what the CRM tells about itself (which instance a token is for),
        before a connection is recorded."""
        return settings

    @classmethod
    def from_tokens(cls, tokens: dict[str, Any], settings: dict[str, Any]) -> Credentials:
        """What a connection stores after the OAuth sign-in gave `tokens`."""
        raise NotImplementedError

    def refreshed_secret(self) -> dict[str, Any] | None:
        """New tokens after an OAuth refresh, for the connection to store (None: unchanged)."""
        return None

    # -- discovering ------------------------------------------------------------------------
    def objects(self) -> list[RemoteObject]:
        raise NotImplementedError

    def fields(self, remote_object: str) -> list[RemoteField]:
        raise NotImplementedError

    # -- reading ----------------------------------------------------------------------------
    def changes(
        self, remote_object: str, cursor: dict[str, Any], *, limit: int, fields: list[str]
    ) -> ChangePage:
        """Records created or changed since `cursor` ({} = from the beginning), oldest
        first, at most `limit`. Reading the same page twice must be harmless (the engine
        skips what didn't change), so a cursor may overlap."""
        raise NotImplementedError

    def read(
        self, remote_object: str, external_ids: list[str], *, fields: list[str]
    ) -> list[RemoteRecord]:
        raise NotImplementedError

    def existing_ids(self, remote_object: str) -> Iterator[str]:
        """Every id the CRM still has for the object, to find deletions."""
        raise NotImplementedError

    # -- writing ----------------------------------------------------------------------------
    def upsert(
        self,
        remote_object: str,
        external_id: str | None,
        values: dict[str, Any],
        *,
        origin: str = "",
    ) -> UpsertResult:
        """Creates the record (external_id None) or writes the given fields of it. A create
        stores `origin` (our record's id) where the CRM can keep it, for find_by_origin."""
        raise NotImplementedError

    def find_by_origin(self, remote_object: str, origin: str) -> str | None:
        """The CRM record a create stored our `origin` on: a create whose answer was lost (a
        killed worker) is found again instead of made twice."""
        return None
