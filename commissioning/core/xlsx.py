"""A workbook of one sheet, written to the XLSX file format a row at a time (ADR 24).

The downloads and the 360Giving export write tables of up to hundreds of thousands of rows:
text, amounts in a number format, dates, a bold heading (and bold total rows), the heading
frozen. openpyxl's write-only mode did this at about 11 µs a cell (an element tree per cell),
XlsxWriter's constant-memory mode at about 7; 50,000 grants of about 40 cells took 22 s of
spreadsheet alone. This writer builds each row's XML as text, in the form openpyxl wrote
(inline strings, numbers to 16 significant digits, dates as serial days), into a temporary
file, and zips it with the few fixed parts a workbook needs. Only what the tables use is
here: no formulas (text is always text, so nothing a person typed can run in a reader's
spreadsheet), no shared strings, one sheet. Reading workbooks stays with openpyxl, and the
tests read every workbook this writes back through openpyxl.

Characters XML 1.0 cannot carry (control characters other than tab and line ends) are
written as U+FFFD, where openpyxl refused the whole file."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import tempfile
import zipfile
from collections.abc import Container, Sequence
from decimal import Decimal
from math import isfinite
from typing import IO, Any
from xml.sax.saxutils import escape

_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_HEAD = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
_FLUSH_ROWS = 1000
_EPOCH = dt.datetime(1899, 12, 30)

# Styles (cellXfs): plain, then each with bold at the next index.
PLAIN, NUMBER, DATE, DATETIME = 0, 2, 4, 6
_FORMATS = {NUMBER: 164, DATE: 165, DATETIME: 166}

_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _attribute(text: str) -> str:
    return escape(text, {'"': "&quot;"})


def column_letters(n: int) -> str:
    """The letters of the 0-based column `n`: 0 is "A", 25 "Z", 26 "AA"."""
    letters = ""
    n += 1
    while n:
        n, rest = divmod(n - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def _serial(value: dt.date) -> str:
    """Excel's serial day (from 30 December 1899), with the time as a fraction of a day."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            raise TypeError("a spreadsheet's date cannot carry a time zone")
        delta = value - _EPOCH
        return f"{delta.days + delta.seconds / 86400 + delta.microseconds / 86400e6:.16g}"
    return str((value - _EPOCH.date()).days)


class SheetWriter:
    """Write one sheet, ``title``, to ``file``: ``append`` each row, then ``close`` (or use it
    as a context manager). Numbers in the columns ``append`` is told to format take
    ``number_format``; dates take ``yyyy-mm-dd`` (and a time, if they have one); ``None`` and
    ``""`` leave the cell empty (bold, in a bold row); anything else is written as its text.
    The first row stays in view when the sheet scrolls."""

    def __init__(self, file: IO[bytes], title: str, *, number_format: str) -> None:
        self._file = file
        self._title = title
        self._number_format = number_format
        self._sheet = tempfile.TemporaryFile()
        self._rows = 0
        self._pending: list[str] = []
        self._letters: list[str] = []
        self._sheet.write(
            (
                f'{_HEAD}<worksheet xmlns="{_MAIN}"><sheetViews><sheetView workbookViewId="0">'
                '<pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/>'
                '<selection pane="bottomLeft" activeCell="A2" sqref="A2"/>'
                "</sheetView></sheetViews><sheetData>"
            ).encode()
        )

    def __enter__(self) -> SheetWriter:
        return self

    def __exit__(self, kind: object, *rest: object) -> None:
        if kind is None:
            self.close()
        else:
            self._sheet.close()

    def append(
        self, values: Sequence[Any], *, bold: bool = False, formatted: Container[int] | None = None
    ) -> None:
        """One row. ``formatted`` names the columns (0-based) whose numbers take the number
        format; by default every number does."""
        self._rows += 1
        r = str(self._rows)
        letters = self._letters
        while len(letters) < len(values):
            letters.append(column_letters(len(letters)))
        b = 1 if bold else 0
        plain = ' s="1"' if bold else ""
        cells = []
        for c, value in enumerate(values):
            ref = letters[c] + r
            if value is None or value == "":
                if bold:  # a bold row stays bold across its empty cells
                    cells.append(f'<c r="{ref}" s="1"/>')
                continue
            if isinstance(value, bool):
                cells.append(f'<c r="{ref}" t="b"{plain}><v>{int(value)}</v></c>')
            elif isinstance(value, int | float | Decimal):
                if not isfinite(value):
                    continue
                style = (NUMBER if formatted is None or c in formatted else PLAIN) + b
                s = f' s="{style}"' if style else ""
                cells.append(f'<c r="{ref}"{s}><v>{float(value):.16g}</v></c>')
            elif isinstance(value, dt.date):
                style = (DATETIME if isinstance(value, dt.datetime) else DATE) + b
                cells.append(f'<c r="{ref}" s="{style}"><v>{_serial(value)}</v></c>')
            else:
                text = value if isinstance(value, str) else str(value)
                if not text:
                    continue
                # Spaces at either end are kept (unless the text is nothing but spaces).
                edged = text[0].isspace() or text[-1].isspace()
                space = ' xml:space="preserve"' if edged and text.strip() else ""
                cells.append(
                    f'<c r="{ref}" t="inlineStr"{plain}><is><t{space}>{escape(text)}</t></is></c>'
                )
        self._pending.append(f'<row r="{r}">{"".join(cells)}</row>')
        if len(self._pending) >= _FLUSH_ROWS:
            self._flush()

    def _flush(self) -> None:
        text = _ILLEGAL.sub("\ufffd", "".join(self._pending))
        self._sheet.write(text.encode("utf-8", "replace"))
        self._pending.clear()

    def close(self) -> None:
        """Finish the sheet and write the workbook to the file."""
        self._flush()
        self._sheet.write(b"</sheetData></worksheet>")
        size = self._sheet.tell()
        self._sheet.seek(0)
        try:
            with zipfile.ZipFile(self._file, "w", zipfile.ZIP_DEFLATED) as zf:
                for name, text in self._parts():
                    zf.writestr(name, text)
                with zf.open(
                    "xl/worksheets/sheet1.xml", "w", force_zip64=size >= zipfile.ZIP64_LIMIT
                ) as sheet:
                    shutil.copyfileobj(self._sheet, sheet, 1 << 20)
        finally:
            self._sheet.close()

    def _parts(self) -> list[tuple[str, str]]:
        kinds = "application/vnd.openxmlformats-officedocument.spreadsheetml"
        types = (
            f'{_HEAD}<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package'
            '.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>'
            f'<Override PartName="/xl/workbook.xml" ContentType="{kinds}.sheet.main+xml"/>'
            f'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="{kinds}'
            '.worksheet+xml"/>'
            f'<Override PartName="/xl/styles.xml" ContentType="{kinds}.styles+xml"/></Types>'
        )
        rels = (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}"><Relationship Id="rId1" Type="{_REL}'
            '/officeDocument" Target="xl/workbook.xml"/></Relationships>'
        )
        book = (
            f'{_HEAD}<workbook xmlns="{_MAIN}" xmlns:r="{_REL}"><bookViews><workbookView/>'
            f'</bookViews><sheets><sheet name="{_attribute(self._title)}" sheetId="1"'
            ' r:id="rId1"/></sheets></workbook>'
        )
        book_rels = (
            f'{_HEAD}<Relationships xmlns="{_PKG_REL}">'
            f'<Relationship Id="rId1" Type="{_REL}/worksheet" Target="worksheets/sheet1.xml"/>'
            f'<Relationship Id="rId2" Type="{_REL}/styles" Target="styles.xml"/></Relationships>'
        )
        codes = {
            NUMBER: self._number_format,
            DATE: "yyyy-mm-dd",
            DATETIME: "yyyy-mm-dd h:mm:ss",
        }
        formats = "".join(
            f'<numFmt numFmtId="{_FORMATS[k]}" formatCode="{_attribute(code)}"/>'
            for k, code in codes.items()
        )
        xfs = []
        for style in (PLAIN, NUMBER, DATE, DATETIME):
            number = _FORMATS.get(style, 0)
            for font in (0, 1):
                xfs.append(
                    f'<xf numFmtId="{number}" fontId="{font}" fillId="0" borderId="0" xfId="0"'
                    + (' applyNumberFormat="1"' if number else "")
                    + (' applyFont="1"' if font else "")
                    + "/>"
                )
        face = '<sz val="11"/><name val="Calibri"/><family val="2"/>'
        styles = (
            f'{_HEAD}<styleSheet xmlns="{_MAIN}"><numFmts count="{len(codes)}">{formats}'
            f'</numFmts><fonts count="2"><font>{face}</font><font><b/>{face}</font></fonts>'
            '<fills count="2"><fill><patternFill patternType="none"/></fill>'
            '<fill><patternFill patternType="gray125"/></fill></fills>'
            '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border>'
            '</borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0"'
            f' borderId="0"/></cellStyleXfs><cellXfs count="{len(xfs)}">{"".join(xfs)}'
            '</cellXfs><cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/>'
            "</cellStyles></styleSheet>"
        )
        return [
            ("[Content_Types].xml", types),
            ("_rels/.rels", rels),
            ("xl/workbook.xml", book),
            ("xl/_rels/workbook.xml.rels", book_rels),
            ("xl/styles.xml", styles),
        ]


__all__ = ["SheetWriter", "column_letters"]
