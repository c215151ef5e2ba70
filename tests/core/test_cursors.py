from datetime import UTC, datetime
from decimal import Decimal

import pytest

from clarion.core.cursors import InvalidCursor, decode_cursor, encode_cursor


def test_a_cursor_round_trips_its_value_with_full_precision():
    moment = datetime(2026, 11, 25, 12, 0, 0, 123456, tzinfo=UTC)

    value, pk = decode_cursor(encode_cursor(moment, 7, salt="t"), salt="t")

    assert datetime.fromisoformat(value) == moment and pk == 7


def test_decimals_round_trip_as_text():
    assert decode_cursor(encode_cursor(Decimal("12.50"), 1, salt="t"), salt="t") == ("12.50", 1)


def test_a_tampered_cursor_or_one_from_another_list_is_refused():
    cursor = encode_cursor("b", 2, salt="contacts")

    with pytest.raises(InvalidCursor):
        decode_cursor(cursor[:-2] + "xx", salt="contacts")
    with pytest.raises(InvalidCursor):
        decode_cursor(cursor, salt="deals")
