"""How personal data is shown to people who need not act on it (GB/T 35273 7.2)."""


def mask_id_number(value: str) -> str:
    """``620102199001011234`` -> ``620102********1234``."""
    if len(value) < 10:
        return "*" * len(value)
    return f"{value[:6]}{'*' * (len(value) - 10)}{value[-4:]}"


def mask_mobile(value: str) -> str:
    """``13812345678`` -> ``138****5678``."""
    if len(value) < 7:
        return "*" * len(value)
    return f"{value[:3]}{'*' * (len(value) - 7)}{value[-4:]}"


def mask_name(value: str) -> str:
    """``王建国`` -> ``王*国``; ``王伟`` -> ``王*``: for public notices."""
    if len(value) <= 1:
        return value
    if len(value) == 2:
        return value[0] + "*"
    return value[0] + "*" * (len(value) - 2) + value[-1]
