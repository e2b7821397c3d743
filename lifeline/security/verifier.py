"""Official-channel verifier: is this URL, domain, email, phone or social handle really ours?

The operator lists its official channels in a YAML registry (see `official_channels.yaml`).
`verify` answers ``official`` (listed, or a subdomain of a listed domain), ``lookalike`` (built
to be mistaken for an official channel, with the reason) or ``unknown`` (neither).

Values are parsed the way a browser or mail client would read them, because phishing lives in
the gap between what a customer sees and where they land: ``https://demoexchange.com@evil.io``
goes to evil.io, ``demoexchange.com.evil.io`` belongs to evil.io, ``xn--dmoexchange-...``
displays with a Cyrillic letter. Registrable domains come from tldextract's bundled public
suffix list (never fetched), Unicode from IDNA/UTS-46, look-alike letters from the Unicode
confusables table, and typos from Damerau-Levenshtein distance.
"""

from __future__ import annotations

import json
import re
import string
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache, cached_property, lru_cache
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import idna
import tldextract
import yaml
from confusable_homoglyphs import categories
from rapidfuzz.distance import DamerauLevenshtein

__all__ = [
    "OfficialChannels",
    "Verdict",
    "load_official_channels",
    "skeleton",
    "verify",
]

VerdictName = Literal["official", "lookalike", "unknown"]
_SEVERITY: dict[str, int] = {"official": 0, "unknown": 1, "lookalike": 2}
PLATFORM_ALIASES: dict[str, str] = {
    "telegram": "telegram",
    "tg": "telegram",
    "x": "x",
    "twitter": "x",
}
# Hosts whose first path segment names an account on a platform.
_SOCIAL_HOSTS: dict[str, str] = {
    "t.me": "telegram",
    "telegram.me": "telegram",
    "telegram.dog": "telegram",
    "x.com": "x",
    "twitter.com": "x",
    "instagram.com": "instagram",
    "facebook.com": "facebook",
    "fb.com": "facebook",
    "youtube.com": "youtube",
    "tiktok.com": "tiktok",
    "discord.gg": "discord",
    "discord.com": "discord",
    "weibo.com": "weibo",
    "medium.com": "medium",
    "github.com": "github",
    "linkedin.com": "linkedin",
    "reddit.com": "reddit",
}
_NOT_ACCOUNTS_TEXT = (
    "s joinchat share i home intent search hashtag explore settings login signup "
    "invite channel c user u company r in watch shorts"
)
_NOT_ACCOUNTS = frozenset(_NOT_ACCOUNTS_TEXT.split())


@dataclass(frozen=True)
class Verdict:
    verdict: VerdictName
    reason: str
    kind: str
    normalized: str
    detail: str = ""

    def as_dict(self) -> dict[str, str]:
        return {
            "verdict": self.verdict,
            "reason": self.reason,
            "kind": self.kind,
            "normalized": self.normalized,
            "detail": self.detail,
        }


@dataclass(frozen=True)
class OfficialChannels:
    """The operator's official channels, normalised for comparison."""

    domains: tuple[str, ...]
    email_domains: tuple[str, ...]
    phones: tuple[str, ...]
    handles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    @classmethod
    def from_yaml(cls, source: str | Path) -> OfficialChannels:
        """Load from a YAML file path or from YAML text."""
        text = source.read_text(encoding="utf-8") if isinstance(source, Path) else source
        if isinstance(source, str) and "\n" not in source and Path(source).is_file():
            text = Path(source).read_text(encoding="utf-8")
        data = yaml.safe_load(text) or {}
        if not isinstance(data, dict):
            raise ValueError("the official channels file must be a mapping")
        return cls.from_mapping(data)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> OfficialChannels:
        unknown_keys = set(data) - {"domains", "email_domains", "phones", "handles"}
        if unknown_keys:
            raise ValueError(f"unknown keys in official channels: {sorted(unknown_keys)}")
        handles_raw = data.get("handles") or {}
        if not isinstance(handles_raw, dict):
            raise ValueError("handles must map a platform to a list of handles")
        handles: dict[str, tuple[str, ...]] = {}
        for platform, values in handles_raw.items():
            name = PLATFORM_ALIASES.get(str(platform).lower(), str(platform).lower())
            handles[name] = handles.get(name, ()) + tuple(
                _normalize_handle(str(v)) for v in _as_list(values, f"handles.{platform}")
            )
        return cls(
            domains=tuple(decode_host(str(d))[0] for d in _as_list(data.get("domains"), "domains")),
            email_domains=tuple(
                decode_host(str(d))[0] for d in _as_list(data.get("email_domains"), "email_domains")
            ),
            phones=tuple(
                "+" + phone_digits(str(p))[0] for p in _as_list(data.get("phones"), "phones")
            ),
            handles=handles,
        )

    @cached_property
    def brands(self) -> tuple[str, ...]:
        """Names a lookalike would imitate: the registrable labels of the official domains."""
        names: list[str] = []
        for domain in (*self.domains, *self.email_domains):
            parts = extract(domain)
            label = parts.domain or domain.split(".")[0]
            if label and label not in names:
                names.append(label)
        return tuple(names)

    @cached_property
    def all_handles(self) -> tuple[str, ...]:
        return tuple(h for values in self.handles.values() for h in values)


def _as_list(value: Any, name: str) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (str, int)):
        return [value]
    if not isinstance(value, list):
        raise ValueError(f"{name} must be a list")
    return value


def _normalize_handle(handle: str) -> str:
    return handle.strip().lstrip("@").lower()


def load_official_channels(path: str | Path | None = None) -> OfficialChannels:
    """The registry at `path`, else the configured file, else the bundled demo registry."""
    if path is None:
        from lifeline.config import get_settings

        path = get_settings().official_channels_file
    if path is not None:
        return OfficialChannels.from_yaml(Path(path))
    return _bundled_registry()


def configured_registry(path: str | Path | None) -> OfficialChannels:
    """The operator's registry, re-read only when the file changes (requests call this)."""
    if path is None:
        return _bundled_registry()
    file = Path(path)
    return _registry_at(str(file), file.stat().st_mtime)


@lru_cache(maxsize=8)
def _registry_at(path: str, _mtime: float) -> OfficialChannels:
    return OfficialChannels.from_yaml(Path(path))


@cache
def _bundled_registry() -> OfficialChannels:
    bundled = resources.files("lifeline.security").joinpath("official_channels.yaml")
    return OfficialChannels.from_yaml(bundled.read_text(encoding="utf-8"))


# --- finding channel values in text --------------------------------------------------------

# Characters of a domain label or mailbox as a customer may see them: letters of any script
# and look-alike symbols, but no punctuation and no CJK (Chinese text runs straight into a
# value without a space).
_NAME_CHAR = (
    r"(?:(?![\u2000-\u206f\u2e80-\u9fff\uac00-\ud7af\uff00-\uffef])"
    r"[^\s!-,./:-@\[-^`{-~])"
)
_URL_TAIL = r"[^\s<>\"'，。、）)\u2e80-\u9fff\uff00-\uffef]"
_DISPLAY_EMAIL = re.compile(r"(?P<name>[^<>\n]{1,80}?)\s*<(?P<addr>[^<>\s]+@[^<>\s]+)>")
_EMAIL = re.compile(
    rf"(?<![A-Za-z0-9_.+-])(?:{_NAME_CHAR}|[.+])+@{_NAME_CHAR}+(?:\.{_NAME_CHAR}+)+", re.UNICODE
)
_URL = re.compile(rf"(?:(?:https?|ftp)://|www\.|tg://){_URL_TAIL}+", re.IGNORECASE)
_SOCIAL_URL = re.compile(
    rf"(?<![A-Za-z0-9_.])(?:t\.me|telegram\.me|x\.com|twitter\.com)/{_URL_TAIL}+", re.IGNORECASE
)
_HOST = re.compile(
    rf"(?<![A-Za-z0-9_@.\-/])(?:{_NAME_CHAR}+[.。．｡])+{_NAME_CHAR}{{2,}}(?:[:/]{_URL_TAIL}*)?"
)
_HANDLE = re.compile(rf"(?<![A-Za-z0-9_@.])@(?:{_NAME_CHAR}|\.){{3,40}}")
_PHONE = re.compile(
    r"(?:tel:|(?<![A-Za-z0-9_+]))(?:(?:\+|00)\d[\d\s().\-]{5,18}\d|\(?\d{3}\)?[\s.\-]\d{3}[\s.\-]\d{4})(?!\d)"
)
_TRAILING = ".,;:!?)]}>\"'。，；：！？）】」"


def verify(value: str, registry: OfficialChannels | None = None) -> Verdict:
    """Classify a channel value, or the channel values inside a message (worst one wins)."""
    registry = registry or load_official_channels()
    # Browsers fold full-width and other compatibility forms (UTS-46) before resolving.
    text = unicodedata.normalize("NFKC", value).strip()
    if not text:
        return Verdict("unknown", "empty", "none", "")
    single = _single_value_verdict(text, registry)
    if single is not None:
        return single
    verdicts = [_classify(kind, item, registry) for kind, item in _channel_values(text)]
    if not verdicts:
        return Verdict("unknown", "no_channel_found", "text", text)
    return max(verdicts, key=lambda v: _SEVERITY[v.verdict])


def _single_value_verdict(text: str, registry: OfficialChannels) -> Verdict | None:
    """A bare handle or a bare phone number given on its own."""
    if re.fullmatch(rf"@?{_NAME_CHAR}{{3,40}}", text) and not text.isdigit() and "-" not in text:
        return _handle_verdict(None, text, registry)
    if (
        re.fullmatch(r"(?:tel:)?[+(\d][\d\s().\-]{5,22}", text)
        and sum(c.isdigit() for c in text) >= 7
    ):
        return _phone_verdict(text, registry)
    return None


def _channel_values(text: str) -> list[tuple[str, str]]:
    found: list[tuple[int, str, str]] = []
    taken: list[tuple[int, int]] = []

    def claim(start: int, end: int, kind: str, item: str) -> None:
        if any(start < e and end > s for s, e in taken):
            return
        taken.append((start, end))
        found.append((start, kind, item))

    for m in _DISPLAY_EMAIL.finditer(text):
        claim(m.start(), m.end(), "email", m.group().strip())
    # URLs before addresses: "https://demoexchange.com@evil.io" is a URL with userinfo.
    for pattern in (_URL, _SOCIAL_URL):
        for m in pattern.finditer(text):
            claim(m.start(), m.end(), "url", m.group().rstrip(_TRAILING))
    for m in _EMAIL.finditer(text):
        claim(m.start(), m.end(), "email", m.group())
    for m in _HOST.finditer(text):
        item = m.group().rstrip(_TRAILING)
        host = re.split(r"[:/]", item, maxsplit=1)[0]
        if extract(decode_host(host)[0]).suffix:
            claim(m.start(), m.end(), "url", item)
    for m in _HANDLE.finditer(text):
        claim(m.start(), m.end(), "handle", m.group().rstrip("."))
    for m in _PHONE.finditer(text):
        claim(m.start(), m.end(), "phone", m.group())
    return [(kind, item) for _, kind, item in sorted(found)]


def _classify(kind: str, item: str, registry: OfficialChannels) -> Verdict:
    if kind == "email":
        return _email_verdict(item, registry)
    if kind == "handle":
        return _handle_verdict(None, item, registry)
    if kind == "phone":
        return _phone_verdict(item, registry)
    return _url_verdict(item, registry)


# --- URLs and domains ----------------------------------------------------------------------


def _url_verdict(raw: str, registry: OfficialChannels) -> Verdict:
    url = re.sub(r"[。．｡]", ".", raw.strip().strip("<>\"'"))
    if "\\" in url:
        # Browsers read "\" as "/", other parsers do not: a host that differs between the
        # two readings is a deliberate trick when one of them looks official.
        naive = _url_verdict(url.replace("\\", "%5C"), registry)
        browser = _url_verdict(url.replace("\\", "/"), registry)
        if naive.verdict != browser.verdict and "official" in {naive.verdict, browser.verdict}:
            return Verdict(
                "lookalike",
                "userinfo_trick",
                "url",
                browser.normalized,
                f"backslash trick: a browser opens {browser.normalized}",
            )
        return browser
    if url.lower().startswith("tg://"):
        resolved = re.search(r"domain=([A-Za-z0-9_]+)", url)
        if resolved:
            return _handle_verdict("telegram", resolved.group(1), registry, kind="url")
        return Verdict("unknown", "not_listed", "url", url)
    without_scheme = re.sub(r"^[a-z][a-z0-9+.\-]*://", "", url, flags=re.IGNORECASE)
    authority = re.split(r"[/?#]", without_scheme, maxsplit=1)[0]
    rest = without_scheme[len(authority) :]
    userinfo, _, host_port = authority.rpartition("@")
    host = re.sub(r":\d*$", "", host_port).strip("[]").rstrip(".")
    host_ascii, shown, had_punycode = decode_host(host)
    social = _SOCIAL_HOSTS.get(host_ascii.removeprefix("www.").removeprefix("mobile."))
    if social is not None:
        account = _account_from_path(rest)
        if account is not None:
            return _handle_verdict(social, account, registry, kind="url")
    verdict = _domain_verdict(host_ascii, shown, had_punycode, registry, kind="url")
    if userinfo and verdict.verdict != "lookalike" and not _is_official_host(host_ascii, registry):
        resemblance = _resemblance(userinfo.lower(), registry)
        if resemblance is not None or any(d in userinfo.lower() for d in registry.domains):
            return Verdict(
                "lookalike",
                "userinfo_trick",
                "url",
                host_ascii,
                f"the part before '@' ({userinfo}) only looks like the address; "
                f"the browser goes to {host_ascii}",
            )
    return verdict


def _account_from_path(path: str) -> str | None:
    segments = [s for s in re.split(r"[/?#]", path) if s]
    if not segments:
        return None
    first = segments[0].lstrip("@")
    if first.lower() in _NOT_ACCOUNTS or first.startswith("+"):
        if first.lower() == "s" and len(segments) > 1:
            return segments[1]
        return None
    return first if re.fullmatch(r"[\w.]{2,64}", first) else None


def _is_official_host(host: str, registry: OfficialChannels) -> bool:
    return any(host == d or host.endswith("." + d) for d in registry.domains)


def _domain_verdict(
    host: str, shown: str, had_punycode: bool, registry: OfficialChannels, kind: str
) -> Verdict:
    for domain in registry.domains:
        if host == domain:
            return Verdict("official", "official_domain", kind, host)
        if host.endswith("." + domain):
            return Verdict("official", "official_subdomain", kind, host, f"a subdomain of {domain}")
    parts = extract(host)
    if not parts.suffix or parts.ipv4 or parts.ipv6:
        return Verdict("unknown", "not_listed", kind, host)
    suffix_size = len(parts.suffix.split("."))
    shown_labels = shown.split(".")
    shown_name = shown_labels[-1 - suffix_size] if len(shown_labels) > suffix_size else ""
    registrable = f"{parts.domain}.{parts.suffix}"
    match = _resemblance(shown_name, registry)
    if match is not None:
        reason = _domain_reason(match, had_punycode)
        return Verdict(
            "lookalike", reason, kind, host, f"{shown} imitates {match.brand}: {match.how}"
        )
    # "demo.exchange": the brand spelled across the name and a (new generic) suffix.
    spelled = _resemblance(compact(shown_name + parts.suffix), registry)
    if spelled is not None and spelled.how in {"same_name", "typosquat"}:
        detail = f"{shown} spells {spelled.brand} across the name and its suffix"
        return Verdict("lookalike", "brand_in_other_domain", kind, host, detail)
    for label in shown_labels[: -1 - suffix_size]:
        sub = _resemblance(label, registry)
        if sub is not None:
            detail = f"'{label}' imitates {sub.brand} but the site belongs to {registrable}"
            return Verdict("lookalike", "brand_in_other_domain", kind, host, detail)
    return Verdict("unknown", "not_listed", kind, host)


def _domain_reason(match: BrandMatch, had_punycode: bool) -> str:
    if had_punycode and match.how in {"homoglyph", "mixed_script"}:
        return "punycode"
    if match.how == "contains_brand" or match.how == "same_name":
        return "brand_in_other_domain"
    return match.how


def _resemblance(label: str, registry: OfficialChannels) -> BrandMatch | None:
    for brand in registry.brands:
        found = resembles_brand(label, brand)
        if found is not None:
            return found
    return None


# --- email ---------------------------------------------------------------------------------


def _email_verdict(raw: str, registry: OfficialChannels) -> Verdict:
    display = _DISPLAY_EMAIL.fullmatch(raw.strip())
    name = display.group("name").strip().strip("\"'") if display else ""
    address = (display.group("addr") if display else raw).strip().strip("<>").lower()
    local, _, domain = address.rpartition("@")
    host, shown, had_punycode = decode_host(domain.rstrip("."))
    normalized = f"{local}@{host}"
    if any(host == d or host.endswith("." + d) for d in registry.email_domains):
        return Verdict("official", "official_email", "email", normalized)
    domain_verdict = _domain_verdict(host, shown, had_punycode, registry, kind="email")
    if domain_verdict.verdict == "official":
        return Verdict("official", "official_domain", "email", normalized)
    if domain_verdict.verdict == "lookalike":
        return Verdict(
            "lookalike", domain_verdict.reason, "email", normalized, domain_verdict.detail
        )
    if name and (
        any(_resemblance(w, registry) for w in re.split(r"[\s@.<>\"'()]+", name) if w)
        or _resemblance(compact(name), registry)
    ):
        return Verdict(
            "lookalike",
            "display_name_impersonation",
            "email",
            normalized,
            f"the sender name '{name}' claims the brand but the address is at {host}",
        )
    if _resemblance(local, registry) is not None:
        return Verdict(
            "lookalike",
            "brand_in_local_part",
            "email",
            normalized,
            f"the brand name is only in the mailbox name; the address is at {host}",
        )
    return Verdict("unknown", "not_listed", "email", normalized)


# --- handles -------------------------------------------------------------------------------


def _handle_verdict(
    platform: str | None, raw: str, registry: OfficialChannels, kind: str = "handle"
) -> Verdict:
    handle = _normalize_handle(raw)
    normalized = f"{platform}:@{handle}" if platform else f"@{handle}"
    official = registry.handles.get(platform, ()) if platform else registry.all_handles
    if handle in official:
        return Verdict("official", "official_handle", kind, normalized)
    if platform and handle in registry.all_handles:
        listed_on = ", ".join(p for p, hs in registry.handles.items() if handle in hs)
        return Verdict(
            "lookalike",
            "lookalike_handle",
            kind,
            normalized,
            f"@{handle} is official on {listed_on} only, not on {platform}",
        )
    for candidate in registry.all_handles or registry.brands:
        shape = resembles_brand(handle, compact(candidate))
        if shape is not None:
            return Verdict(
                "lookalike",
                "lookalike_handle",
                kind,
                normalized,
                f"@{handle} imitates @{candidate}: {shape.how}",
            )
    brand = _resemblance(handle, registry)
    if brand is not None:
        return Verdict(
            "lookalike", "lookalike_handle", kind, normalized, f"@{handle} imitates {brand.brand}"
        )
    return Verdict("unknown", "not_listed", kind, normalized)


# --- phones --------------------------------------------------------------------------------


def _phone_verdict(raw: str, registry: OfficialChannels) -> Verdict:
    digits, international = phone_digits(raw)
    normalized = ("+" if international else "") + digits
    for official in registry.phones:
        official_digits = official.lstrip("+")
        if digits == official_digits or (
            not international
            and official_digits.endswith(digits)
            and len(official_digits) - len(digits) <= 3
            and len(digits) >= 7
        ):
            return Verdict("official", "official_phone", "phone", official)
    for official in registry.phones:
        official_digits = official.lstrip("+")
        compared = digits if international else official_digits[: -len(digits)] + digits
        if len(digits) >= 7 and _near_miss(compared, official_digits):
            return Verdict(
                "lookalike",
                "near_miss_phone",
                "phone",
                normalized,
                f"differs from the official {official} by a digit or two",
            )
    return Verdict("unknown", "not_listed", "phone", normalized)


def _near_miss(candidate: str, official: str) -> bool:
    # One digit off (changed, added, dropped, or two swapped). Two digits off is too loose:
    # the whole fictional 555-01xx range would look like our number.
    return 0 < DamerauLevenshtein.distance(candidate, official) <= 1


# --- shapes: hosts, look-alike letters, typos, phone digits ---------------------------------

_EXTRACTOR = tldextract.TLDExtract(
    suffix_list_urls=(), cache_dir=None, include_psl_private_domains=True
)
# Visual substitutions that survive the confusables table because they are plain ASCII.
_LEET = str.maketrans(
    {
        "0": "o",
        "1": "l",
        "i": "l",
        "3": "e",
        "4": "a",
        "5": "s",
        "7": "t",
        "8": "b",
        "9": "g",
        "$": "s",
        "@": "a",
        "|": "l",
    }
)
_MULTI_LETTER = (("rn", "m"), ("vv", "w"), ("cl", "d"))


def extract(host: str) -> tldextract.tldextract.ExtractResult:
    return _EXTRACTOR(host)


def decode_host(host: str) -> tuple[str, str, bool]:
    """(ASCII form used on the wire, Unicode form a customer sees, whether it was punycode)."""
    cleaned = re.sub(r"[。．｡]", ".", host.strip().lower()).rstrip(".")
    had_punycode = any(label.startswith("xn--") for label in cleaned.split("."))
    try:
        ascii_host = idna.encode(cleaned, uts46=True).decode("ascii")
    except idna.IDNAError:
        ascii_host = cleaned
    try:
        shown = idna.decode(ascii_host)
    except idna.IDNAError:
        shown = cleaned
    return ascii_host, shown, had_punycode


def compact(text: str) -> str:
    return re.sub(r"[\s_.\-]+", "", text.lower())


@cache
def _confusable_table() -> dict[str, str]:
    """Every non-ASCII character the Unicode table lists as looking like an ASCII letter/digit."""
    data = json.loads(
        resources.files("confusable_homoglyphs").joinpath("confusables.json").read_text("utf-8")
    )
    table: dict[str, str] = {}
    for target in string.ascii_lowercase + string.digits:
        for source in (target, target.upper()):
            for entry in data.get(source, []):
                char = entry["c"].strip("\u200e")
                if len(char) == 1 and not char.isascii():
                    table.setdefault(char, target)
    return table


def skeleton(text: str) -> str:
    """How a label looks: homoglyphs, accents, leetspeak and rn/m folded to plain letters."""
    table = _confusable_table()
    folded = "".join(table.get(c, c) for c in unicodedata.normalize("NFKD", text))
    folded = "".join(c for c in folded if not unicodedata.combining(c)).lower()
    folded = "".join(table.get(c, c) for c in folded).translate(_LEET)
    for letters, lookalike in _MULTI_LETTER:
        folded = folded.replace(letters, lookalike)
    return folded


@dataclass(frozen=True)
class BrandMatch:
    brand: str
    how: str  # same_name, contains_brand, typosquat, homoglyph or mixed_script


def resembles_brand(label: str, brand: str) -> BrandMatch | None:
    """Whether a domain label or handle imitates `brand`, and how."""
    lowered, brand = label.lower(), brand.lower()
    flat = compact(lowered)
    if len(brand) < 3 or not flat:
        return None
    if lowered == brand:
        return BrandMatch(brand, "same_name")
    if flat == brand:
        return BrandMatch(brand, "typosquat")
    unicode_trick = not flat.isascii()
    look, brand_look = skeleton(flat), skeleton(brand)
    limit = 2 if len(brand) >= 9 else 1 if len(brand) >= 5 else 0
    if look == brand_look or (limit and DamerauLevenshtein.distance(look, brand_look) <= limit):
        if unicode_trick:
            return BrandMatch(brand, "mixed_script" if _mixed_script(flat) else "homoglyph")
        return BrandMatch(brand, "typosquat")
    if len(brand) >= 5 and (brand in flat or brand_look in look):
        return BrandMatch(brand, "homoglyph" if unicode_trick else "contains_brand")
    if len(brand) >= 8 and _fuzzy_contains(look, brand_look):
        return BrandMatch(brand, "homoglyph" if unicode_trick else "typosquat")
    return None


def _mixed_script(label: str) -> bool:
    scripts = set(categories.unique_aliases(label)) - {"COMMON"}
    return len(scripts) > 1


def _fuzzy_contains(text: str, brand: str) -> bool:
    """The brand, with one typo, somewhere inside a longer label ("demoexchnage-help")."""
    for size in (len(brand) - 1, len(brand), len(brand) + 1):
        for start in range(len(text) - size + 1):
            if DamerauLevenshtein.distance(text[start : start + size], brand) <= 1:
                return True
    return False


def phone_digits(raw: str) -> tuple[str, bool]:
    """(digits, whether written in international form with + or 00)."""
    value = raw.strip().lower().removeprefix("tel:").strip()
    international = value.startswith(("+", "00"))
    digits = re.sub(r"\D", "", value)
    if value.startswith("00"):
        digits = digits[2:]
    return digits, international
