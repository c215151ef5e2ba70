"""The deal board in a real browser: drag a card with the mouse, move one with the keyboard,
and a colleague watching the same board sees both moves arrive without reloading.

Websockets need an ASGI server, which pytest-django's live_server is not: the `asgi_url`
fixture (tests/browser/conftest.py) serves clarion.asgi with uvicorn."""

import pytest
from playwright.sync_api import Browser, Page, expect

from clarion.accounts.services import create_user
from clarion.crm.models import Deal
from tests.browser.conftest import assert_accessible, drag, login
from tests.crm.board_fixtures import PASSWORD, default_pipeline, make_deal

# Generous waits for what crosses processes and sockets, for a loaded 2-core machine.
LIVE = 15_000

pytestmark = [
    pytest.mark.browser, pytest.mark.django_db(transaction=True),
    # Static files reach uvicorn as synchronous streams (WhiteNoise), which Django warns about.
    pytest.mark.filterwarnings("ignore:StreamingHttpResponse must consume synchronous"),
]


def open_board(browser: Browser, base_url: str, email: str) -> Page:
    context = browser.new_context(viewport={"width": 1600, "height": 900}, locale="en-US",
                                  base_url=base_url, reduced_motion="reduce")
    context.set_default_timeout(10_000)
    page = context.new_page()
    login(page, email, PASSWORD)
    page.goto("/deals/board/")
    expect(page.locator("html[data-live-connected]")).to_have_count(1, timeout=LIVE)
    return page


def column(page: Page, stage) -> str:
    return f'.board-cards[data-stage="{stage.pk}"]'


def test_cards_move_by_mouse_and_keyboard_and_a_colleague_sees_it_live(browser, asgi_url,
                                                                       roles):
    owner = create_user(email="owner@example.com", password=PASSWORD, first_name="Olga",
                        role=roles["Admin"])
    colleague = create_user(email="manager@example.com", password=PASSWORD,
                            first_name="Max", role=roles["Sales manager"])
    stages = list(default_pipeline().stages.order_by("position"))
    dragged = make_deal(owner, stages[0], name="Dragged deal", amount="1000")
    keyed = make_deal(owner, stages[0], name="Keyed deal", amount="500")
    make_deal(owner, stages[2], name="Resting deal", amount="300")

    mine = open_board(browser, asgi_url, owner.email)
    theirs = open_board(browser, asgi_url, colleague.email)

    drag(mine, f"#deal-{dragged.pk}", column(mine, stages[2]))
    expect(mine.locator(f"{column(mine, stages[2])} #deal-{dragged.pk}")).to_be_visible()
    live_card = theirs.locator(f"{column(theirs, stages[2])} #deal-{dragged.pk}")
    expect(live_card).to_be_visible(timeout=LIVE)
    assert Deal.objects.get(pk=dragged.pk).stage == stages[2]

    mine.locator(f"#deal-{keyed.pk}").focus()
    mine.keyboard.press("Tab")  # the deal's link
    mine.keyboard.press("Tab")
    expect(mine.locator(f"#deal-{keyed.pk}-stage")).to_be_focused()
    for _ in range(3):
        mine.keyboard.press("ArrowDown")
    mine.keyboard.press("Tab")
    mine.keyboard.press("Enter")
    expect(mine.locator(f"{column(mine, stages[3])} #deal-{keyed.pk}")).to_be_visible()
    expect(mine.locator("#board-announcer")).to_contain_text("moved to")
    live_card = theirs.locator(f"{column(theirs, stages[3])} #deal-{keyed.pk}")
    expect(live_card).to_be_visible(timeout=LIVE)
    expect(theirs.locator(f'[data-stage-column="{stages[3].pk}"] [data-total="count"]')
           ).to_have_text("1", timeout=LIVE)
    assert Deal.objects.get(pk=keyed.pk).stage == stages[3]

    assert_accessible(mine)


def test_a_refused_move_snaps_back_with_a_reason(browser, asgi_url, roles):
    owner = create_user(email="owner@example.com", password=PASSWORD, role=roles["Admin"])
    reader = create_user(email="reader@example.com", password=PASSWORD,
                         role=roles["Read-only"])
    stages = list(default_pipeline().stages.order_by("position"))
    deal = make_deal(owner, stages[0], name="Look, don't touch")

    page = open_board(browser, asgi_url, reader.email)
    drag(page, f"#deal-{deal.pk}", column(page, stages[1]))

    expect(page.locator(".toast-error")).to_contain_text("not move it")
    expect(page.locator(f"{column(page, stages[0])} #deal-{deal.pk}")).to_be_visible()
    assert Deal.objects.get(pk=deal.pk).stage == stages[0]


def test_a_deal_page_says_who_just_changed_it_and_offers_a_reload(browser, asgi_url, roles):
    owner = create_user(email="owner@example.com", password=PASSWORD, first_name="Olga",
                        last_name="Berg", role=roles["Admin"])
    colleague = create_user(email="manager@example.com", password=PASSWORD,
                            role=roles["Sales manager"])
    stages = list(default_pipeline().stages.order_by("position"))
    deal = make_deal(owner, stages[0], name="Watched deal")
    board = open_board(browser, asgi_url, owner.email)
    reader = open_board(browser, asgi_url, colleague.email)
    reader.goto(f"/deals/{deal.pk}/")
    expect(reader.locator("html[data-live-connected]")).to_have_count(1, timeout=LIVE)

    board.locator(f"#deal-{deal.pk}-stage").select_option(str(stages[1].pk))
    board.locator(f"#deal-{deal.pk} [data-move-to]").click()

    notice = reader.locator("[data-live-notice]")
    expect(notice).to_contain_text("Updated by Olga Berg just now", timeout=LIVE)
    with reader.expect_navigation():
        notice.get_by_role("button", name="Reload").click()
    expect(reader.locator("[data-live-notice]")).to_be_hidden()
    assert_accessible(reader)
