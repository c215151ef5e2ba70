"""Invalid filters fail with a message that names the leaf and says how to fix it."""

import pytest

from clarion.core.filters import InvalidFilter, compile_filter
from clarion.core.properties.models import PropertyDefinition
from clarion.crm.models import Company, Contact

pytestmark = pytest.mark.django_db


def error_of(tree, model=Contact) -> str:
    with pytest.raises(InvalidFilter) as caught:
        compile_filter(tree, model)
    return str(caught.value)


def test_a_misspelt_property_suggests_the_close_name():
    message = error_of({"all": [{"property": "emial", "op": "eq", "value": "x"}]})

    assert "unknown property 'emial' — did you mean 'email'?" in message
    assert "filter.all[0]" in message


def test_an_operator_of_another_type_is_refused_with_the_ones_that_apply():
    message = error_of({"property": "city", "op": "gt", "value": 3})

    assert "operator 'gt' does not apply to text property 'city'" in message
    assert "contains" in message


def test_a_non_number_for_a_number_property_is_refused():
    message = error_of({"property": "employees", "op": "gt", "value": "abc"}, Company)

    assert "value 'abc' is not a number for 'employees'" in message


def test_a_bad_date_is_refused():
    assert "is not a date" in error_of({"property": "created_at", "op": "before",
                                        "value": "yesterday"})


def test_a_select_value_outside_its_options_lists_the_options():
    PropertyDefinition.objects.create(object_type="contact", name="tier", label="Tier",
                                      type="select", options=[{"value": "gold"}])

    message = error_of({"property": "tier", "op": "eq", "value": "platinum"})

    assert "'platinum' is not an option of 'tier' (options: gold)" in message


def test_custom_properties_of_another_record_type_are_unknown():
    PropertyDefinition.objects.create(object_type="company", name="tier", label="Tier",
                                      type="text")

    assert "unknown property 'tier'" in error_of({"property": "tier", "op": "eq",
                                                  "value": "x"})


def test_unknown_nodes_and_extra_keys_are_refused():
    assert "unknown node" in error_of({"some": []})
    assert "extra inputs are not permitted" in error_of(
        {"property": "city", "op": "eq", "value": "x", "sql": "1=1"})


def test_an_unknown_association_suggests_the_close_name():
    message = error_of({"association": "compnay", "where": {}})

    assert "unknown association 'compnay' — did you mean 'company'?" in message


def test_errors_inside_an_association_name_the_nested_leaf():
    message = error_of({"association": "company",
                        "where": {"property": "employes", "op": "gt", "value": 1}})

    assert "filter.where" in message and "did you mean 'employees'?" in message


def test_lists_and_ranges_need_their_shapes():
    assert "takes a list" in error_of({"property": "city", "op": "in", "value": "Oslo"})
    assert "takes two values" in error_of({"property": "created_at", "op": "between",
                                           "value": ["2025-01-01"]})
