"""Each keyword on its own, with tiny schemas."""
from xlcheck.rules.registry import ReportValidator


def _errors(schema, instance):
    return list(ReportValidator(schema).iter_errors(instance))


def test_x_sum_on_scalars_reports_the_total_with_every_operand():
    schema = {"x-sum": [{"rule": "t.sum", "total": "t", "parts": ["a", "b"]}]}
    assert _errors(schema, {"a": 1, "b": 2, "t": 3}) == []
    (err,) = _errors(schema, {"a": 1, "b": 2, "t": 4})
    assert list(err.path) == ["t"]
    rel = err.xlcheck
    assert (rel.rule, rel.found, rel.expected) == ("t.sum", 4, 3)
    assert rel.operands == (("a",), ("b",))


def test_x_sum_each_column_of_rows():
    schema = {"x-sum": [{"rule": "t.col", "total": "t", "parts": ["a", "b"], "each": "*"}]}
    inst = {"a": {"x": 1, "y": 1}, "b": {"x": 2, "y": 2}, "t": {"x": 3, "y": 4}}
    (err,) = _errors(schema, inst)
    assert list(err.path) == ["t", "y"] and err.xlcheck.expected == 3


def test_x_sum_nested_under_properties_has_the_absolute_path():
    schema = {"properties": {"tab": {"properties": {"r": {"$ref": "#/$defs/row"}}}},
              "$defs": {"row": {"x-sum": [{"rule": "row.total", "total": "t", "parts": ["a", "b"]}]}}}
    (err,) = _errors(schema, {"tab": {"r": {"a": 1, "b": 1, "t": 5}}})
    assert list(err.absolute_path) == ["tab", "r", "t"]


def test_x_sum_skips_what_is_not_a_number():
    schema = {"x-sum": [{"rule": "t.sum", "total": "t", "parts": ["a", "b"]}]}
    assert _errors(schema, {"a": "abc", "b": 2, "t": 9}) == []
    assert _errors(schema, {"a": 1, "t": 9}) == []          # missing operand: not assessed


def test_x_balance_reports_on_the_named_member():
    schema = {"x-balance": [{"rule": "bal", "left": ["n", "c"], "right": ["r", "f"], "report-on": "f"}]}
    assert _errors(schema, {"n": 26, "c": 5, "r": 29, "f": 2}) == []
    (err,) = _errors(schema, {"n": 26, "c": 5, "r": 29, "f": 3})
    assert list(err.path) == ["f"]
    assert (err.xlcheck.found, err.xlcheck.expected) == (3, 2)


def test_x_compare():
    schema = {"x-compare": [{"rule": "cmp", "left": ["in_force"], "op": ">=", "right": ["issued"]},
                            {"rule": "neg", "left": ["p", "c"], "op": ">=", "right": []}]}
    assert _errors(schema, {"in_force": 5, "issued": 5, "p": 1, "c": -1}) == []
    errs = _errors(schema, {"in_force": 4, "issued": 5, "p": 1, "c": -2})
    assert sorted(e.xlcheck.rule for e in errs) == ["cmp", "neg"]


def test_decimal_amounts_compare_without_float_noise():
    schema = {"x-sum": [{"rule": "s", "total": "t", "parts": ["a", "b"]}]}
    assert _errors(schema, {"a": 0.1, "b": 0.2, "t": 0.3}) == []


def test_a_value_valid_for_one_cell_type_is_still_checked_against_another():
    """The properties keyword remembers valid (cell type, value) pairs; what it remembers must
    never excuse the same value under a different type, a different value, or an equal value of
    another Python type."""
    count = {"type": "integer", "minimum": 0, "x-type": "count"}
    signed = {"type": "integer", "x-type": "signed_count"}
    schema = {"properties": {"change": signed, "n": count, "m": count}}
    for _ in range(2):                      # the second round runs on what the first remembered
        assert _errors(schema, {"change": -1, "n": 3, "m": 3}) == []
        (err,) = _errors(schema, {"change": -1, "n": -1, "m": 3})
        assert list(err.path) == ["n"] and err.validator == "minimum"
        (err,) = _errors(schema, {"change": 1, "n": 1, "m": True})
        assert list(err.path) == ["m"] and err.validator == "type"
        (err,) = _errors(schema, {"change": 2.5, "n": 0, "m": 0})
        assert list(err.path) == ["change"] and err.validator == "type"


def test_only_value_only_subschemas_are_remembered():
    """A subschema with more than type and bounds (here a nested rule) is checked every time."""
    row = {"type": "object", "x-sum": [{"rule": "r.sum", "total": "t", "parts": ["a"]}]}
    schema = {"properties": {"r1": row, "r2": row}}
    assert _errors(schema, {"r1": {"a": 1, "t": 1}, "r2": {"a": 1, "t": 1}}) == []
    (err,) = _errors(schema, {"r1": {"a": 1, "t": 1}, "r2": {"a": 1, "t": 2}})
    assert list(err.absolute_path) == ["r2", "t"]
