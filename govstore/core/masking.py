"""Personal numbers are shown masked unless a page has a reason to show them whole."""


def mask_id_number(value: str) -> str:
    """370202199001011234 -> 370202********1234 (area code and last four kept)."""
    if not value:
        return ""
    if len(value) <= 10:
        return value[:2] + "*" * max(len(value) - 4, 0) + value[-2:]
    return value[:6] + "*" * (len(value) - 10) + value[-4:]


def mask_mobile(value: str) -> str:
    """13812345678 -> 138****5678."""
    if not value or len(value) < 7:
        return value
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张三丰 -> 张**: the family name alone identifies no one."""
    if not value:
        return ""
    return value[0] + "*" * (len(value) - 1)
