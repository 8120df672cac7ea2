"""xlcheck: a schema-driven validator for the statistical tables of China's government
information disclosure annual reports (政府信息公开工作年度报告)."""

from .version import __version__

__all__ = ["__version__", "main"]


def main():
    """Entry point of the Excel add-in's button: check the caller's workbook (see xlcheck.excel)."""
    from .excel import main as _main      # deferred: xlwings is needed only by the button
    return _main()
