"""Who may look at a document is decided by the caller that asked for it to be stored.

A caller registers one policy per purpose, usually in its AppConfig.ready():

    register_access_policy("application", application_document_viewer)

A policy is called with a signed-in person and the document and answers with the reason
the person may see it ("applicant", "reviewer of store 3", "supervisor"), written to the
access log, or None to refuse. A purpose with no policy is refused to everyone.
"""

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from govstore.accounts.models import User
    from govstore.documents.models import Document

AccessPolicy = Callable[["User", "Document"], str | None]

_policies: dict[str, AccessPolicy] = {}


def register_access_policy(purpose: str, policy: AccessPolicy) -> None:
    """Registering a purpose again replaces its policy (tests swap policies in)."""
    if not purpose:
        raise ValueError("A document purpose is needed to register an access policy.")
    _policies[purpose] = policy


def access_policy_for(purpose: str) -> AccessPolicy | None:
    return _policies.get(purpose)
