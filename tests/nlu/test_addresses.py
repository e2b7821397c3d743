"""Address and txid recognition with real checksums: published vectors plus property tests."""

from __future__ import annotations

import hashlib
import string

import base58
import pytest
from eth_utils.address import to_checksum_address as reference_checksum_address
from hypothesis import assume, given
from hypothesis import strategies as st

from lifeline.nlu.addresses import (
    encode_base58check,
    encode_segwit,
    encode_stellar_account,
    encode_ton_address,
    find_addresses,
    find_txids,
    is_valid_eip55,
    scan,
    to_checksum_address,
    validate_address,
)

BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
BASE58_CHARSET = base58.BITCOIN_ALPHABET.decode()


def _verdict(address: str) -> tuple[str, str, bool] | None:
    match = validate_address(address)
    return (match.family, match.kind, match.valid) if match else None


def _is_accepted(address: str) -> bool:
    match = validate_address(address)
    return match is not None and match.valid


# --- published vectors -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("address", "family", "kind"),
    [
        ("1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa", "bitcoin", "p2pkh"),  # genesis block
        ("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy", "bitcoin", "p2sh"),  # BIP-13 era example
        # BIP-173
        ("BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T4", "bitcoin", "p2wpkh"),
        ("bc1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3qccfmv3", "bitcoin", "p2wsh"),
        ("tb1qrp33g0q5c5txsp9arysrx4k6zdkfs4nce4xj0gdcccefvpysxf3q0sl5k7", "bitcoin", "p2wsh"),
        # BIP-350 (bech32m for witness version 1 and above)
        ("bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqzk5jj0", "bitcoin", "p2tr"),
        ("tb1pqqqqp399et2xygdj5xreqhjjvcmzhxw4aywxecjdzew6hylgvsesf3hn0c", "bitcoin", "p2tr"),
        ("BC1SW50QGDZ25J", "bitcoin", "segwit-v16"),
        ("bc1zw508d6qejxtdg4y5r3zarvaryvaxxpcs", "bitcoin", "segwit-v2"),
        # EIP-55 examples: mixed case with a correct checksum, all caps, all lower
        ("0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "evm", "account"),
        ("0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359", "evm", "account"),
        ("0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB", "evm", "account"),
        ("0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb", "evm", "account"),
        ("0x52908400098527886E0F7030069857D2E4169EE7", "evm", "account"),
        ("0x8617E340B3D01FA5F11F306F4090FD50E238070D", "evm", "account"),
        ("0xde709f2102306220921060314715629080e2fb77", "evm", "account"),
        ("0x27b1fdb04752bbc536007a920d24acb045561c26", "evm", "account"),
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "tron", "account"),  # USDT-TRC20 contract
        ("rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTh", "xrp", "account"),  # XRP Ledger genesis account
        ("EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v", "solana", "account"),  # USDC mint
        ("GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN7", "stellar", "account"),
        ("EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHF", "ton", "account"),
        ("cosmos1hsk6jryyqjfhp5dhc55tc9jtckygx0eph6dd02", "cosmos", "account"),
    ],
)
def test_known_valid_addresses(address: str, family: str, kind: str) -> None:
    assert _verdict(address) == (family, kind, True)


@pytest.mark.parametrize(
    "address",
    [
        "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNb",  # genesis, last character changed
        "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLz",
        "BC1QW508D6QEJXTDG4Y5R3ZARVARY0C5XW7KV8F3T5",  # BIP-173: bad checksum
        "BC1QR508D6QEJXTDG4Y5R3ZARVARYV98GJ9P",  # BIP-173: bad v0 program length
        # BIP-350 invalid vectors
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqh2y7hd",  # bech32, not m
        "tb1z0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vqglt7rf",
        "BC1S0XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ54WELL",
        "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kemeawh",  # v0 with a bech32m checksum
        "tb1q0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq24jc47",
        "bc1p38j9r5y49hruaue7wxjce0updqjuyyx0kh56v8s25huc6995vvpql3jow4",  # 'o' not allowed
        "BC130XLXVLHEMJA6C4DQV22UAPCTQUPFHLXM9H8Z3K2E72Q4K9HCZ7VQ7ZWS8R",  # version 17
        "bc1pw5dgrnzv",  # one-byte program
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v8n0nx0muaewav253zgeav",
        "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq47Zagq",  # mixed case
        "bc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7v07qwwzcrf",  # padding
        "tb1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vpggkg4j",
        "bc1gmk9yu",  # empty data
        # EIP-55 examples with one letter's case flipped
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5D359",
        "0xdbf03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0x52908400098527886E0F7030069857D2E4169Ee7",
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAe",  # one hex digit short
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6T",
        "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj7t",
        "rHb9CJAWyB4rj91VRWn96DkukG4bwdtyTH",
        "GAAZI4TCR3TY5OJHCTJC2A4QSY6CJWJH5IAJTGKIN2ER7LBNVKOCCWN6",
        "EQDKbjIcfM6ezt8KjKJJLshZJJSqX7XOA4ff-W72r5gqPrHG",
        "cosmos1hsk6jryyqjfhp5dhc55tc9jtckygx0eph6dd03",
    ],
)
def test_corrupted_addresses_are_invalid(address: str) -> None:
    assert not _is_accepted(address)


def test_bech32_checksum_on_wrong_network_prefix_is_not_an_address() -> None:
    assert (
        validate_address("tc1p0xlxvlhemja6c4dqv22uapctqupfhlxm9h8z3k2e72q4k9hcz7vq5zuyut") is None
    )


def test_tron_address_from_its_public_key_hash() -> None:
    # A TRON address is base58 of 0x41 + 20-byte hash + the first 4 bytes of sha256(sha256(.)).
    payload = b"\x41" + bytes.fromhex("a614f803b6fd780986a42c78ec9c7f77e6ded13c")
    checksum = hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    address = base58.b58encode(payload + checksum).decode()
    assert address == "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"
    assert encode_base58check(payload) == address
    assert _verdict(address) == ("tron", "account", True)
    wrong_checksum = base58.b58encode(payload + bytes([checksum[0] ^ 1]) + checksum[1:]).decode()
    assert _verdict(wrong_checksum) == ("tron", "unknown", False)


def test_eip55_matches_the_specification_examples() -> None:
    for expected in (
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ):
        assert to_checksum_address(expected.lower()) == expected
        assert is_valid_eip55(expected)


def test_solana_needs_exactly_32_bytes() -> None:
    assert _verdict(base58.b58encode(bytes(range(1, 33))).decode()) == ("solana", "account", True)
    assert validate_address(base58.b58encode(bytes(range(1, 34))).decode()) is None


# --- recognition in text -----------------------------------------------------------------


def test_addresses_and_txids_are_found_next_to_chinese_text() -> None:
    text = (
        "我往TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t转账，哈希是"
        "9f2c5a0d41b7e6c38a1f0b2d4e6c8a0b1c3d5e7f9a2b4c6d8e0f1a3b5c7d9e1f，"
        "另外 0xABCDEF0123456789abcdef0123456789ABCDEF0123456789abcdef0123456789 也没到"
    )
    addresses, txids = scan(text)
    assert [(a.text, a.family, a.valid) for a in addresses] == [
        ("TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "tron", True)
    ]
    assert [(t.family, len(t.text)) for t in txids] == [("other", 64), ("evm", 66)]
    assert text[addresses[0].start : addresses[0].end] == addresses[0].text


def test_txid_inside_an_explorer_link() -> None:
    txid = "0x" + "3c" * 32
    found = find_txids(f"see https://etherscan.io/tx/{txid} please")
    assert [(t.text, t.family) for t in found] == [(txid, "evm")]


def test_solana_signature_is_a_txid() -> None:
    signature = base58.b58encode(bytes(range(100, 164))).decode()
    assert [t.family for t in find_txids(f"sig {signature} pending")] == ["solana"]


def test_wrong_length_evm_address_is_reported_invalid() -> None:
    found = find_addresses("send to 0x52908400098527886E0F7030069857D2E4169EE")
    assert [(a.family, a.kind, a.valid) for a in found] == [("evm", "bad-length", False)]


def test_plain_words_and_numbers_are_not_addresses() -> None:
    text = "Antidisestablishmentarianism 1234567890123456789012345678901234 hello"
    assert scan(text) == ([], [])


# --- property tests ----------------------------------------------------------------------

BASE58_VERSIONS = {
    0x00: "bitcoin",
    0x05: "bitcoin",
    0x41: "tron",
    0x30: "litecoin",
    0x1E: "dogecoin",
}


def _replace_char(text: str, index: int, alphabet: str, pick: int) -> str:
    choices = [c for c in alphabet if c != text[index]]
    return text[:index] + choices[pick % len(choices)] + text[index + 1 :]


@given(
    version=st.sampled_from(sorted(BASE58_VERSIONS)),
    payload=st.binary(min_size=20, max_size=20),
    position=st.integers(min_value=0),
    pick=st.integers(min_value=0),
)
def test_base58check_round_trip_and_single_character_change(
    version: int, payload: bytes, position: int, pick: int
) -> None:
    address = encode_base58check(bytes([version]) + payload)
    match = validate_address(address)
    assert match is not None and match.valid
    assert match.family == BASE58_VERSIONS[version]
    changed = _replace_char(address, position % len(address), BASE58_CHARSET, pick)
    assert not _is_accepted(changed)


@given(
    data=st.data(),
    hrp=st.sampled_from(["bc", "tb", "ltc"]),
    witness_version=st.integers(min_value=0, max_value=16),
)
def test_segwit_round_trip_and_single_character_change(
    data: st.DataObject, hrp: str, witness_version: int
) -> None:
    length = (
        data.draw(st.sampled_from([20, 32]))
        if witness_version == 0
        else data.draw(st.integers(min_value=2, max_value=40))
    )
    program = data.draw(st.binary(min_size=length, max_size=length))
    address = encode_segwit(hrp, witness_version, program)
    assert _is_accepted(address)
    assert _is_accepted(address.upper())
    data_start = len(hrp) + 1
    index = data.draw(st.integers(min_value=data_start, max_value=len(address) - 1))
    changed = _replace_char(address, index, BECH32_CHARSET, data.draw(st.integers(0)))
    assert not _is_accepted(changed)  # bech32 detects every single substitution


@given(raw=st.binary(min_size=20, max_size=20), pick=st.integers(min_value=0))
def test_eip55_agrees_with_eth_utils_and_detects_a_case_flip(raw: bytes, pick: int) -> None:
    address = to_checksum_address("0x" + raw.hex())
    assert address == reference_checksum_address("0x" + raw.hex())
    assert is_valid_eip55(address)
    letters = [i for i, c in enumerate(address) if i > 1 and c in string.ascii_letters]
    assume(len(letters) >= 2)
    index = letters[pick % len(letters)]
    flipped = address[:index] + address[index].swapcase() + address[index + 1 :]
    body = flipped[2:]
    assume(body != body.lower() and body != body.upper())
    assert not is_valid_eip55(flipped)


@given(key=st.binary(min_size=32, max_size=32), position=st.integers(0), pick=st.integers(0))
def test_stellar_round_trip_and_single_character_change(
    key: bytes, position: int, pick: int
) -> None:
    address = encode_stellar_account(key)
    assert _verdict(address) == ("stellar", "account", True)
    index = 1 + position % (len(address) - 1)
    changed = _replace_char(address, index, "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567", pick)
    assert not _is_accepted(changed)


@given(
    account=st.binary(min_size=32, max_size=32),
    workchain=st.sampled_from([0, -1]),
    bounceable=st.booleans(),
)
def test_ton_round_trip(account: bytes, workchain: int, bounceable: bool) -> None:
    address = encode_ton_address(workchain, account, bounceable)
    assert _verdict(address) == ("ton", "account", True)
    assert [a.text for a in find_addresses(f"充到 {address} 了")] == [address]


def test_a_tron_address_that_starts_like_a_testnet_segwit_one_is_tron() -> None:
    match = validate_address("TB115BhpCAFbjPUgniZ36TZYxNB67fPKzr")
    assert match is not None
    assert (match.family, match.valid) == ("tron", True)
    typo = validate_address("tb1qw508d6qejxtdg4y5r3zarvary0c5xw7kxpjzsy")  # one character off
    assert typo is not None and (typo.family, typo.valid) == ("bitcoin", False)
