"""The edition model: schemas read into tables, rows, columns, labels, cell types, layout and
rules (`schema`), the editions shipped and loaded (`editions`), a table's printed layout
(`layout`), and the conventions of workbooks xlcheck writes and reads back (`workbook`).
Nothing here reads files other than schemas, or knows how rules are checked."""
from .editions import by_hash, edition, edition_for_year, load_schema_file, schema_problems, schemas_dir, shipped, templates_dir
from .schema import CellType, Column, DataPoint, Edition, Row, Rule, Table, flatten, value_at

__all__ = ["by_hash", "edition", "edition_for_year", "load_schema_file", "schema_problems", "schemas_dir", "shipped",
           "templates_dir", "CellType", "Column", "DataPoint", "Edition", "Row", "Rule", "Table", "flatten", "value_at"]
