"""Every write to ratings and complaints (one module each), importable from here."""

from govstore.feedback.services.complaints import (
    RemedyOrder,
    complaint_accept,
    complaint_acknowledge,
    complaint_answer,
    complaint_clocks_sweep,
    complaint_decide,
    complaint_escalate,
    complaint_file,
    complaint_reopen,
    complaint_withdraw,
    remedy_apology_write,
)
from govstore.feedback.services.ratings import (
    follow_up_close,
    rating_reply,
    rating_submit,
    refusal_message,
    store_rating_refresh,
    store_ratings_refresh_sweep,
)

__all__ = [
    "RemedyOrder",
    "complaint_accept",
    "complaint_acknowledge",
    "complaint_answer",
    "complaint_clocks_sweep",
    "complaint_decide",
    "complaint_escalate",
    "complaint_file",
    "complaint_reopen",
    "complaint_withdraw",
    "follow_up_close",
    "rating_reply",
    "rating_submit",
    "refusal_message",
    "remedy_apology_write",
    "store_rating_refresh",
    "store_ratings_refresh_sweep",
]
