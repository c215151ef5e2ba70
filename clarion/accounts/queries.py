"""Reads for the accounts pages: people, invitations, teams, roles and the sign-in log."""

from datetime import timedelta

from django.db.models import Count, Prefetch, QuerySet
from django.utils import timezone

from clarion.accounts.models import Invitation, LoginAttempt, Role, Team, User

INVITATION_VALID_FOR = timedelta(days=7)
SIGN_IN_LOG_LIMIT = 200


def users_for_admin() -> QuerySet[User]:
    """Everyone, with role and teams loaded for the people list."""
    return User.objects.select_related("role").prefetch_related(
        Prefetch("teams", queryset=Team.objects.order_by("name")))


def pending_invitations() -> QuerySet[Invitation]:
    return Invitation.objects.filter(accepted_at__isnull=True,
                                     created_at__gte=timezone.now() - INVITATION_VALID_FOR)


def pending_invitations_for_admin() -> QuerySet[Invitation]:
    return (pending_invitations().select_related("role", "invited_by")
            .prefetch_related("teams").order_by("-created_at"))


def teams_with_member_counts() -> QuerySet[Team]:
    return Team.objects.annotate(member_count=Count("members"))


def roles_with_user_counts() -> QuerySet[Role]:
    return Role.objects.annotate(user_count=Count("users"))


def sign_in_log(*, email: str = "") -> list[LoginAttempt]:
    """The latest attempts, newest first, optionally only those for one email address."""
    attempts = LoginAttempt.objects.order_by("-at")
    if email.strip():
        attempts = attempts.filter(email__icontains=email.strip())
    return list(attempts[:SIGN_IN_LOG_LIMIT])
