"""Is an inbound email really from the address in its From header?

Anyone can write any From address, so a message that claims to be a customer's must not reach
that customer's open ticket on the claim alone. Two sources of proof, either is enough:

* A valid DKIM signature by the From address's domain (or a domain it belongs to), checked here
  with dkimpy; the signing key is looked up in DNS (``LIFELINE_DNS_NAMESERVERS`` chooses the
  resolvers, the system's by default).
* The topmost ``Authentication-Results`` header (RFC 8601) whose authserv-id is one of
  ``LIFELINE_SMTP_INGRESS_TRUSTED_AUTHSERV_IDS``: the organisation's own mail server, which also
  sees the connecting IP and so can check SPF and DMARC. It must remove such headers that
  arrive from outside (OpenDKIM, OpenDMARC and authentication_milter do). It counts when it
  says ``dmarc=pass``, or ``dkim=pass`` or ``spf=pass`` for the From domain.

A DNS failure or an unsigned message is simply "not verified": the message is still filed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser

import authres
import dkim
import dns.exception
import dns.rdatatype
import dns.resolver

log = logging.getLogger(__name__)

TxtLookup = Callable[..., bytes | None]
DNS_TIMEOUT_SECONDS = 5.0
# Where a result names the domain it vouches for: the DKIM signer, the From domain (DMARC), the
# envelope sender (SPF).
_DOMAIN_PROPERTIES = frozenset({("header", "d"), ("header", "from"), ("smtp", "mailfrom")})


@dataclass(frozen=True)
class SenderCheck:
    verified: bool
    method: str = ""  # what proved it: "dkim", "dmarc", "spf" (empty when not verified)


def _aligned(sender_domain: str, domain: str) -> bool:
    """The From domain is the signing (or envelope) domain or one of its subdomains."""
    domain = domain.lower().strip().rstrip(".").lstrip("@")
    if "@" in domain:
        domain = domain.rpartition("@")[2]
    return bool(domain) and (sender_domain == domain or sender_domain.endswith("." + domain))


def txt_lookup(nameservers: Sequence[str] = ()) -> TxtLookup:
    """A TXT lookup for dkimpy: the system's resolvers, or ``host[:port]`` ones given."""
    if nameservers:
        resolver = dns.resolver.Resolver(configure=False)
        resolver.nameservers = [server.rpartition(":")[0] or server for server in nameservers]
        ports = {server.rpartition(":")[2] for server in nameservers if ":" in server}
        if len(ports) == 1:
            resolver.port = int(ports.pop())
    else:
        resolver = dns.resolver.Resolver()

    def lookup(name: bytes | str, timeout: float = DNS_TIMEOUT_SECONDS) -> bytes | None:
        query = name.decode() if isinstance(name, bytes) else name
        try:
            answer = resolver.resolve(
                query, dns.rdatatype.TXT, lifetime=timeout, raise_on_no_answer=False
            )
        except (dns.resolver.NXDOMAIN, dns.resolver.NoNameservers, dns.exception.Timeout):
            return None
        for record in answer.response.answer:
            if record.rdtype == dns.rdatatype.TXT:
                return b"".join(next(iter(record)).strings)
        return None

    return lookup


def dkim_domains(raw: bytes, lookup: TxtLookup) -> set[str]:
    """The domains whose DKIM signatures on ``raw`` verify."""
    verifier = dkim.DKIM(raw, minkey=1024, timeout=int(DNS_TIMEOUT_SECONDS))
    signatures = sum(1 for name, _ in verifier.headers if name.lower() == b"dkim-signature")
    passed: set[str] = set()
    for index in range(signatures):
        try:
            if verifier.verify(idx=index, dnsfunc=lookup):
                passed.add(verifier.domain.decode().lower())
        except dkim.DKIMException as error:
            log.info("DKIM signature %d not verified: %s", index, error)
    return passed


def trusted_results(message: EmailMessage, trusted: Sequence[str]) -> list[tuple[str, str, str]]:
    """(method, result, domain) of the topmost Authentication-Results header by a trusted
    authserv-id; empty when there is none."""
    wanted = {authserv.lower() for authserv in trusted}
    for header in message.get_all("Authentication-Results", []):
        try:
            parsed = authres.AuthenticationResultsHeader.parse_value(str(header))
        except (authres.AuthResError, ValueError):
            continue
        if str(parsed.authserv_id).lower() not in wanted:
            continue
        results = []
        for result in parsed.results:
            domains = [
                str(prop.value)
                for prop in result.properties
                if (prop.type, prop.name) in _DOMAIN_PROPERTIES
            ]
            results.append((str(result.method), str(result.result), domains[0] if domains else ""))
        return results
    return []


def check_sender(
    raw: bytes,
    sender: str,
    *,
    lookup: TxtLookup,
    trusted_authserv_ids: Sequence[str] = (),
) -> SenderCheck:
    """Whether ``sender`` (the From address) is proven by DKIM or the trusted mail server.
    Blocking (DNS): run it in a thread."""
    sender_domain = sender.rpartition("@")[2].lower()
    message = BytesParser(policy=policy.default).parsebytes(raw, headersonly=True)
    if not isinstance(message, EmailMessage):
        return SenderCheck(False)
    for method, result, domain in trusted_results(message, trusted_authserv_ids):
        if result != "pass":
            continue
        if method == "dmarc" and (not domain or _aligned(sender_domain, domain)):
            return SenderCheck(True, "dmarc")
        if method in {"dkim", "spf"} and _aligned(sender_domain, domain):
            return SenderCheck(True, method)
    if any(_aligned(sender_domain, domain) for domain in dkim_domains(raw, lookup)):
        return SenderCheck(True, "dkim")
    return SenderCheck(False)
