"""The checker: a Grid's located cells → JSON instance → findings (cell, row, table and report
scopes) and the diagnosis, as a Result. `check_file` and `check_grid` are the entries."""
from .checker import check_file, check_grid
from .result import Options, Result, failed, finish, guarded, status_of

__all__ = ["check_file", "check_grid", "Options", "Result", "failed", "finish", "guarded", "status_of"]
