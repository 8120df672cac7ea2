import pytest

from xlcheck.values import read_value


@pytest.mark.parametrize("raw, value, rule, how", [
    (None, 0, "cell.blank", None),
    ("", 0, "cell.blank", None),
    ("   ", 0, "cell.blank", None),
    ("/", 0, "cell.placeholder", None),
    ("-", 0, "cell.placeholder", None),
    ("—", 0, "cell.placeholder", None),
    ("无", 0, "cell.placeholder", None),
    (26, 26, None, None),
    (3.0, 3, None, None),
    ("26", 26, "cell.text_number", "text"),
    ("２６", 26, "cell.text_number", "fullwidth"),
    (" 1", 1, "cell.text_number", "spaces"),
    ("0 ", 0, "cell.text_number", "spaces"),
    ("251000元", 251000, "cell.text_number", "unit"),
    ("3件", 3, "cell.text_number", "unit"),
    ("1,234", 1234, "cell.text_number", "thousands"),
    ("12.5", 12.5, "cell.text_number", "text"),
])
def test_numbers_in_every_shape_are_read_with_the_spec_warning(raw, value, rule, how):
    read = read_value(raw)
    assert read.value == value and type(read.value) is type(value)
    assert read.rule == rule
    assert read.how == how


@pytest.mark.parametrize("raw", ["abc", "约20", "二十", True])
def test_words_pass_through_for_the_type_check(raw):
    read = read_value(raw)
    assert isinstance(read.value, str) and read.rule is None


def test_negative_and_fractional_numbers_are_kept_for_the_type_check():
    assert read_value(-3).value == -3
    assert read_value(2.5).value == 2.5
    assert read_value("-3").value == -3
