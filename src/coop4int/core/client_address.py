"""Who is at the other end of a request, when reverse proxies stand in between.

Behind a proxy every connection comes from the proxy, so the connection's address says nothing
about the person. The proxy hands the real one on in ``X-Forwarded-For`` (each proxy appends the
address it was connected from) and the scheme in ``X-Forwarded-Proto``; but anyone can send
those headers, so they are read only from the proxies named in ``settings.TRUSTED_PROXIES``
(addresses or networks). The client is then found by walking ``X-Forwarded-For`` from the
right, past the trusted proxies: the first address that is not one of them is the last one a
trusted proxy vouched for; whatever stands left of it was written by the client and is ignored.

``TrustedProxyMiddleware`` (first in ``settings.MIDDLEWARE``) applies this once per request:
it sets ``REMOTE_ADDR`` and ``wsgi.url_scheme`` to the client's, and drops the forwarding
headers of a peer that is not trusted, so that nothing further in (Django's HTTPS checks,
django-axes, rate limits, the audit log) can be misled by them. ``client_address`` is the one
function that gives a request's client address.
"""

import ipaddress
from collections.abc import Callable, Iterable
from functools import lru_cache

from django.conf import settings
from django.http import HttpRequest, HttpResponseBase

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address

# Where the middleware leaves its findings in ``request.META``: the client's address, and the
# connection's own (the proxy's), kept for whoever needs to see which proxy it came through.
CLIENT_KEY = "coop4int.client_address"
PEER_KEY = "coop4int.peer_address"

# Headers by which a proxy describes the original request; from anyone else they are lies.
FORWARDING_HEADERS = (
    "HTTP_X_FORWARDED_FOR",
    "HTTP_X_FORWARDED_PROTO",
    "HTTP_X_FORWARDED_PROTOCOL",
    "HTTP_X_FORWARDED_SSL",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_REAL_IP",
    "HTTP_FORWARDED",
)
SCHEMES = ("http", "https")


def parse_networks(values: Iterable[str]) -> tuple[Network, ...]:
    """``TRUSTED_PROXIES`` as networks: ``127.0.0.1`` is one address, ``10.0.0.0/8`` a network.

    Strict, as gunicorn's ``--forwarded-allow-ips`` is (``10.0.0.1/8`` is refused), so that the
    same value means the same to both; raises ``ValueError`` on anything else."""
    return tuple(
        ipaddress.ip_network(value.strip(), strict=True) for value in values if value.strip()
    )


@lru_cache(maxsize=8)
def _networks(values: tuple[str, ...]) -> tuple[Network, ...]:
    return parse_networks(values)


def trusted_networks() -> tuple[Network, ...]:
    return _networks(tuple(settings.TRUSTED_PROXIES))


def parse_address(value: str) -> Address | None:
    """An address as a proxy writes it — ``192.0.2.1``, ``192.0.2.1:5000``, ``2001:db8::1``,
    ``[2001:db8::1]:443`` — or None when it is not one (``unknown``, a made-up name)."""
    value = value.strip().strip('"')
    if value.startswith("["):  # [IPv6] with or without a port
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:  # IPv4 with a port
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped  # ::ffff:192.0.2.1 is 192.0.2.1
    return address


def is_trusted(address: Address | None) -> bool:
    """Whether ``address`` is one of ``settings.TRUSTED_PROXIES``."""
    return address is not None and any(
        address.version == network.version and address in network for network in trusted_networks()
    )


def _values(header: str) -> list[str]:
    return [part.strip() for part in header.split(",") if part.strip()]


def resolve(
    peer: str, forwarded_for: str = "", forwarded_proto: str = ""
) -> tuple[str, str | None]:
    """The client's address and the scheme it used (None: the connection's own), from the
    connection's address ``peer`` and the forwarding headers it sent.

    The scheme is read only through trusted proxies too: the value written by the proxy the
    client reached (in step with ``X-Forwarded-For`` when each proxy appends one; the only one
    when the proxy sets it), and only ``http`` or ``https``."""
    peer_address = parse_address(peer)
    if peer_address is None:
        return peer, None  # no address at all (a UNIX socket): trusted with nothing
    if not is_trusted(peer_address):
        return str(peer_address), None
    client = peer_address
    hops = 0
    for entry in reversed(_values(forwarded_for)):
        address = parse_address(entry)
        if address is None:
            break  # not an address: the trusted proxy to its right is as far as we can see
        client = address
        hops += 1
        if not is_trusted(address):
            break
    schemes = _values(forwarded_proto)
    scheme = None
    if schemes:
        scheme = schemes[max(len(schemes) - max(hops, 1), 0)].lower()
    return str(client), scheme if scheme in SCHEMES else None


def client_address(request: HttpRequest) -> str | None:
    """The address of the client that sent ``request``: what ``TrustedProxyMiddleware`` found,
    or, for a request that did not pass through it, worked out the same way. None when the
    request came from no address at all (a test's request factory may do that)."""
    found = request.META.get(CLIENT_KEY)
    if found is None:
        found, _scheme = resolve(
            request.META.get("REMOTE_ADDR", ""),
            request.META.get("HTTP_X_FORWARDED_FOR", ""),
        )
    return found or None


class TrustedProxyMiddleware:
    """First in ``settings.MIDDLEWARE``: gives the rest of the stack the client's address and
    scheme instead of the proxy's, and strips forwarding headers nobody trusted vouches for."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        meta = request.META
        if CLIENT_KEY not in meta:
            peer = meta.get("REMOTE_ADDR", "")
            client, scheme = resolve(
                peer, meta.get("HTTP_X_FORWARDED_FOR", ""), meta.get("HTTP_X_FORWARDED_PROTO", "")
            )
            if not is_trusted(parse_address(peer)):
                for header in FORWARDING_HEADERS:
                    meta.pop(header, None)
            elif scheme is not None:
                # request.scheme and is_secure() read this (settings.SECURE_PROXY_SSL_HEADER
                # is not set: that would believe the header from anyone).
                meta["wsgi.url_scheme"] = scheme
            meta[PEER_KEY] = peer
            meta[CLIENT_KEY] = client
            meta["REMOTE_ADDR"] = client
        return self.get_response(request)
