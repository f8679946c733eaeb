"""Conversation pages. Every one reads and sends by plain form posts, so the chat works
without JavaScript; static/messaging/chat.js upgrades the same page to a live one.

Views stay thin: reads go through the selectors (which check who is asking), writes
through the services; a refused write shows its message and changes nothing.
"""

from typing import Any

from django.conf import settings
from django.contrib import messages as flash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from govstore.accounts.models import User
from govstore.applications.events import snapshot_text
from govstore.applications.selectors import application_get_for_actor, staff_roles
from govstore.applications.services import FILING_STATUSES
from govstore.core.i18n import localized
from govstore.core.pagination import paginate
from govstore.core.ratelimit import ratelimit
from govstore.messaging import export, selectors, services
from govstore.messaging.constants import PAGE_MESSAGES, ConversationKind, Side
from govstore.messaging.forms import (
    FileOntoApplicationForm,
    InboxFilterForm,
    MessageForm,
    QuickReplyForm,
)
from govstore.messaging.models import Conversation, Message, QuickReply
from govstore.stores.constants import StaffRole
from govstore.stores.models import Store

# Codes of message_send's refusals that belong beside the text box, or to no field.
BODY_ERRORS = {"empty", "too_long", None}
PAGE_ERRORS = {"rate_limited"}


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)
    return request.user


def page_url(conversation: Conversation, viewer: selectors.Viewer) -> str:
    """Where a person reads this conversation: citizens on their application's (or the
    store's) chat page, staff and supervisors on the staff page."""
    if viewer.side != Side.CITIZEN:
        return reverse("messaging:staff_conversation", kwargs={"pk": conversation.pk})
    if conversation.kind == ConversationKind.APPLICATION:
        assert conversation.application is not None
        return reverse(
            "messaging:application", kwargs={"reference": conversation.application.reference}
        )
    return reverse("messaging:presale", kwargs={"slug": conversation.store.slug})


def _send(request: HttpRequest, conversation: Conversation) -> tuple[MessageForm, list[str]]:
    """Handle the page's send form; on success the caller redirects (post/redirect/get)."""
    form = MessageForm(request.POST, request.FILES)
    page_errors: list[str] = []
    if not form.is_valid():
        return form, page_errors
    image = form.cleaned_data.get("image")
    try:
        services.message_send(
            actor=_user(request),
            conversation=conversation,
            body=form.cleaned_data.get("body") or "",
            image=image,
        )
    except ValidationError as error:
        for item in error.error_list:
            text = " ".join(str(message) for message in item.messages)
            if item.code in PAGE_ERRORS:
                page_errors.append(text)
            elif item.code in BODY_ERRORS or image is None:
                form.add_error("body", text)
            else:
                form.add_error("image", text)
    except PermissionDenied as error:
        page_errors.append(str(error))
    return form, page_errors


def _required_documents(conversation: Conversation) -> list[tuple[str, str]]:
    application = conversation.application
    if application is None or application.status not in FILING_STATUSES:
        return []
    return [
        (doc["key"], snapshot_text(doc, "title"))
        for doc in application.service_snapshot.get("required_documents", [])
    ]


def _entries(
    conversation: Conversation, viewer: selectors.Viewer, rows: list[Message], user: User
) -> list[dict[str, Any]]:
    window = int(settings.MESSAGING_RECALL_SECONDS)
    now = timezone.now()
    titles = dict(_required_documents(conversation))
    all_titles = {
        doc["key"]: snapshot_text(doc, "title")
        for doc in (
            conversation.application.service_snapshot.get("required_documents", [])
            if conversation.application
            else []
        )
    }
    entries = []
    for message in rows:
        mine = message.sender_id == user.pk
        entries.append(
            {
                "message": message,
                "label": selectors.sender_label_text(message, conversation.store),
                "mine": mine,
                "own_side": message.sender_side == viewer.side,
                "can_recall": mine
                and not message.is_recalled
                and not message.filed_as
                and (now - message.created_at).total_seconds() < window,
                "can_file": viewer.can_file
                and bool(titles)
                and message.document_id is not None
                and not message.is_recalled
                and message.sender_side == Side.CITIZEN,
                "filed_title": all_titles.get(message.filed_as, message.filed_as),
            }
        )
    return entries


def _conversation_page(
    request: HttpRequest,
    *,
    conversation: Conversation | None,
    viewer: selectors.Viewer,
    store: Store,
    title: str,
    form: MessageForm | None = None,
    page_errors: list[str] | None = None,
    back_url: str = "",
    status: int = 200,
) -> HttpResponse:
    user = _user(request)
    entries: list[dict[str, Any]] = []
    page_obj = None
    if conversation is not None:
        page_obj = paginate(
            request,
            conversation.messages.select_related("document").order_by("-seq"),
            PAGE_MESSAGES,
        )
        rows = list(reversed(list(page_obj.object_list)))
        entries = _entries(conversation, viewer, rows, user)
        if viewer.side and page_obj.number == 1 and conversation.last_seq:
            # Seeing the newest page is reading it: the other side gets its receipt.
            services.conversation_mark_read(
                actor=user, conversation=conversation, up_to_seq=conversation.last_seq
            )
    other_side = Side.STORE if viewer.side == Side.CITIZEN else Side.CITIZEN
    other_read = selectors.read_seq(conversation, other_side) if conversation is not None else 0
    context = {
        "conversation": conversation,
        "viewer": viewer,
        "store": store,
        "title": title,
        "entries": entries,
        "page_obj": page_obj,
        "live": page_obj is None or page_obj.number == 1,
        "last_seq": conversation.last_seq if conversation is not None else 0,
        "other_read": other_read,
        "form": form or MessageForm(),
        "page_errors": page_errors or [],
        "back_url": back_url,
        "quick_replies": (
            list(selectors.quick_replies(store)) if viewer.side == Side.STORE else []
        ),
        "file_choices": _required_documents(conversation)
        if conversation and viewer.can_file
        else [],
        "store_label": localized(store, "name"),
        "recall_seconds": int(settings.MESSAGING_RECALL_SECONDS),
    }
    return render(request, "messaging/conversation.html", context, status=status)


# --- Citizen pages ----------------------------------------------------------------------


def _send_and_show(
    request: HttpRequest,
    *,
    conversation: Conversation,
    viewer: selectors.Viewer,
    store: Store,
    title: str,
    back_url: str,
) -> HttpResponse:
    """A posted message: back to the newest message when it was sent, else the page
    again with the form and what stopped it."""
    form, errors = _send(request, conversation)
    if not form.errors and not errors:
        return redirect(f"{request.path}#latest")
    return _conversation_page(
        request,
        conversation=conversation,
        viewer=viewer,
        store=store,
        title=title,
        form=form,
        page_errors=errors,
        back_url=back_url,
        status=400,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit("message", key="user")
def application_conversation(request: HttpRequest, reference: str) -> HttpResponse:
    """The chat about one application. Its citizen reads and writes here; staff are
    sent to their own page for the same conversation."""
    user = _user(request)
    application = application_get_for_actor(actor=user, reference=reference)
    existing = Conversation.objects.filter(
        kind=ConversationKind.APPLICATION, application=application
    ).first()
    if application.citizen_id != user.pk:
        if existing is not None and selectors.conversation_viewer(user, existing) is None:
            raise Http404(_("No conversation here is open to you."))
        try:
            conversation = existing or services.conversation_for_application(
                actor=user, application=application
            )
        except PermissionDenied:
            raise Http404(_("No conversation here is open to you.")) from None
        return redirect("messaging:staff_conversation", pk=conversation.pk)
    viewer = selectors.Viewer(side=Side.CITIZEN, reason="citizen")
    title = _("Messages about %(reference)s") % {"reference": application.reference}
    back_url = reverse("applications:detail", kwargs={"reference": application.reference})
    if request.method == "POST":
        conversation = existing or services.conversation_for_application(
            actor=user, application=application
        )
        return _send_and_show(
            request,
            conversation=conversation,
            viewer=viewer,
            store=application.store,
            title=title,
            back_url=back_url,
        )
    return _conversation_page(
        request,
        conversation=existing,
        viewer=viewer,
        store=application.store,
        title=title,
        back_url=back_url,
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit("message", key="user")
def presale_conversation(request: HttpRequest, slug: str) -> HttpResponse:
    """A citizen's questions to a store before applying."""
    user = _user(request)
    store = get_object_or_404(Store.objects.select_related("agency"), slug=slug)
    if staff_roles(user, store):
        return redirect("messaging:inbox")
    existing = Conversation.objects.filter(
        kind=ConversationKind.PRESALE, citizen=user, store=store
    ).first()
    viewer = selectors.Viewer(side=Side.CITIZEN, reason="citizen")
    title = _("Ask %(store)s") % {"store": localized(store, "name")}
    back_url = reverse("stores:store_detail", kwargs={"slug": store.slug})
    if request.method == "POST":
        if existing is not None:
            return _send_and_show(
                request,
                conversation=existing,
                viewer=viewer,
                store=store,
                title=title,
                back_url=back_url,
            )
        page_errors: list[str] = []
        form: MessageForm | None = None
        # The conversation opens with its first message or not at all: a refused first
        # message leaves no empty conversation behind.
        with transaction.atomic():
            try:
                conversation = services.conversation_presale_open(actor=user, store=store)
            except (PermissionDenied, ValidationError) as error:
                page_errors = error.messages if isinstance(error, ValidationError) else [str(error)]
            else:
                form, page_errors = _send(request, conversation)
                if not form.errors and not page_errors:
                    return redirect(f"{request.path}#latest")
            transaction.set_rollback(True)
        return _conversation_page(
            request,
            conversation=None,
            viewer=viewer,
            store=store,
            title=title,
            form=form,
            page_errors=list(page_errors),
            back_url=back_url,
            status=400,
        )
    return _conversation_page(
        request, conversation=existing, viewer=viewer, store=store, title=title, back_url=back_url
    )


@login_required
def my_conversations(request: HttpRequest) -> HttpResponse:
    page_obj = paginate(request, selectors.citizen_conversations(actor=_user(request)))
    return render(request, "messaging/mine.html", {"page_obj": page_obj})


# --- Staff pages ------------------------------------------------------------------------


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    stores = selectors.answering_stores(user)
    if not stores:
        raise Http404(_("No inbox here is open to you."))
    form = InboxFilterForm(
        request.GET or None, stores=[(s.pk, localized(s, "name")) for s in stores]
    )
    chosen = None
    unread_only = False
    if form.is_bound and form.is_valid():
        chosen = next((s for s in stores if s.pk == form.cleaned_data.get("store")), None)
        unread_only = bool(form.cleaned_data.get("unread"))
    conversations = selectors.staff_inbox(actor=user, store=chosen, unread_only=unread_only)
    page_obj = paginate(request, conversations)
    return render(
        request,
        "messaging/inbox.html",
        {
            "page_obj": page_obj,
            "form": form,
            "several_stores": len(stores) > 1,
            "unread_total": selectors.staff_unread_total(actor=user),
            "can_manage_replies": any(
                StaffRole.STORE_ADMIN in staff_roles(user, store) for store in stores
            ),
        },
    )


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
@ratelimit("message", key="user")
def staff_conversation(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    conversation, viewer = selectors.conversation_open_for_actor(actor=user, pk=pk)
    if viewer.side == Side.CITIZEN:
        return redirect(page_url(conversation, viewer))
    if conversation.application is not None:
        title = _("Messages about %(reference)s") % {
            "reference": conversation.application.reference
        }
    else:
        title = _("Question before applying")
    back_url = reverse("messaging:inbox") if viewer.side == Side.STORE else ""
    if request.method == "POST":
        if not viewer.can_send:
            raise PermissionDenied
        return _send_and_show(
            request,
            conversation=conversation,
            viewer=viewer,
            store=conversation.store,
            title=title,
            back_url=back_url,
        )
    return _conversation_page(
        request,
        conversation=conversation,
        viewer=viewer,
        store=conversation.store,
        title=title,
        back_url=back_url,
    )


def _message(
    request: HttpRequest, pk: int, seq: int
) -> tuple[Conversation, selectors.Viewer, Message]:
    conversation, viewer = selectors.conversation_open_for_actor(
        actor=_user(request), pk=pk, what="action"
    )
    message = selectors.message_by_seq(conversation=conversation, seq=seq)
    if message is None:
        raise Http404(_("No such message in this conversation."))
    return conversation, viewer, message


@login_required
@require_POST
def recall(request: HttpRequest, pk: int, seq: int) -> HttpResponse:
    conversation, viewer, message = _message(request, pk, seq)
    try:
        services.message_recall(actor=_user(request), message=message)
    except (ValidationError, PermissionDenied) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        flash.error(request, text)
    else:
        flash.success(request, _("Message recalled."))
    return redirect(page_url(conversation, viewer) + "#latest")


@login_required
@require_POST
def file_onto_application(request: HttpRequest, pk: int, seq: int) -> HttpResponse:
    conversation, viewer, message = _message(request, pk, seq)
    form = FileOntoApplicationForm(request.POST, choices=_required_documents(conversation))
    if not form.is_valid():
        flash.error(request, _("Choose which of the application's documents this photo is."))
    else:
        try:
            services.message_file_onto_application(
                actor=_user(request), message=message, key=form.cleaned_data["key"]
            )
        except (ValidationError, PermissionDenied) as error:
            text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            flash.error(request, text)
        else:
            flash.success(
                request,
                _("The photo is filed as “%(title)s”.")
                % {"title": dict(form.fields["key"].choices).get(form.cleaned_data["key"], "")},  # type: ignore[attr-defined]
            )
    return redirect(page_url(conversation, viewer) + f"#m{message.seq}")


@login_required
def export_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    user = _user(request)
    conversation, _viewer = selectors.conversation_open_for_actor(actor=user, pk=pk, what="export")
    services.conversation_export_record(actor=user, conversation=conversation)
    pdf = export.conversation_pdf(conversation=conversation)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="conversation-{conversation.pk}.pdf"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def quick_replies(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    stores = [
        s for s in selectors.answering_stores(user) if StaffRole.STORE_ADMIN in staff_roles(user, s)
    ]
    if not stores:
        raise Http404(_("Only the store administrator manages quick replies."))
    store = stores[0]
    form = QuickReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.quick_reply_create(actor=user, store=store, text=form.cleaned_data["text"])
        except ValidationError as error:
            for message in error.message_dict.get("text", error.messages):
                form.add_error("text", message)
        else:
            flash.success(request, _("Quick reply added."))
            return redirect("messaging:quick_replies")
    page_obj = paginate(request, selectors.quick_replies(store))
    return render(
        request,
        "messaging/quick_replies.html",
        {"store": store, "form": form, "page_obj": page_obj},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def quick_reply_delete(request: HttpRequest, pk: int) -> HttpResponse:
    reply = get_object_or_404(QuickReply.objects.select_related("store"), pk=pk)
    try:
        services.quick_reply_delete(actor=_user(request), reply=reply)
    except PermissionDenied:
        raise Http404 from None
    flash.success(request, _("Quick reply deleted."))
    return redirect("messaging:quick_replies")
