"""Where an endpoint may point: checked when an admin saves it and again before every
attempt (a name may resolve elsewhere by now). Outside development and the tests
(WEBHOOKS_ALLOW_PRIVATE_ADDRESSES), only https:// and only public addresses: an admin's URL
must not turn our servers into a probe of the private network (SSRF)."""

from __future__ import annotations

from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError

from edge.addresses import AddressUnknown, host_is_public

MAX_URL = 2000


def _refuse(message: str) -> ValidationError:
    return ValidationError({"url": [message]})


def endpoint_url_check(url: str) -> str:
    """The address as we keep it (trimmed); ValidationError on `url` with a sentence."""
    url = (url or "").strip()
    if len(url) > MAX_URL:
        raise _refuse(f"The address is too long (at most {MAX_URL:,} characters).")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise _refuse("Give the endpoint's full address, starting with https://.")
    if parts.username or parts.password:
        raise _refuse(
            "Leave the user and password out of the address: the signature on every event "
            "proves it comes from us."
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise _refuse("The port in the address must be a number from 1 to 65535.") from exc
    if settings.WEBHOOKS_ALLOW_PRIVATE_ADDRESSES:
        return url
    if parts.scheme != "https":
        raise _refuse("Use an https:// address: events carry your records' data.")
    try:
        public = host_is_public(parts.hostname, port)
    except AddressUnknown as exc:
        raise _refuse(f"{parts.hostname} can't be found: check the address.") from exc
    if not public:
        raise _refuse(
            f"{parts.hostname} is not a public address: the endpoint must be reachable from "
            "the internet."
        )
    return url
