"""Workbooks made by other tools, each holding the statutory tables (with one wrong total) and
something that a load-and-save through openpyxl would lose or change."""
import io
import zipfile
from pathlib import Path

from helpers import SAMPLE_2021
from layouts import printed

DATA = Path(__file__).parent / "data"
WRONG = {"requests.granted.total": 18}          # 17 + 1: a wrong total in 表三


def _values():
    from xlcheck.model import flatten
    values = flatten(SAMPLE_2021)
    values.update(WRONG)
    return values


def _tables_xlsxwriter(workbook, worksheet, top=0, left=0):
    """The three tables as XlsxWriter writes them."""
    fmt = workbook.add_format({"border": 1, "text_wrap": True, "valign": "vcenter"})
    row = top
    for caption, cells in printed("2021", _values()).values():
        worksheet.write(row, left, caption)
        row += 1
        height = 0
        for r, c, rs, cs, text in cells:
            value = text if text is not None else ""
            if rs > 1 or cs > 1:
                worksheet.merge_range(row + r, left + c, row + r + rs - 1, left + c + cs - 1, value, fmt)
            else:
                worksheet.write(row + r, left + c, value, fmt)
            height = max(height, r + rs)
        row += height + 2


def chart_and_image(path: Path) -> Path:
    import xlsxwriter
    from PIL import Image
    logo = io.BytesIO()
    Image.new("RGB", (40, 20), (200, 30, 30)).save(logo, format="PNG")
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("年报")
    _tables_xlsxwriter(wb, ws, top=3)
    ws.insert_image("L2", "logo.png", {"image_data": logo})
    data = wb.add_worksheet("图表数据")
    data.write_column("A1", ["自然人", "法人"])
    data.write_column("B1", [20, 6])
    chart = wb.add_chart({"type": "pie"})
    chart.add_series({"categories": "='图表数据'!$A$1:$A$2", "values": "='图表数据'!$B$1:$B$2"})
    data.insert_chart("D2", chart)
    wb.close()
    return path


def macros(path: Path) -> Path:
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("年报")
    _tables_xlsxwriter(wb, ws)
    wb.add_vba_project(str(DATA / "vbaProject.bin"))
    ws.insert_button("L2", {"macro": "say_hi", "caption": "按钮"})
    wb.close()
    return path


def comments(path: Path) -> Path:
    """Hand-sized comments, one of them on the cell xlcheck will mark, and a threaded comment."""
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("年报")
    _tables_xlsxwriter(wb, ws)
    ws.write_comment("A1", "这张表由办公室填写", {"author": "张三", "width": 300, "height": 120})
    ws.write_comment("J24", "总计已复核", {"author": "王五", "x_scale": 1.5, "y_scale": 2})     # a cell xlcheck marks
    ws.write_comment("A2", "[Threaded comment]\n\nYour version of Excel allows you to read this threaded comment; "
                           "however, any edits to it will get removed if the file is opened in a newer version of Excel.\n"
                           "Comment:\n    请核对", {"author": "tc={3F2504E0-4F89-11D3-9A0C-0305E82C3301}"})
    wb.close()
    _add_threaded_comment(path, "年报", "A2")
    return path


def _add_threaded_comment(path: Path, sheet: str, ref: str) -> None:
    """XlsxWriter writes legacy notes only: add the threaded comment and person parts Excel 365 writes."""
    tc = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<ThreadedComments xmlns="http://schemas.microsoft.com/office/'
          'spreadsheetml/2018/threadedcomments" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
          f'<threadedComment ref="{ref}" dT="2025-01-10T09:00:00.00" personId="{{6B29FC40-CA47-1067-B31D-00DD010662DA}}" '
          'id="{3F2504E0-4F89-11D3-9A0C-0305E82C3301}"><text>请核对</text></threadedComment></ThreadedComments>')
    persons = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<personList xmlns="http://schemas.microsoft.com/office/'
               'spreadsheetml/2018/threadedcomments" xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
               '<person displayName="李四" id="{6B29FC40-CA47-1067-B31D-00DD010662DA}" userId="lisi" providerId="None"/></personList>')
    src = zipfile.ZipFile(path)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "[Content_Types].xml":
                data = data.replace(b"</Types>", b'<Override PartName="/xl/threadedComments/threadedComment1.xml" ContentType="application/'
                                                 b'vnd.ms-excel.threadedcomments+xml"/><Override PartName="/xl/persons/person.xml" '
                                                 b'ContentType="application/vnd.ms-excel.person+xml"/></Types>')
            if item.filename == "xl/worksheets/_rels/sheet1.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdTc1" Type="http://schemas.microsoft.com/office/2017/10/'
                                                         b'relationships/threadedComment" Target="../threadedComments/threadedComment1.xml"/>'
                                                         b"</Relationships>")
            if item.filename == "xl/_rels/workbook.xml.rels":
                data = data.replace(b"</Relationships>", b'<Relationship Id="rIdPerson" Type="http://schemas.microsoft.com/office/2017/10/'
                                                         b'relationships/person" Target="persons/person.xml"/></Relationships>')
            dst.writestr(item, data)
        dst.writestr("xl/threadedComments/threadedComment1.xml", tc)
        dst.writestr("xl/persons/person.xml", persons)
    src.close()
    path.write_bytes(out.getvalue())


def formats(path: Path) -> Path:
    """Conditional formatting, data validation and an autofilter."""
    import xlsxwriter
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("年报")
    _tables_xlsxwriter(wb, ws)
    red = wb.add_format({"font_color": "#9C0006"})
    ws.conditional_format("D10:J40", {"type": "cell", "criteria": ">", "value": 1000, "format": red})
    ws.data_validation("D10:J40", {"validate": "integer", "criteria": ">=", "value": 0, "input_message": "请填写整数"})
    ws.write_row("N1", ["单位", "数量"])
    ws.write_row("N2", ["甲", 1])
    ws.autofilter("N1:O2")
    wb.close()
    return path


BUILDERS = {"chart_and_image": chart_and_image, "macros": macros, "comments": comments, "formats": formats}
