"""The email builder in a real browser: an email built by drag and drop (palette to canvas,
into a column, reordered by the handle), another built with the keyboard alone (Add buttons,
Alt+Arrow moves, settings, save), the mobile preview, the 390 px layout, a save conflict that
loses nothing; every page checked with axe."""

import pytest
from playwright.sync_api import Page, expect

from clarion.emails import designs
from clarion.emails.models import Email
from tests.browser.conftest import (  # noqa: F401
    assert_accessible,
    browser,
    live_url,
    login,
    page,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct horse battery"


@pytest.fixture
def blank_email(marketer):
    return designs.create_email(actor=marketer, name="Spring news", subject="Hello")


def canvas_types(page: Page) -> list[str]:  # noqa: F811
    return page.locator("[data-canvas] > li").evaluate_all(
        "items => items.map(item => item.dataset.blockType)")


def open_builder(page: Page, email: Email) -> None:  # noqa: F811
    """The builder, once its first preview has arrived."""
    page.goto(f"/email/designs/{email.pk}/")
    page.wait_for_function(
        "() => document.querySelector('[data-email-builder]').dataset.previewReady")


def drop(page: Page, source: str, target: str) -> None:  # noqa: F811
    """Drag `source` onto `target` (scrolled to the middle of the window; the palette stays in
    view) as the conftest's `drag` does, but hovering over the target before letting go:
    Chromium sends drag-over events on its own clock, and the placeholder moving through the
    lists on the way shifts the target, so its position is read again until the pointer is on
    it."""
    page.locator(target).evaluate("node => node.scrollIntoView({block: 'center'})")
    start = page.locator(source).bounding_box()
    page.mouse.move(start["x"] + 14, start["y"] + 12)
    page.mouse.down()
    page.mouse.move(start["x"] + 34, start["y"] + 30, steps=5)
    for steps in (20, 5, 5, 5):
        end = page.locator(target).bounding_box()
        page.mouse.move(end["x"] + end["width"] / 2, end["y"] + end["height"] - 10, steps=steps)
        page.wait_for_timeout(150)
    page.mouse.up()


def saved_document(email: Email) -> dict:
    email.refresh_from_db()
    return email.document


def test_an_email_built_by_drag_and_drop(page, marketer, blank_email):  # noqa: F811
    login(page, marketer.email, PASSWORD)
    open_builder(page, blank_email)
    assert_accessible(page)
    drop(page, "[data-palette] [data-block-type=header] .email-drag-handle", "[data-canvas]")
    expect(page.locator("[data-canvas] > li")).to_have_count(1)
    drop(page, "[data-palette] [data-block-type=text] .email-drag-handle", "[data-canvas]")
    expect(page.locator("[data-canvas] > li")).to_have_count(2)
    drop(page, "[data-palette] [data-block-type=columns] .email-drag-handle", "[data-canvas]")
    expect(page.locator("[data-canvas] > li")).to_have_count(3)
    assert canvas_types(page) == ["header", "text", "columns"]
    # A button dropped into the second column of the columns block.
    drop(page, "[data-palette] [data-block-type=button] .email-drag-handle",
         "[data-canvas] > li[data-block-type=columns] [data-list='2.1']")
    expect(page.locator("[data-list='2.1'] > li[data-block-type=button]")).to_have_count(1)
    # Reorder with the mouse: the text block dragged by its handle below the columns.
    drop(page, "[data-canvas] > li[data-block-type=text] > .email-block-bar .email-drag-handle",
         "[data-canvas] > li[data-block-type=columns]")
    expect(page.locator("[data-canvas] > li").nth(2)).to_have_attribute("data-block-type", "text")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    document = saved_document(blank_email)
    assert [block["type"] for block in document["blocks"]] == ["header", "columns", "text"]
    assert sorted(block["type"] for block in document["blocks"][1]["columns"][1]["blocks"]) == [
        "button", "text"]
    preview = page.frame_locator("[data-preview-iframe]").locator("body")
    expect(preview).to_contain_text("Learn more")


def test_an_email_built_with_the_keyboard_alone(page, marketer, blank_email):  # noqa: F811
    login(page, marketer.email, PASSWORD)
    open_builder(page, blank_email)
    page.locator("[data-add-block=text]").focus()
    page.keyboard.press("Enter")
    # The new block has the focus; it is selected and announced.
    expect(page.locator("[data-canvas] > li[data-block-type=text]")).to_be_focused()
    expect(page.locator("[data-announcer]")).to_have_text("Text added at position 1.")
    page.locator("[data-add-block=button]").focus()
    page.keyboard.press("Enter")
    page.locator("[data-add-block=footer]").focus()
    page.keyboard.press("Enter")
    assert canvas_types(page) == ["text", "button", "footer"]

    # Alt+ArrowUp moves the focused footer above the button, and says so.
    expect(page.locator("[data-canvas] > li[data-block-type=footer]")).to_be_focused()
    page.keyboard.press("Alt+ArrowUp")
    assert canvas_types(page) == ["text", "footer", "button"]
    expect(page.locator("[data-announcer]")).to_have_text("Footer moved to position 2 of 3.")
    expect(page.locator("[data-canvas] > li[data-block-type=footer]")).to_be_focused()
    page.keyboard.press("Alt+ArrowDown")
    assert canvas_types(page) == ["text", "button", "footer"]

    # Select the button with Enter and edit its settings from the keyboard.
    page.locator("[data-canvas] > li[data-block-type=button]").focus()
    page.keyboard.press("Enter")
    expect(page.locator("[data-settings-title]")).to_have_text("Edit Button")
    label = page.get_by_label("Label", exact=True)
    label.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("Book a seat")
    address = page.get_by_label("Link address")
    address.focus()
    page.keyboard.press("Control+A")
    page.keyboard.type("https://example.com/seats")
    expect(page.locator("[data-canvas] .email-button-sample")).to_have_text("Book a seat")
    # The Move up button of a block works too.
    page.locator("[data-canvas] > li[data-block-type=button] [data-block-action=up]").focus()
    page.keyboard.press("Enter")
    assert canvas_types(page) == ["button", "text", "footer"]

    page.keyboard.press("Control+s")
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    document = saved_document(blank_email)
    assert [block["type"] for block in document["blocks"]] == ["button", "text", "footer"]
    assert document["blocks"][0]["label"] == "Book a seat"
    assert document["blocks"][0]["url"] == "https://example.com/seats"
    preview = page.frame_locator("[data-preview-iframe]").locator("body")
    expect(preview).to_contain_text("Book a seat")
    assert_accessible(page)


def test_mobile_preview_and_the_390px_layout(page, marketer, blank_email):  # noqa: F811
    blank_email.document = {"settings": {}, "blocks": [
        {"type": "text", "html": "<p>Hello {{ contact.first_name|default('there') }} "
                                 "{{ contact.favourite_colour }}</p>"},
        {"type": "footer"}]}
    blank_email.save()
    login(page, marketer.email, PASSWORD)
    open_builder(page, blank_email)
    frame = page.locator("[data-preview-frame]")
    desktop_width = frame.bounding_box()["width"]
    page.get_by_role("button", name="Mobile").click()
    expect(page.get_by_role("button", name="Mobile")).to_have_attribute("aria-pressed", "true")
    expect(frame).to_have_attribute("data-width", "mobile")
    page.wait_for_function(
        "() => document.querySelector('[data-preview-frame]').getBoundingClientRect().width"
        " <= 375")
    assert desktop_width > 375
    # An unknown token is flagged; the known one renders (with sample values).
    expect(page.locator("[data-unknown-tokens]")).to_contain_text("contact.favourite_colour")
    preview = page.frame_locator("[data-preview-iframe]").locator("body")
    expect(preview).to_contain_text("Hello")
    expect(preview).not_to_contain_text("{{")

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    page.wait_for_function(
        "() => document.querySelector('[data-email-builder]').dataset.previewReady")
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0
    palette = page.locator(".email-palette").bounding_box()
    canvas = page.locator(".email-canvas-pane").bounding_box()
    settings = page.locator(".email-settings").bounding_box()
    assert palette["y"] < canvas["y"] < settings["y"]  # stacked, one above the other
    assert canvas["width"] <= 390
    assert_accessible(page)


def test_a_conflicting_save_keeps_my_changes(page, marketer, blank_email):  # noqa: F811
    login(page, marketer.email, PASSWORD)
    open_builder(page, blank_email)
    page.locator("[data-add-block=text]").click()
    designs.save_email(blank_email, actor=marketer, version=1, subject="Changed elsewhere")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("[data-builder-error]")).to_contain_text("Someone else saved")
    expect(page.locator("[data-canvas] > li")).to_have_count(1)
    assert saved_document(blank_email)["blocks"] == []
    # Saving again replaces the other version with mine.
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    assert [block["type"] for block in saved_document(blank_email)["blocks"]] == ["text"]
    assert blank_email.subject == "Hello"


def test_start_from_the_gallery_then_find_and_delete_it_in_the_list(page, marketer):  # noqa: F811
    login(page, marketer.email, PASSWORD)
    page.goto("/email/designs/templates/")
    expect(page.locator(".email-thumbnail iframe").first).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Use this template").first.click()
    page.wait_for_function(
        "() => document.querySelector('[data-email-builder]')?.dataset.previewReady")
    email = Email.objects.get()
    assert page.url.endswith(f"/email/designs/{email.pk}/")
    assert len(canvas_types(page)) == len(email.document["blocks"]) > 0

    page.goto("/email/designs/")
    assert_accessible(page)
    row = page.get_by_role("row", name=email.name)
    row.get_by_role("button", name="Delete").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="Cancel").click()
    assert Email.objects.exists()
    row.get_by_role("button", name="Delete").click()
    page.get_by_role("dialog").get_by_role("button", name="Delete").click()
    expect(page.get_by_text("No emails yet")).to_be_visible()
    assert not Email.objects.exists()


def test_an_image_uploaded_from_the_builder_needs_its_alt_text(page, marketer, blank_email,  # noqa: F811
                                                               tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path / "media"
    from tests.emails.test_assets import png

    picture = tmp_path / "team.png"
    picture.write_bytes(png(40, 20))
    login(page, marketer.email, PASSWORD)
    open_builder(page, blank_email)
    page.locator("[data-add-block=image]").click()
    page.get_by_label("Upload an image").set_input_files(str(picture))
    image = page.locator("[data-canvas] .email-block-image")
    expect(image).to_be_visible()
    alt = page.get_by_label("Alternative text")
    expect(alt).to_be_focused()
    expect(alt).to_have_attribute("aria-invalid", "true")
    # Saving without the alt text is refused next to the block.
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("[data-canvas] .email-block-error")).to_contain_text("alt text")
    alt.fill("Our team at the harbour")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("[data-save-status]")).to_have_text("Saved.")
    block = saved_document(blank_email)["blocks"][0]
    assert block["alt"] == "Our team at the harbour" and "/email/images/" in block["src"]
    # Chosen again from the library.
    page.get_by_role("button", name="Choose from library").click()
    expect(page.locator("[data-asset-grid] .email-asset")).to_have_count(1)
    assert_accessible(page)


def test_keyboard_moves_into_a_column_and_out_of_it(page, marketer, blank_email):  # noqa: F811
    login(page, marketer.email, PASSWORD)
    open_builder(page, blank_email)
    page.locator("[data-add-block=columns]").focus()
    page.keyboard.press("Enter")
    column = page.locator("[data-canvas] [data-list='0.0']")
    expect(column.locator("> li")).to_have_count(1)  # a new columns block holds some text
    page.get_by_label("Add to column 1").first.select_option("button")
    page.get_by_role("button", name="Add to column 1").focus()
    page.keyboard.press("Enter")
    button = column.locator("> li[data-block-type=button]")
    expect(button).to_be_focused()
    # Up within the column, then up again: out of the column, above the columns block.
    page.keyboard.press("Alt+ArrowUp")
    expect(column.locator("> li").first).to_have_attribute("data-block-type", "button")
    page.keyboard.press("Alt+ArrowUp")
    assert canvas_types(page) == ["button", "columns"]
    expect(page.locator("[data-canvas] > li[data-block-type=button]")).to_be_focused()
    expect(page.locator("[data-announcer]")).to_have_text("Button moved to position 1 of 2.")


def test_preview_as_a_contact_found_by_searching(page, marketer, blank_email):  # noqa: F811
    from clarion.crm.models import Contact
    from clarion.crm.services import create_record

    for number in range(12):  # more than the picker lists at first
        create_record(Contact, actor=marketer, values={
            "first_name": f"Person{number}", "email": f"p{number}@example.org"},
            link_by_domain=False)
    create_record(Contact, actor=marketer, values={
        "first_name": "Zelda", "last_name": "Quist", "email": "zelda@example.org"},
        link_by_domain=False)
    Contact.objects.filter(first_name="Zelda").update(created_at="2020-01-01T00:00:00Z")
    blank_email.document = {"settings": {}, "blocks": [
        {"type": "text", "html": "<p>Dear {{ contact.first_name }},</p>"}, {"type": "footer"}]}
    blank_email.save()
    login(page, marketer.email, PASSWORD)
    open_builder(page, blank_email)
    select = page.locator("[data-preview-contact]")
    expect(select.locator("option", has_text="Zelda")).to_have_count(0)
    page.get_by_label("Search to narrow the contact list").fill("zel")
    expect(select.locator("option", has_text="Zelda")).to_have_count(1)
    select.select_option(label=select.locator("option", has_text="Zelda").inner_text())
    preview = page.frame_locator("[data-preview-iframe]").locator("body")
    expect(preview).to_contain_text("Dear Zelda,")
