"""Personal data as agents see it by default: masked, until they reveal it (audited)."""

from __future__ import annotations


def mask_email(email: str | None) -> str | None:
    if not email or "@" not in email:
        return email
    local, _, domain = email.partition("@")
    shown = local[0] if len(local) <= 2 else f"{local[0]}{'*' * min(len(local) - 2, 6)}{local[-1]}"
    return f"{shown}@{domain}"


def mask_name(name: str | None) -> str | None:
    if not name:
        return name
    parts = name.split()
    if len(parts) == 1:
        # Chinese names are usually written without spaces: keep the family name only.
        return name[0] + "*" * (len(name) - 1)
    return " ".join(part[0] + "*" * max(len(part) - 1, 1) for part in parts)
