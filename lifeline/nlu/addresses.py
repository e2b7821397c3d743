"""Blockchain addresses and transaction ids: recognition and checksum validation.

A string is classified by its shape (prefix, alphabet, length) and then validated with the
chain's own checksum: base58check (Bitcoin legacy, Litecoin, Dogecoin, TRON, XRP), bech32 and
bech32m (BIP-173 / BIP-350 segwit, Cosmos-style chains), EIP-55 mixed case (EVM), CRC16
(Stellar, TON). A string that clearly tries to be an address of a chain but fails that chain's
checksum is reported with ``valid=False`` so the customer can be warned before sending funds.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from dataclasses import dataclass
from typing import Final

import base58
import bech32m
from bech32m import codecs as bech32_codecs
from Crypto.Hash import keccak

BITCOIN_ALPHABET: Final = base58.BITCOIN_ALPHABET
XRP_ALPHABET: Final = base58.XRP_ALPHABET


@dataclass(frozen=True, slots=True)
class AddressMatch:
    text: str
    start: int
    end: int
    family: str  # bitcoin, litecoin, dogecoin, evm, tron, solana, xrp, stellar, ton, cosmos, ...
    kind: str  # p2pkh, p2sh, p2wpkh, p2wsh, p2tr, account, ...
    valid: bool


@dataclass(frozen=True, slots=True)
class TxidMatch:
    text: str
    start: int
    end: int
    family: str  # evm (0x + 64 hex), solana (base58 signature), other (bare 64 hex)


# Boundaries are ASCII-only on purpose: Chinese text often touches an address directly.
_TOKEN = re.compile(r"(?<![0-9A-Za-z])[0-9A-Za-z]{25,110}(?![0-9A-Za-z])")
_TON_TOKEN = re.compile(r"(?<![0-9A-Za-z_+=-])[EUk0][Qf][0-9A-Za-z_+/-]{46}(?![0-9A-Za-z_+/=-])")
_HEX = re.compile(r"[0-9a-fA-F]+")
_BASE58_CHARS: Final = frozenset(BITCOIN_ALPHABET.decode())
_XRP_CHARS: Final = frozenset(XRP_ALPHABET.decode())
_BASE32_CHARS: Final = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567")

# (family, kind) per base58check version byte of a 21-byte payload.
_BASE58_VERSIONS: Final[dict[int, tuple[str, str]]] = {
    0x00: ("bitcoin", "p2pkh"),
    0x05: ("bitcoin", "p2sh"),
    0x6F: ("bitcoin", "testnet-p2pkh"),
    0xC4: ("bitcoin", "testnet-p2sh"),
    0x41: ("tron", "account"),
    0x30: ("litecoin", "p2pkh"),
    0x32: ("litecoin", "p2sh"),
    0x1E: ("dogecoin", "p2pkh"),
    0x16: ("dogecoin", "p2sh"),
}
# Mainnet prefixes that make a failed checksum worth reporting as an invalid address.
_BASE58_PREFIX_FAMILY: Final[dict[str, str]] = {
    "1": "bitcoin",
    "3": "bitcoin",
    "T": "tron",
    "L": "litecoin",
    "M": "litecoin",
    "D": "dogecoin",
}
# Longest prefix first: "bcrt1" must not be read as "bc" + data.
_SEGWIT_HRPS: Final[dict[str, str]] = {
    "bcrt": "bitcoin",
    "bc": "bitcoin",
    "tb": "bitcoin",
    "ltc": "litecoin",
    "tltc": "litecoin",
}
_BECH32_HRPS: Final[dict[str, str]] = {
    "cosmos": "cosmos",
    "osmo": "osmosis",
    "inj": "injective",
    "kava": "kava",
    "bnb": "bnb-beacon",
    "addr": "cardano",
}
_BECH32_CHARSET: Final = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_STELLAR_ACCOUNT_VERSION: Final = 6 << 3
_TON_TAGS: Final = frozenset({0x11, 0x51, 0x91, 0xD1})


# --- checksum primitives -------------------------------------------------------------------


def _sha256d(data: bytes) -> bytes:
    return hashlib.sha256(hashlib.sha256(data).digest()).digest()


def crc16_xmodem(data: bytes) -> int:
    """CRC-16/XMODEM (poly 0x1021, init 0), used by Stellar StrKey and TON addresses."""
    return binascii.crc_hqx(data, 0)


def keccak256(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


# --- encoders (the inverse of the validators; tests and demo data use them) ---------------


def encode_base58check(payload: bytes, alphabet: bytes = BITCOIN_ALPHABET) -> str:
    """Base58check of ``payload`` (version byte included)."""
    return base58.b58encode(payload + _sha256d(payload)[:4], alphabet=alphabet).decode()


def encode_segwit(hrp: str, witness_version: int, program: bytes) -> str:
    """Segwit address: bech32 for witness version 0, bech32m for 1..16 (BIP-350)."""
    return str(bech32m.encode(hrp, witness_version, program))


def to_checksum_address(address: str) -> str:
    """EIP-55 mixed-case form of a 0x + 40 hex address."""
    hex40 = address[2:].lower() if address[:2] in ("0x", "0X") else address.lower()
    digest = keccak256(hex40.encode("ascii")).hex()
    return "0x" + "".join(
        char.upper() if char.isalpha() and int(digest[i], 16) >= 8 else char
        for i, char in enumerate(hex40)
    )


def encode_stellar_account(public_key: bytes) -> str:
    payload = bytes([_STELLAR_ACCOUNT_VERSION]) + public_key
    return base64.b32encode(payload + crc16_xmodem(payload).to_bytes(2, "little")).decode()


def encode_ton_address(workchain: int, account_hash: bytes, bounceable: bool = True) -> str:
    body = bytes([0x11 if bounceable else 0x51, workchain & 0xFF]) + account_hash
    return base64.urlsafe_b64encode(body + crc16_xmodem(body).to_bytes(2, "big")).decode()


# --- validators ----------------------------------------------------------------------------


def is_valid_eip55(address: str) -> bool:
    """True for all-lower or all-upper hex (no checksum to check) or a correct EIP-55 case."""
    hex40 = address[2:]
    if len(hex40) != 40 or _HEX.fullmatch(hex40) is None:
        return False
    if hex40 == hex40.lower() or hex40 == hex40.upper():
        return True
    return to_checksum_address(address)[2:] == hex40


def _base58_decode(token: str, alphabet: bytes) -> bytes | None:
    try:
        return base58.b58decode(token, alphabet=alphabet)
    except ValueError:
        return None


def _base58check_payload(raw: bytes) -> bytes | None:
    payload, checksum = raw[:-4], raw[-4:]
    return payload if _sha256d(payload)[:4] == checksum else None


def _segwit_kind(witness_version: int, program_length: int) -> str:
    if witness_version == 0:
        return "p2wpkh" if program_length == 20 else "p2wsh"
    if witness_version == 1 and program_length == 32:
        return "p2tr"
    return f"segwit-v{witness_version}"


def _bech32_checksum_ok(text: str) -> bool:
    """Plain bech32 checksum with no length cap (Cardano addresses exceed BIP-173's 90)."""
    if text.lower() != text and text.upper() != text:
        return False
    lowered = text.lower()
    hrp, _, data_part = lowered.rpartition("1")
    if not hrp or len(data_part) < 6 or any(c not in _BECH32_CHARSET for c in data_part):
        return False
    values = bytes(_BECH32_CHARSET.index(c) for c in data_part)
    return int(bech32_codecs.bech32_polymod(bech32_codecs.bech32_hrp_expand(hrp) + values)) == 1


def _classify_bech32(token: str) -> tuple[str, str, bool] | None:
    lowered = token.lower()
    for hrp, family in _SEGWIT_HRPS.items():
        if lowered.startswith(hrp + "1"):
            try:
                decoded = bech32m.decode(hrp, token)
            except bech32m.DecodeError:
                # A valid base58 address may start the same way (TRON's "TB1...").
                base58 = _classify_base58(token)
                return base58 if base58 is not None and base58[2] else (family, "segwit", False)
            version, program = int(decoded.witver), bytes(decoded.witprog)
            return family, _segwit_kind(version, len(program)), True
    for hrp, family in _BECH32_HRPS.items():
        if lowered.startswith(hrp + "1"):
            return family, "account", _bech32_checksum_ok(token)
    return None


def _looks_deliberate(token: str) -> bool:
    """Real base58 addresses mix digits, upper and lower case; plain words do not."""
    return any(c.isdigit() for c in token) and token.lower() != token and token.upper() != token


def _classify_base58(token: str) -> tuple[str, str, bool] | None:
    if token[0] == "r" and 25 <= len(token) <= 35 and set(token) <= _XRP_CHARS:
        raw = _base58_decode(token, XRP_ALPHABET)
        payload = _base58check_payload(raw) if raw is not None and len(raw) == 25 else None
        return "xrp", "account", payload is not None and payload[0] == 0
    if set(token) <= _BASE58_CHARS:
        raw = _base58_decode(token, BITCOIN_ALPHABET)
        if raw is not None and len(raw) == 25:
            payload = _base58check_payload(raw)
            if payload is not None and payload[0] in _BASE58_VERSIONS:
                family, kind = _BASE58_VERSIONS[payload[0]]
                return family, kind, True
        # All-digit strings are long numbers (order ids, phone numbers), not keys.
        if raw is not None and len(raw) == 32 and 32 <= len(token) <= 44 and not token.isdigit():
            return "solana", "account", True
    prefix_family = _BASE58_PREFIX_FAMILY.get(token[0])
    if prefix_family is not None and 26 <= len(token) <= 35 and _looks_deliberate(token):
        return prefix_family, "unknown", False
    return None


def _classify_stellar(token: str) -> tuple[str, str, bool] | None:
    if len(token) != 56 or token[0] != "G" or not set(token) <= _BASE32_CHARS:
        return None
    raw = base64.b32decode(token)
    body, checksum = raw[:-2], raw[-2:]
    valid = body[0] == _STELLAR_ACCOUNT_VERSION and crc16_xmodem(body).to_bytes(2, "little") == (
        checksum
    )
    return "stellar", "account", valid


def _classify_ton(token: str) -> tuple[str, str, bool]:
    try:
        raw = base64.urlsafe_b64decode(token.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        return "ton", "account", False
    if len(raw) != 36 or raw[0] not in _TON_TAGS or raw[1] not in (0x00, 0xFF):
        return "ton", "account", False
    return "ton", "account", crc16_xmodem(raw[:34]).to_bytes(2, "big") == raw[34:]


def _classify_hex(token: str) -> tuple[str, str, bool] | str | None:
    """A txid family (str) or an address verdict for 0x / bare hex tokens."""
    prefixed = token[:2] in ("0x", "0X")
    body = token[2:] if prefixed else token
    if _HEX.fullmatch(body) is None:
        return None
    if len(body) == 64:
        return "evm" if prefixed else "other"
    if prefixed and len(body) == 40:
        return "evm", "account", is_valid_eip55(token)
    if prefixed and len(body) in (39, 41):
        return "evm", "bad-length", False
    return None


def classify(token: str) -> tuple[str, str, bool] | str | None:
    """Classify one whitespace-free token.

    Returns a txid family (``str``), an address verdict ``(family, kind, valid)``, or None
    when the token is neither.
    """
    verdict = _classify_hex(token)
    if verdict is not None or token[:2] in ("0x", "0X"):
        return verdict
    if (bech32_verdict := _classify_bech32(token)) is not None:
        return bech32_verdict
    if len(token) == 48 and token[:2] in ("EQ", "UQ", "Ef", "Uf", "kQ", "0Q"):
        return _classify_ton(token)
    if (stellar := _classify_stellar(token)) is not None:
        return stellar
    if 86 <= len(token) <= 88 and set(token) <= _BASE58_CHARS:
        raw = _base58_decode(token, BITCOIN_ALPHABET)
        return "solana" if raw is not None and len(raw) == 64 else None
    return _classify_base58(token)


def scan(text: str) -> tuple[list[AddressMatch], list[TxidMatch]]:
    """All addresses (valid or not) and txids in ``text``, in order of appearance."""
    addresses: list[AddressMatch] = []
    txids: list[TxidMatch] = []
    taken: list[tuple[int, int]] = []
    for pattern in (_TON_TOKEN, _TOKEN):
        for match in pattern.finditer(text):
            start, end = match.span()
            if any(s < end and start < e for s, e in taken):
                continue
            verdict = classify(match.group())
            if isinstance(verdict, tuple) and not verdict[2] and text[start - 1 : start] == "=":
                continue  # a URL parameter ("?session=T9x...") that merely looks like one
            if isinstance(verdict, str):
                txids.append(TxidMatch(match.group(), start, end, verdict))
            elif verdict is not None:
                family, kind, valid = verdict
                addresses.append(AddressMatch(match.group(), start, end, family, kind, valid))
            else:
                continue
            taken.append((start, end))
    addresses.sort(key=lambda a: a.start)
    txids.sort(key=lambda t: t.start)
    return addresses, txids


def find_addresses(text: str) -> list[AddressMatch]:
    return scan(text)[0]


def find_txids(text: str) -> list[TxidMatch]:
    return scan(text)[1]


def validate_address(address: str) -> AddressMatch | None:
    """Classify a single address string (e.g. a withdrawal form field)."""
    candidate = address.strip()
    verdict = classify(candidate) if candidate else None
    if verdict is None or isinstance(verdict, str):
        return None
    family, kind, valid = verdict
    return AddressMatch(candidate, 0, len(candidate), family, kind, valid)
