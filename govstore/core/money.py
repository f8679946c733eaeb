"""Money is held as integer fen everywhere; yuan appear only when shown to a person."""


def format_fen(amount_fen: int) -> str:
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(int(amount_fen)), 100)
    return f"{sign}¥{yuan:,}.{fen:02d}"
