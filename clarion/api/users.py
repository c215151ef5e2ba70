"""Users of the workspace, read-only: GET /api/v1/users."""

from ninja import Router, Schema
from ninja.pagination import paginate

from clarion.accounts.models import User
from clarion.api.auth import scope_required
from clarion.api.pagination import CursorPagination

router = Router(tags=["users"], auth=scope_required("users:read"))


class UserOut(Schema):
    id: int
    email: str
    first_name: str
    last_name: str
    is_active: bool
    role: str | None
    teams: list[str]

    @staticmethod
    def resolve_role(user: User) -> str | None:
        return user.role.name if user.role else None

    @staticmethod
    def resolve_teams(user: User) -> list[str]:
        return [team.name for team in user.teams.all()]


@router.get("", response=list[UserOut], url_name="list_users", summary="List users",
            description="Needs the `users:read` scope. Ordered by email.")
@paginate(CursorPagination, order_by="email")
def list_users(request):
    return User.objects.select_related("role").prefetch_related("teams")
