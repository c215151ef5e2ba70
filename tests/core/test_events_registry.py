import pytest

from clarion.core.events import on
from clarion.core.events.registry import HandlerRegistry


@pytest.fixture
def registry():
    return HandlerRegistry()


def test_handlers_are_chosen_by_glob_patterns_on_the_kind(registry):
    @registry.on("contact.*", "deal.stage_changed")
    def watch(event):
        pass

    assert [h.func for h in registry.handlers_for("contact.created")] == [watch]
    assert [h.func for h in registry.handlers_for("deal.stage_changed")] == [watch]
    assert registry.handlers_for("deal.created") == ()
    assert registry.handlers_for("email.clicked") == ()


def test_a_handler_is_named_by_its_module_and_qualified_name(registry):
    @registry.on("contact.created")
    def welcome(event):
        pass

    [handler] = registry.handlers_for("contact.created")
    assert handler.name == f"{__name__}.{welcome.__qualname__}"


def test_an_explicit_name_keeps_a_renamed_handler_recognised(registry):
    @registry.on("contact.created", name="crm.welcome")
    def greet_new_contact(event):
        pass

    assert [h.name for h in registry.handlers_for("contact.created")] == ["crm.welcome"]


def test_two_different_functions_cannot_share_a_name(registry):
    registry.on("contact.created", name="crm.welcome")(lambda event: None)

    def other(event):
        pass

    with pytest.raises(ValueError, match="crm.welcome"):
        registry.on("deal.created", name="crm.welcome")(other)


def test_registering_the_same_function_again_replaces_it(registry):
    def welcome(event):
        pass

    registry.on("contact.created")(welcome)
    registry.on("contact.*")(welcome)

    assert len(registry.handlers_for("contact.updated")) == 1


def test_a_handler_needs_a_pattern():
    with pytest.raises(ValueError, match="pattern"):
        on()
