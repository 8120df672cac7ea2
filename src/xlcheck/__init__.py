"""xlcheck: a schema-driven validator for the statistical tables of China's government
information disclosure annual reports (政府信息公开工作年度报告)."""

__version__ = "0.1.0"


def main():
    """Entry point of the Excel add-in's button: check the caller's workbook (see xlcheck.excel)."""
    from .excel import main as _main
    return _main()
