"""Recipients' pages: unsubscribe, the preference centre and double opt-in confirmation."""

from django.http import Http404


def unsubscribe(request, token):
    raise Http404


def preferences(request, token):
    raise Http404


def confirm(request, token):
    raise Http404
