"""The key's own identity: GET /api/v1/me."""

from ninja import Router, Schema

from clarion.api.users import UserOut

router = Router(tags=["meta"])


class RootOut(Schema):
    name: str
    version: str
    links: dict[str, str]


class KeyOut(Schema):
    name: str
    prefix: str
    scopes: list[str]


class MeOut(Schema):
    user: UserOut
    key: KeyOut


@router.get("", response=MeOut, url_name="me", summary="The key and its user",
            description="Works with any valid key, whatever its scopes.")
def me(request):
    key = request.auth
    return {"user": key.user, "key": key}
