"""People and conversations for the chat tests."""

from clarion.accounts.models import Team
from clarion.accounts.services import create_user
from clarion.chat import services

PASSWORD = "correct horse battery"


def person(roles, email: str, first_name: str = "", role: str = "Sales", teams=()):
    return create_user(email=email, password=PASSWORD, first_name=first_name,
                       role=roles[role], teams=list(teams))


def team(name: str = "Sales") -> Team:
    return Team.objects.get_or_create(name=name)[0]


def team_channel(user):
    """The channel of the user's first team (created by syncing, as opening chat does)."""
    from clarion.chat.models import Conversation

    services.sync_team_channels(user)
    return Conversation.objects.get(kind="team", team__in=user.teams.all()[:1])


def deal_owned_by(owner, name: str = "Acme renewal"):
    from tests.crm.board_fixtures import default_pipeline, make_deal

    stage = default_pipeline().stages.order_by("position").first()
    return make_deal(owner, stage, name=name)
