"""The cells of a worksheet part and the shared-strings table, read two ways that give the same
result:

* ``scan_*``: a scanner for the plain XML every spreadsheet program writes (UTF-8, no DTD, no
  comments or CDATA, unprefixed elements, ``r`` first on every cell). One regular expression
  walks the cells; the few texts holding character references are decoded together by one C
  parse. It checks itself: unless it accounted for every ``<c`` of the part, it gives up.
* ``parse_*``: expat with callbacks, for everything else (and the reference the scanner is
  tested against). A DOCTYPE or entity declaration is refused outright: no legitimate
  worksheet has one, and without a DTD no entity can expand.

Both are pure Python, so the checking core runs in Pyodide.
"""
from __future__ import annotations

import re
from functools import lru_cache
from xml.etree.ElementTree import ParseError, fromstring

from ..errors import InputError
from ..grid import Cell, Sheet, col_letter, parse_address
from .limits import MAX_CELLS, Budget

# ---------------------------------------------------------------- the fast scanner

_CELL = re.compile(                     # r, s, t in the order every writer puts them
    r'<c r="([A-Z]{1,3}[0-9]{1,7})"(?: s="[0-9]+")?(?: t="([a-zA-Z]+)")?([^<>/]*)'
    r'(?:/>|>\s*'
    r'(?:<f(?:\s[^<>]*)?>([^<]*)</f>\s*|<f\s[^<>]*/>\s*)?'
    r'(?:<v>([^<]*)</v>\s*)?'
    r'(?:<is>([^<]*(?:<(?!/is>|/c>)[^<]*)*)</is>\s*)?'     # never past its cell's </c>
    r'</c>)')
_CELL_OPEN = re.compile(r"<c[\s/>]")
_TYPE = re.compile(r'\st="([a-zA-Z]+)"')
_T = re.compile(r"<t(?:\s[^<>]*)?>([^<]*)</t>|<t(?:\s[^<>]*)?/>")
_PHONETIC = re.compile(r"<rPh\b[^<]*(?:<(?!/?rPh\b)[^<]*)*</rPh>")
_PREFIXED = re.compile(r"</?[A-Za-z_][\w.-]*:")
_PREFIXED_CELL = (":c ", ":c>", ":c/", ":row ", ":row>")
_MERGE = re.compile(r'<mergeCell ref="([A-Z0-9:$]+)"\s*/>')
_SI = re.compile(r"<si>([^<]*(?:<(?!/?si>)[^<]*)*)</si>")        # never past the next <si>
_DECLARATION = re.compile(r'<\?xml[^>]*?encoding=["\']([^"\']+)["\']')

_address = lru_cache(maxsize=16384)(parse_address)
_SEEN: dict[tuple, tuple] = {}      # a cell's markup (but its address) → what it holds, for cells that need
_SEEN_MAX = 1 << 16                 # no shared string: the printed labels are the same in every report
_AT_ONCE = 4 * 1024 * 1024          # characters of sheetData scanned with one findall


class NotPlain(Exception):
    """The part is not in the plain form the scanner reads; parse it with expat instead."""


def plain_text(data: bytes) -> str:
    """The part as text, when it is in the plain form; NotPlain otherwise."""
    if data[:3] == b"\xef\xbb\xbf":
        data = data[3:]
    if not data.startswith(b"<") or b"<!" in data:
        raise NotPlain                                  # UTF-16, a DTD, a comment, CDATA
    head = data[:200]
    if head.startswith(b"<?xml"):
        declared = _DECLARATION.match(head.decode("ascii", "replace"))
        if declared and declared.group(1).lower().replace("_", "-") not in ("utf-8", "utf8"):
            raise NotPlain
    if data.find(b"<?", 2) >= 0:
        raise NotPlain                                  # a processing instruction in the body
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise NotPlain from None


_DECODED: dict[str, str] = {}       # raw text → decoded, across parts: labels repeat in every report
_DECODED_MAX = 1 << 16


def decode_texts(texts: set[str]) -> dict[str, str]:
    """Resolve character references (and normalise line ends) of many texts with one C parse.
    The texts hold no '<' (the scanner's groups exclude it), so they cannot add markup. A text
    met before (a printed label) is not decoded again."""
    if not texts:
        return {}
    out = {raw: _DECODED[raw] for raw in texts if raw in _DECODED}
    ordered = [raw for raw in texts if raw not in out]
    if not ordered:
        return out
    try:
        root = fromstring("<x><t>" + "</t><t>".join(ordered) + "</t></x>")
    except ParseError:
        raise NotPlain from None                        # an undefined entity: let expat say so
    found = {raw: t.text or "" for raw, t in zip(ordered, root)}
    if len(_DECODED) + len(found) > _DECODED_MAX:
        _DECODED.clear()
    _DECODED.update((raw, text) for raw, text in found.items() if len(raw) < 4096)
    out.update(found)
    return out


def _texts(inline: str) -> str | None:
    """The text of an <is> or <si>: its <t> elements run together, phonetic runs left out."""
    if "<rPh" in inline:
        inline = _PHONETIC.sub("", inline)
    parts = _T.findall(inline)
    if not parts:
        return None
    text = "".join(parts)
    if "\r" in text:               # line ends are normalised run by run, as a parser does
        text = "".join(p.replace("\r\n", "\n").replace("\r", "\n") for p in parts)
    return text


def scan_sheet(data: bytes, sheet: Sheet, strings: list[str], budget: Budget | None = None) -> None:
    """Cells and merged ranges of a plain worksheet part into `sheet`; NotPlain when the part
    is not plain or holds a cell the scanner does not recognise (nothing is written then).
    Past the budget's cells, InputError (the cells are counted as they are read)."""
    budget = budget or Budget(None)
    room = budget.limit - budget.used
    text = plain_text(data)
    if not text.rstrip().endswith("</worksheet>"):
        raise NotPlain                                  # prefixed, or cut short: expat will say
    start = text.find("<sheetData")
    end = text.find("</sheetData>", start)
    if start < 0 or end < 0:                            # no cells, or <sheetData/>
        start = end = max(start, 0)
    body, tail = text[start:end], text[end:]
    if any(mark in body for mark in _PREFIXED_CELL) or ":mergeCell" in tail:
        raise NotPlain
    found = 0
    cells = {}
    pending = []                                        # cells with texts to decode
    # a list at once is faster, one match at a time keeps a large part's memory to its cells
    matches = _CELL.findall(body) if len(body) < _AT_ONCE else (m.groups("") for m in _CELL.finditer(body))
    for ref, kind, attrs, formula, v, inline in matches:
        found += 1
        if not (v or formula or inline):
            continue
        if found > room and len(cells) + len(pending) >= room:
            budget.take(room + 1)
        if not kind:
            m = _TYPE.search(attrs) if 't="' in attrs else None
            kind = m.group(1) if m else "n"
        if kind == "n" and v and not formula and "&" not in v and "\r" not in v:
            cells[_address(ref)] = Cell(_number(v))    # the common case: a number
            continue
        key = None if kind == "s" else (kind, attrs, formula, v, inline)
        seen = _SEEN.get(key) if key is not None else None
        if seen is not None:                            # a printed label, read in an earlier part
            cells[_address(ref)] = Cell(*seen)
            continue
        inline = _texts(inline) if inline and kind == "inlineStr" else None
        pending.append((ref, kind, v, formula, inline, key))
    opens = body.count("<c ") + body.count("<c>") + body.count("<c/")
    if "<c\t" in body or "<c\n" in body or "<c\r" in body:
        opens = sum(1 for _ in _CELL_OPEN.finditer(body))
    if found != opens:
        raise NotPlain
    decoded = decode_texts({t for cell in pending for t in cell[2:5] if t and ("&" in t or "\r" in t)})
    if len(_SEEN) > _SEEN_MAX:
        _SEEN.clear()
    for ref, kind, v, formula, inline, key in pending:
        if decoded:
            v, formula, inline = decoded.get(v, v), decoded.get(formula, formula), decoded.get(inline, inline)
        value = _value(kind, v or None, inline, strings)
        if value is not None or formula:
            cell = cells[_address(ref)] = Cell(value, formula or None, cached=not (formula and not v))
            if key is not None and sum(len(t) for t in key) < 4096:
                _SEEN[key] = (cell.value, cell.formula, cell.cached)
    merged = []
    if "<mergeCell" in tail:
        refs = _MERGE.findall(tail)
        if len(refs) != tail.count("<mergeCell "):
            raise NotPlain
        merged = [m for m in map(_merge_range, refs) if m]
    budget.take(len(cells))
    sheet.cells.update(cells)
    sheet.merged.extend(merged)


def scan_shared_strings(data: bytes) -> list[str]:
    text = plain_text(data)
    if _PREFIXED.search(text) or not text.rstrip().endswith("</sst>"):
        raise NotPlain
    if text.count("<si") > MAX_CELLS:                 # more strings than cells could ever use
        Budget(None, what="共享字符串").take(MAX_CELLS + 1)
    items = _SI.findall(text)
    if len(items) != text.count("<si"):
        raise NotPlain
    raw = [_texts(item) or "" for item in items]
    decoded = decode_texts({r for r in raw if "&" in r or "\r" in r})
    return [unescape_ooxml(decoded.get(r, r)) for r in raw]


# ---------------------------------------------------------------- the expat parser


class _Refused(Exception):
    pass


def _refuse(*_args):
    raise _Refused("DTD or entity declaration in a workbook part")


def _parser(start, end, chars, namespaces: bool = False):
    """expat refusing any DTD or entity declaration; with `namespaces`, names are
    'namespace-uri}local' whatever the prefixes."""
    from xml.parsers import expat        # deferred (start-up time): only parts the scanner gives up on need it

    parser = expat.ParserCreate(namespace_separator="}" if namespaces else None)
    parser.StartDoctypeDeclHandler = _refuse
    parser.EntityDeclHandler = _refuse
    parser.ExternalEntityRefHandler = _refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
    parser.CharacterDataHandler = chars
    return parser


def _run(parser, data) -> None:
    """Parse `data`, bytes or a binary stream."""
    try:
        if isinstance(data, bytes):
            parser.Parse(data, True)
        else:
            parser.ParseFile(data)
    except _Refused:
        raise InputError("工作表含有 DTD 或实体声明，已拒绝解析") from None


def parse_sheet(data: bytes, sheet: Sheet, strings: list[str], budget: Budget | None = None) -> None:
    """Cells and merged ranges of any worksheet part, with expat callbacks (no tree is built).
    A row or cell without its optional ``r`` follows the one before it, as the format says."""
    budget = budget or Budget(None)
    room = budget.limit - budget.used
    state = {"ref": None, "t": "n", "v": None, "f": None, "is": None, "buf": None, "phonetic": False,
             "row": 0, "col": 0}
    cells: dict = {}
    merged: list = []

    def start(name, attrs):
        local = name.rsplit(":", 1)[-1]
        if local == "c":
            ref = attrs.get("r")
            if ref:
                try:
                    state["row"], state["col"] = _address(ref)
                except ValueError:
                    ref = None
            else:
                state["col"] += 1
                ref = f"{col_letter(state['col'])}{state['row']}" if state["row"] and state["col"] <= 16384 else None
            state.update(ref=ref, t=attrs.get("t", "n"), v=None, f=None)
            state["is"] = None
        elif local == "row":
            r = attrs.get("r")
            state["row"] = int(r) if r and r.isdigit() else state["row"] + 1
            state["col"] = 0
        elif local in ("v", "f") or (local == "t" and not state["phonetic"]):
            state["buf"] = []
        elif local == "rPh":
            state["phonetic"] = True
        elif local == "mergeCell":
            m = _merge_range(attrs.get("ref", ""))
            if m:
                merged.append(m)

    def end(name):
        local = name.rsplit(":", 1)[-1]
        buf = state["buf"]
        if local == "v" and buf is not None:
            state["v"] = "".join(buf) or None
            state["buf"] = None
        elif local == "f" and buf is not None:
            state["f"] = "".join(buf) or None
            state["buf"] = None
        elif local == "t" and buf is not None:
            state["is"] = (state["is"] or "") + "".join(buf)
            state["buf"] = None
        elif local == "rPh":
            state["phonetic"] = False
        elif local == "c":
            text, formula = state["v"], state["f"]
            value = _value(state["t"], text, state["is"], strings)
            ref = state["ref"]
            if ref and (value is not None or formula):
                cells[_address(ref)] = Cell(value, formula, cached=not (formula and not text))
                if len(cells) > room:
                    budget.take(room + 1)

    def chars(data):
        buf = state["buf"]
        if buf is not None:
            buf.append(data)

    _run(_parser(start, end, chars), data)
    budget.take(len(cells))
    sheet.cells.update(cells)
    sheet.merged.extend(merged)


def parse_shared_strings(data: bytes) -> list[str]:
    out: list[str] = []
    state = {"buf": None, "si": None, "phonetic": False}

    def start(name, attrs):
        local = name.rsplit(":", 1)[-1]
        if local == "si":
            state["si"] = []
        elif local == "rPh":
            state["phonetic"] = True
        elif local == "t" and state["si"] is not None and not state["phonetic"]:
            state["buf"] = []

    def end(name):
        local = name.rsplit(":", 1)[-1]
        if local == "t" and state["buf"] is not None:
            state["si"].append("".join(state["buf"]))
            state["buf"] = None
        elif local == "rPh":
            state["phonetic"] = False
        elif local == "si" and state["si"] is not None:
            out.append(unescape_ooxml("".join(state["si"])))
            state["si"] = None

    def chars(data):
        if state["buf"] is not None:
            state["buf"].append(data)

    _run(_parser(start, end, chars), data)
    return out


# ---------------------------------------------------------------- both


def read_sheet(data: bytes, sheet: Sheet, strings: list[str], budget: Budget | None = None) -> None:
    try:
        scan_sheet(data, sheet, strings, budget)
    except NotPlain:
        parse_sheet(data, sheet, strings, budget)


def read_shared_strings(data: bytes) -> list[str]:
    try:
        return scan_shared_strings(data)
    except NotPlain:
        return parse_shared_strings(data)


_ESCAPED = re.compile(r"_x([0-9A-Fa-f]{4})_")


def unescape_ooxml(text: str) -> str:
    """Characters XML cannot carry, as spreadsheet strings write them: _x000D_ is a carriage
    return (and _x005F_ a literal underscore, so _x005F_x000D_ stays as written)."""
    if "_x" not in text:
        return text
    return _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), text)


def _value(kind: str, v: str | None, inline: str | None, strings: list[str]):
    """A cell's value from its type attribute, its <v> text and its inline string."""
    if kind == "s":
        return strings[int(v)] if v else None
    if kind == "inlineStr":
        return unescape_ooxml(inline) if inline else inline
    if kind in ("str", "e"):
        return unescape_ooxml(v) if v else v
    if kind == "b":
        return (v == "1") if v else None
    return _number(v) if v else None


def _merge_range(ref: str) -> tuple[int, int, int, int] | None:
    a, _, b = ref.partition(":")
    try:
        r1, c1 = _address(a)
        r2, c2 = _address(b or a)
    except ValueError:
        return None
    return r1, c1, r2, c2


def _number(text: str):
    try:
        number = int(text)
        if -2**53 < number < 2**53:
            return number
    except ValueError:
        pass
    try:
        number = float(text)
    except ValueError:
        return text
    return int(number) if number.is_integer() and abs(number) < 2**53 else number
