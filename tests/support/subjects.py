"""Valid subject numbers and registrations for tests."""

from __future__ import annotations

from itertools import count
from typing import Any

from chalicelib.codes.formats import uscc_check_char

_serial = count(1)


def uscc(seed: int | None = None) -> str:
    """A unified social credit code with a correct check character (registered in Licheng, 370112)."""
    n = next(_serial) if seed is None else seed
    first17 = f"9237011208{n:07d}"[:17]
    return first17 + uscc_check_char(first17)


def registration(name: str = "历城区草莓专业合作社", region: str = "370112", **extra: Any) -> dict[str, Any]:
    return {
        "name": name,
        "category": "production",
        "form": "cooperative",
        "number_kind": "uscc",
        "number": uscc(),
        "legal_representative": "张三",
        "contact_phone": "13800000001",
        "region": region,
        "address": "济南市历城区港沟街道",
        "industry": "planting",
        **extra,
    }
