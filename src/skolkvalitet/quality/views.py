"""The follow-up pages: the status board, each unit's resultatdialog and the calendar
(årshjul). Views validate input, check permissions (quality/permissions.py) within the
user's scope, dispatch to quality/actions.py and render.

A unit outside the user's scope is 404; a page the user's roles do not open is 403."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from skolkvalitet.organisation.models import FollowUpPoint, Node, NodeKind, Term
from skolkvalitet.organisation.scopes import Scope, scope_for_request
from skolkvalitet.quality import actions, dialogue_figures, permissions, selectors
from skolkvalitet.quality.forms import (
    CommentForm,
    DialogueForm,
    PointAddForm,
    PointForm,
    ReturnForm,
)
from skolkvalitet.quality.models import DialogueStatus, FollowUpDialogue
from skolkvalitet.web.forms import form_attach_error


def _int_or_none(value: str | None) -> int | None:
    try:
        return int(value) if value else None
    except ValueError:
        return None


# -- the status board ------------------------------------------------------------------------


def _query(request: HttpRequest, name: str, *, formerly: str) -> str | None:
    """A query parameter by its Swedish name, as every page's (?punkt=, ?omrade=, ?status=;
    docs/results-pages.md); the English name the board first had is still read, so that old
    bookmarks and links keep their choice."""
    return request.GET.get(name) or request.GET.get(formerly)


@login_required
@require_GET
def board(request: HttpRequest) -> HttpResponse:
    scope = scope_for_request(request)
    if not permissions.may_see_board(scope):
        raise PermissionDenied
    points = selectors.follow_up_points()
    chosen = _int_or_none(_query(request, "punkt", formerly="point"))
    point = next((p for p in points if p.pk == chosen), None) or (
        selectors.follow_up_point_current(points)
    )
    areas = selectors.board_areas(scope)
    area_id = _int_or_none(_query(request, "omrade", formerly="area"))
    within = next((a for a in areas if a.pk == area_id), None)
    status = request.GET.get("status") or ""
    if status not in DialogueStatus.values:
        status = ""
    context: dict[str, object] = {
        "points": points,
        "point": point,
        "areas": areas,
        "within": within,
        "status": status,
        "statuses": DialogueStatus.choices,
        "today": timezone.localdate(),
        "may_edit_calendar": permissions.manages_calendar(scope),
    }
    if point is not None:
        context["board"] = selectors.status_board(
            scope=scope, point=point, within=within, status=status or None
        )
    return render(request, "quality/board.html", context)


# -- one dialogue ----------------------------------------------------------------------------


def _unit_and_point(request: HttpRequest, point_id: int, unit_id: int):
    """The unit (in scope, else 404) and the point, with the user's scope."""
    scope = scope_for_request(request)
    unit = get_object_or_404(Node.objects.select_related("parent"), pk=unit_id)
    if unit.kind != NodeKind.UNIT or not scope.can_see(unit):
        raise Http404
    point = get_object_or_404(
        FollowUpPoint.objects.select_related("term__academic_year"), pk=point_id
    )
    return scope, unit, point


def _dialogue_page(
    request: HttpRequest,
    *,
    scope: Scope,
    unit: Node,
    point: FollowUpPoint,
    dialogue: FollowUpDialogue | None,
    form: DialogueForm | None = None,
    comment_form: CommentForm | None = None,
    return_form: ReturnForm | None = None,
    status: int = 200,
) -> HttpResponse:
    may_write = permissions.may_write(scope, unit)
    editable = may_write and (dialogue is None or dialogue.is_editable)
    if editable and form is None:
        initial = {f: getattr(dialogue, f) for f in actions.TEXT_FIELDS} if dialogue else {}
        form = DialogueForm(initial=initial)
    context = {
        "unit": unit,
        "point": point,
        "dialogue": dialogue,
        "status": DialogueStatus(dialogue.status if dialogue else DialogueStatus.NOT_STARTED),
        "form": form if editable else None,
        "required_to_submit": DialogueForm.REQUIRED_TO_SUBMIT,
        "may_review": permissions.may_review(scope, unit),
        "may_comment": permissions.may_comment(scope, unit),
        "comment_form": comment_form or CommentForm(),
        "return_form": return_form or ReturnForm(),
        "comments": list(dialogue.comments.all()) if dialogue else [],
        "overdue": point.deadline < timezone.localdate()
        and (dialogue is None or dialogue.is_editable),
        "text_fields": _text_fields(dialogue),
        "figures": dialogue_figures.dialogue_figures(scope, unit=unit, point=point),
        "neighbours": dialogue_figures.neighbour_points(scope, unit=unit, point=point),
    }
    return render(request, "quality/dialogue.html", context, status=status)


def _text_fields(dialogue: FollowUpDialogue | None) -> list[tuple[str, str]]:
    """(label, text) of the four fields, for the read-only view."""
    form = DialogueForm()
    return [
        (str(form.fields[name].label), getattr(dialogue, name) if dialogue else "")
        for name in actions.TEXT_FIELDS
    ]


@login_required
@require_http_methods(["GET", "POST"])
def dialogue(request: HttpRequest, point_id: int, unit_id: int) -> HttpResponse:
    scope, unit, point = _unit_and_point(request, point_id, unit_id)
    found = selectors.dialogue_for(unit=unit, point=point)
    status = found.status if found else DialogueStatus.NOT_STARTED
    if not permissions.may_read(scope, unit, status):
        raise PermissionDenied
    if request.method == "GET":
        return _dialogue_page(request, scope=scope, unit=unit, point=point, dialogue=found)
    if not permissions.may_write(scope, unit):
        raise PermissionDenied
    if found is not None and not found.is_editable:
        messages.error(
            request,
            _(
                "The dialogue has been handed in and can no longer be changed. The organiser "
                "can return it to you."
            ),
        )
        return redirect("quality_dialogue", point_id=point.pk, unit_id=unit.pk)
    form = DialogueForm(request.POST)
    submit = request.POST.get("intent") == "submit"
    if form.is_valid():
        write = actions.dialogue_submit if submit else actions.dialogue_save_draft
        try:
            write(unit=unit, point=point, by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form_attach_error(form, error)
        else:
            messages.success(
                request,
                _("The dialogue was submitted to the organiser.")
                if submit
                else _("The draft was saved."),
            )
            return redirect("quality_dialogue", point_id=point.pk, unit_id=unit.pk)
    return _dialogue_page(
        request, scope=scope, unit=unit, point=point, dialogue=found, form=form, status=400
    )


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


@login_required
@require_POST
def dialogue_comment(request: HttpRequest, point_id: int, unit_id: int) -> HttpResponse:
    """Add a comment. With htmx the thread is returned as a fragment; without it the page
    is redirected to (or shown again with the form's errors)."""
    scope, unit, point = _unit_and_point(request, point_id, unit_id)
    if not permissions.may_comment(scope, unit):
        raise PermissionDenied
    form = CommentForm(request.POST)
    added = False
    if form.is_valid():
        try:
            actions.dialogue_comment(
                unit=unit, point=point, by=request.user, text=form.cleaned_data["text"]
            )
        except ValidationError as error:
            form_attach_error(form, error)
        else:
            added = True
    found = selectors.dialogue_for(unit=unit, point=point)
    if _is_htmx(request):
        context = {
            "unit": unit,
            "point": point,
            "comments": list(found.comments.all()) if found else [],
            "comment_form": CommentForm() if added else form,
            "may_comment": True,
            "added": added,
            "fragment": True,
        }
        return render(request, "quality/_comments.html", context)
    if added:
        messages.success(request, _("Your comment was added."))
        url = reverse("quality_dialogue", kwargs={"point_id": point.pk, "unit_id": unit.pk})
        return redirect(f"{url}#comments")
    return _dialogue_page(
        request,
        scope=scope,
        unit=unit,
        point=point,
        dialogue=found,
        comment_form=form,
        status=400,
    )


def _review(request: HttpRequest, point_id: int, unit_id: int):
    scope, unit, point = _unit_and_point(request, point_id, unit_id)
    if not permissions.may_review(scope, unit):
        raise PermissionDenied
    return scope, unit, point


@login_required
@require_POST
def dialogue_return(request: HttpRequest, point_id: int, unit_id: int) -> HttpResponse:
    scope, unit, point = _review(request, point_id, unit_id)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            actions.dialogue_return(
                unit=unit, point=point, by=request.user, comment=form.cleaned_data["comment"]
            )
        except ValidationError as error:
            if not hasattr(error, "error_dict"):  # not submitted (any more): nothing to fix
                messages.error(request, " ".join(error.messages))
                return redirect("quality_dialogue", point_id=point.pk, unit_id=unit.pk)
            form_attach_error(form, error)
        else:
            messages.success(request, _("The dialogue was returned to the head of unit."))
            return redirect("quality_dialogue", point_id=point.pk, unit_id=unit.pk)
    found = selectors.dialogue_for(unit=unit, point=point)
    return _dialogue_page(
        request,
        scope=scope,
        unit=unit,
        point=point,
        dialogue=found,
        return_form=form,
        status=400,
    )


@login_required
@require_POST
def dialogue_discussed(request: HttpRequest, point_id: int, unit_id: int) -> HttpResponse:
    _scope, unit, point = _review(request, point_id, unit_id)
    try:
        actions.dialogue_mark_discussed(unit=unit, point=point, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The dialogue was marked as discussed."))
    return redirect("quality_dialogue", point_id=point.pk, unit_id=unit.pk)


# -- the calendar (årshjul) ------------------------------------------------------------------


def _calendar_scope(request: HttpRequest) -> Scope:
    scope = scope_for_request(request)
    if not permissions.manages_calendar(scope):
        raise PermissionDenied
    return scope


@login_required
@require_GET
def calendar_current(request: HttpRequest) -> HttpResponse:
    _calendar_scope(request)
    today = timezone.localdate()
    start_year = today.year if today.month >= 8 else today.year - 1
    return redirect("quality_calendar", start_year=start_year)


@login_required
@require_http_methods(["GET", "POST"])
def calendar(request: HttpRequest, start_year: int) -> HttpResponse:
    _calendar_scope(request)
    if not 2000 <= start_year <= 2100:
        raise Http404
    form = PointAddForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        year_terms = Term.objects.filter(
            academic_year__code=f"{start_year}/{(start_year + 1) % 100:02d}",
            kind=form.cleaned_data["term"],
        )
        term = year_terms.first()
        if term is None:
            form.add_error(None, _("Create the year's calendar first."))
        else:
            try:
                point = actions.follow_up_point_add(
                    term=term,
                    name=form.cleaned_data["name"],
                    assessed_on=form.cleaned_data["assessed_on"],
                    deadline=form.cleaned_data["deadline"],
                )
            except ValidationError as error:
                form_attach_error(form, error)
            else:
                messages.success(request, _("%(point)s was added.") % {"point": point.name})
                return redirect("quality_calendar", start_year=start_year)
    year, terms = selectors.calendar_for_year(start_year=start_year)
    context = {
        "start_year": start_year,
        "year": year,
        "year_code": f"{start_year}/{(start_year + 1) % 100:02d}",
        "terms": terms,
        "form": form,
        "has_points": any(t.points for t in terms),
    }
    status = 400 if request.method == "POST" else 200
    return render(request, "quality/calendar.html", context, status=status)


@login_required
@require_POST
def calendar_defaults(request: HttpRequest, start_year: int) -> HttpResponse:
    _calendar_scope(request)
    if not 2000 <= start_year <= 2100:
        raise Http404
    actions.calendar_points_default(academic_year=start_year)
    messages.success(request, _("The default follow-up points are in the calendar."))
    return redirect("quality_calendar", start_year=start_year)


@login_required
@require_http_methods(["GET", "POST"])
def point_edit(request: HttpRequest, point_id: int) -> HttpResponse:
    _calendar_scope(request)
    point = get_object_or_404(
        FollowUpPoint.objects.select_related("term__academic_year"), pk=point_id
    )
    initial = {"name": point.name, "assessed_on": point.assessed_on, "deadline": point.deadline}
    form = PointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            actions.follow_up_point_update(point=point, **form.cleaned_data)
        except ValidationError as error:
            form_attach_error(form, error)
        else:
            messages.success(
                request, _("%(point)s was saved.") % {"point": form.cleaned_data["name"]}
            )
            return redirect("quality_calendar", start_year=point.term.academic_year.start_year)
    status = 400 if request.method == "POST" else 200
    return render(request, "quality/point_edit.html", {"point": point, "form": form}, status=status)


@login_required
@require_POST
def point_remove(request: HttpRequest, point_id: int) -> HttpResponse:
    _calendar_scope(request)
    point = get_object_or_404(
        FollowUpPoint.objects.select_related("term__academic_year"), pk=point_id
    )
    start_year = point.term.academic_year.start_year
    name = point.name
    try:
        actions.follow_up_point_remove(point=point)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("%(point)s was removed.") % {"point": name})
    return redirect("quality_calendar", start_year=start_year)
