"""Settings → Vocabularies: the company's lists and trees of terms, in its own words."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from business.forms import (
    TermForm,
    VocabularyForm,
)
from business.models import Term
from business.selectors import (
    terms_as_tree,
    vocabularies_with_terms,
    vocabulary_get,
)
from business.services import (
    term_add,
    term_retire,
    term_update,
    vocabulary_create,
)
from tenants.decorators import admin_required
from ui.forms import form_errors_add, int_or_none


@admin_required
def vocabulary_list(request: HttpRequest) -> HttpResponse:
    form = VocabularyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            vocabulary = vocabulary_create(actor=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, f"Added the vocabulary “{vocabulary.label}”.")
            return redirect("business_vocabulary", key=vocabulary.key)
    return render(
        request,
        "business/vocabulary_list.html",
        {"tab": "vocabularies", "vocabularies": vocabularies_with_terms(), "form": form},
    )


@admin_required
def vocabulary_detail(request: HttpRequest, key: str) -> HttpResponse:
    vocabulary = vocabulary_get(key=key)
    form = (
        None if vocabulary.is_canonical else TermForm(request.POST or None, vocabulary=vocabulary)
    )
    if form is not None and request.method == "POST" and form.is_valid():
        try:
            term = term_add(actor=request.user, vocabulary=vocabulary, data=form.cleaned_data)
        except ValidationError as exc:
            form_errors_add(form, exc)
        else:
            messages.success(request, f"Added “{term.label}”.")
            return redirect("business_vocabulary", key=vocabulary.key)
    return render(
        request,
        "business/vocabulary_detail.html",
        {
            "tab": "vocabularies",
            "vocabulary": vocabulary,
            "tree": terms_as_tree(vocabulary),
            "form": form,
        },
    )


def _term(vocabulary_key: str, pk: int) -> Term:
    vocabulary = vocabulary_get(key=vocabulary_key)
    term = vocabulary.terms.select_related("vocabulary", "parent").filter(pk=pk).first()
    if term is None:
        from django.http import Http404

        raise Http404("No such term.")
    return term


@admin_required
@require_POST
def term_update_view(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    term = _term(key, pk)
    data: dict = {"label": request.POST.get("label", term.label)}
    if "parent" in request.POST:
        parent_id = int_or_none(request.POST.get("parent"))
        data["parent"] = term.vocabulary.terms.filter(pk=parent_id).first() if parent_id else None
    try:
        term_update(actor=request.user, term=term, data=data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Saved “{term.label}”.")
    return redirect("business_vocabulary", key=key)


@admin_required
@require_POST
def term_retire_view(request: HttpRequest, key: str, pk: int) -> HttpResponse:
    term = _term(key, pk)
    restore = request.POST.get("restore") == "1"
    try:
        term_retire(actor=request.user, term=term, retired=not restore)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("business_vocabulary", key=key)
    messages.success(
        request,
        f"Restored “{term.label}”."
        if restore
        else f"Retired “{term.label}”. Records keep it; forms stop offering it.",
    )
    return redirect("business_vocabulary", key=key)
