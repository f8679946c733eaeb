"""Every write to ratings, complaints and supervisors' decisions (a module each),
importable from here."""

from govstore.feedback.services.complaints import (
    complaint_accept,
    complaint_acknowledge,
    complaint_answer,
    complaint_escalate,
    complaint_file,
    complaint_reopen,
    complaint_withdraw,
)
from govstore.feedback.services.decisions import (
    RemedyOrder,
    complaint_clocks_sweep,
    complaint_decide,
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
