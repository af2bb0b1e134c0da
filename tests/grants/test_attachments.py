"""Checking uploaded attachments: real tiny files of every accepted type are accepted, and each
kind of bad upload is refused with a message an applicant can act on: the wrong type, content
that does not match its extension, too large, a path in the name, a double extension, zip bombs
and tricks inside Office files, active content in PDFs, text that is not UTF-8.

No database: files are built in memory here, nothing is written to disk."""

from __future__ import annotations

import dataclasses
import hashlib
import io
import struct
import warnings
import zipfile
import zlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from commissioning.core.uploads import (
    ALLOWED,
    MAX_NAME_LENGTH,
    AttachmentRejected,
    CheckedFile,
    check_upload,
    display_name,
)

MB = 1024 * 1024


# --- building real files ---------------------------------------------------------------------


def make_pdf(*, catalog: bytes = b"", extra: tuple[bytes, ...] = (), trailer: bytes = b"") -> bytes:
    """A one-page PDF with a correct cross-reference table. `catalog` is added to the document
    catalog, `extra` are further objects (numbered from 5), `trailer` goes in the trailer."""
    content = b"0 0 m 100 100 l S"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R " + catalog + b">>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 200] /Contents 4 0 R >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        *extra,
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R %s>>\n" % (len(objects) + 1, trailer)
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def stream(dictionary: bytes, data: bytes) -> bytes:
    return b"<< %s /Length %d >>\nstream\n%s\nendstream" % (dictionary, len(data), data)


def object_stream(objects: bytes, *, flate: bool = True) -> bytes:
    """A PDF object stream (/Type /ObjStm) holding one object, number 7."""
    header = b"7 0 "
    body = header + objects
    if flate:
        return stream(
            b"/Type /ObjStm /N 1 /First %d /Filter /FlateDecode" % len(header), zlib.compress(body)
        )
    return stream(b"/Type /ObjStm /N 1 /First %d" % len(header), body)


def make_png() -> bytes:
    """A real 1×1 white PNG."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\xff\xff")  # filter byte, one white pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


# The start of a JFIF file (SOI, APP0) and its end (EOI): what a JPEG's magic bytes look like.
JPEG = (
    b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00"
    b"\xff\xdb\x00\x43\x00" + bytes(range(1, 65)) + b"\xff\xd9"
)

CONTENT_TYPES = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    b'<Default Extension="xml" ContentType="application/xml"/>%s</Types>'
)
RELS = (
    b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    b'<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
    b'relationships/%s" Target="%s"/></Relationships>'
)


def make_zip(members, *, encrypted: tuple[str, ...] = ()) -> bytes:
    """A zip built with zipfile, in memory. `members` is a dict or a list of (name, bytes);
    `encrypted` names members to flag as encrypted in the central directory."""
    items = members.items() if isinstance(members, dict) else members
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in items:
            info = zipfile.ZipInfo(name, date_time=(2025, 4, 1, 12, 0, 0))
            info.compress_type = zipfile.ZIP_STORED if name == "mimetype" else zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
        for name in encrypted:
            # zipfile clears flag_bits while writing; set the bit before the directory is written.
            archive.getinfo(name).flag_bits |= 0x1
    return buffer.getvalue()


def docx_members() -> dict[str, bytes]:
    return {
        "[Content_Types].xml": CONTENT_TYPES
        % b'<Override PartName="/word/document.xml" ContentType="application/'
        b'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/>',
        "_rels/.rels": RELS % (b"officeDocument", b"word/document.xml"),
        "word/document.xml": b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        b'<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        b"<w:body><w:p><w:r><w:t>Our project keeps young people safe.</w:t></w:r></w:p>"
        b"</w:body></w:document>",
    }


def make_docx(**extra: bytes) -> bytes:
    return make_zip(docx_members() | extra)


def xlsx_members() -> dict[str, bytes]:
    main = b"http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    return {
        "[Content_Types].xml": CONTENT_TYPES
        % (
            b'<Override PartName="/xl/workbook.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
            b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/'
            b'vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        ),
        "_rels/.rels": RELS % (b"officeDocument", b"xl/workbook.xml"),
        "xl/workbook.xml": b'<workbook xmlns="%s" xmlns:r="http://schemas.openxmlformats.org/'
        b'officeDocument/2006/relationships"><sheets><sheet name="Budget" sheetId="1" '
        b'r:id="rId1"/></sheets></workbook>' % main,
        "xl/_rels/workbook.xml.rels": RELS % (b"worksheet", b"worksheets/sheet1.xml"),
        "xl/worksheets/sheet1.xml": b'<worksheet xmlns="%s"><sheetData><row r="1">'
        b'<c r="A1"><v>1250</v></c></row></sheetData></worksheet>' % main,
    }


def make_xlsx() -> bytes:
    return make_zip(xlsx_members())


def make_odf(mimetype: bytes = b"application/vnd.oasis.opendocument.text") -> bytes:
    manifest = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0"'
        b' manifest:version="1.3"><manifest:file-entry manifest:full-path="/" '
        b'manifest:media-type="%s"/><manifest:file-entry manifest:full-path="content.xml" '
        b'manifest:media-type="text/xml"/></manifest:manifest>' % mimetype
    )
    content = (
        b'<?xml version="1.0" encoding="UTF-8"?>\n'
        b'<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"'
        b' xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.3">'
        b"<office:body><office:text><text:p>Our project</text:p></office:text></office:body>"
        b"</office:document-content>"
    )
    return make_zip(
        [("mimetype", mimetype), ("META-INF/manifest.xml", manifest), ("content.xml", content)]
    )


def rejected(name: str, data: bytes, **kwargs) -> str:
    with pytest.raises(AttachmentRejected) as caught:
        check_upload(name, data, **kwargs)
    return str(caught.value)


# --- accepted --------------------------------------------------------------------------------

ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

ACCEPTED = [
    ("Annual report 2024.pdf", make_pdf()),
    ("logo.png", make_png()),
    ("photo.jpg", JPEG),
    ("Project plan.docx", make_docx()),
    ("Budget.xlsx", make_xlsx()),
    ("Letter.odt", make_odf()),
    ("Budget.ods", make_odf(ODS_MIMETYPE)),
    ("costs.csv", "item,amount\nVolunteer travel,£250\nCafé hire,120\n".encode()),
    ("costs-excel.csv", b"\xef\xbb\xbfitem,amount\nRoom,80\n"),  # Excel's "CSV UTF-8" has a BOM
    ("notes.txt", "Thank you — Zoë\n".encode()),
]


@pytest.mark.parametrize(("name", "data"), ACCEPTED, ids=[name for name, _ in ACCEPTED])
def test_each_accepted_type(name, data):
    checked = check_upload(name, data)
    extension = name.rsplit(".", 1)[1]
    digest = hashlib.sha256(data).hexdigest()
    assert checked == CheckedFile(
        original_name=name,
        safe_name=f"{digest[:32]}.{extension}",
        extension=extension,
        content_type=ALLOWED[extension][1],
        size=len(data),
        sha256=digest,
    )


def test_every_allowed_type_is_covered_and_has_a_label_and_content_type():
    assert {name.rsplit(".", 1)[1] for name, _ in ACCEPTED} == set(ALLOWED)
    for label, content_type in ALLOWED.values():
        assert label and "/" in content_type


def test_extension_is_case_insensitive_and_the_storage_name_ignores_the_applicants_name():
    pdf = make_pdf()
    shouting = check_upload("REPORT.PDF", pdf)
    assert shouting.extension == "pdf"
    assert shouting.original_name == "REPORT.PDF"
    other = check_upload("something else entirely.pdf", pdf)
    assert other.safe_name == shouting.safe_name == f"{hashlib.sha256(pdf).hexdigest()[:32]}.pdf"


def test_checked_file_is_frozen():
    checked = check_upload("a.pdf", make_pdf())
    with pytest.raises(dataclasses.FrozenInstanceError):
        checked.safe_name = "../../etc/passwd"  # type: ignore[misc]


def test_files_saved_by_real_libraries_are_accepted():
    """openpyxl and reportlab (both dependencies of the product) write real XLSX and PDF files."""
    openpyxl = pytest.importorskip("openpyxl")
    canvas = pytest.importorskip("reportlab.pdfgen.canvas")

    workbook = openpyxl.Workbook()
    workbook.active.append(["Item", "Amount"])
    workbook.active.append(["Mentoring", 1250])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert check_upload("budget.xlsx", buffer.getvalue()).extension == "xlsx"
    # And the spreadsheet built by hand here is one openpyxl can read.
    sheet = openpyxl.load_workbook(io.BytesIO(make_xlsx())).active
    assert sheet["A1"].value == 1250

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer)
    pdf.drawString(72, 720, "Application for the Community Safety Fund")
    pdf.showPage()
    pdf.save()
    assert check_upload("application.pdf", buffer.getvalue()).extension == "pdf"


def test_allowed_narrows_the_accepted_types():
    assert check_upload("declaration.pdf", make_pdf(), allowed={"pdf"}).extension == "pdf"
    message = rejected("declaration.png", make_png(), allowed={"pdf"})
    assert message == "Files of type .png are not accepted here. Accepted types: .pdf"


def test_allowed_must_name_types_we_can_check():
    with pytest.raises(ValueError, match="no content check"):
        check_upload("run.exe", b"MZ", allowed={"pdf", "exe"})
    with pytest.raises(TypeError):
        check_upload("a.pdf", make_pdf(), allowed="pdf")


# --- size ------------------------------------------------------------------------------------


def test_empty_file_refused():
    assert rejected("empty.pdf", b"") == "The file is empty"


def test_too_large_refused():
    too_big = make_pdf() + b"%" + b"x" * (10 * MB)
    assert rejected("big.pdf", too_big) == "The file is larger than 10 MB"
    assert check_upload("exactly.pdf", too_big[: 10 * MB]).size == 10 * MB
    assert rejected("a.pdf", make_pdf(), max_bytes=100) == "The file is larger than 100 bytes"
    assert rejected("a.pdf", too_big, max_bytes=5 * MB // 2) == "The file is larger than 2.5 MB"


# --- names -----------------------------------------------------------------------------------

FOLDER = "The file name must not contain a folder path"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("../x.pdf", FOLDER),
        ("C:\\x.pdf", FOLDER),
        ("a/b.pdf", FOLDER),
        ("/etc/passwd.pdf", FOLDER),
        ("\\\\server\\share\\x.pdf", FOLDER),
        ("a\uff0fb.pdf", FOLDER),  # a fullwidth slash, which NFKC turns into "/"
        ("C:x.pdf", "must not contain a drive letter or a colon"),
        ("report.pdf:evil", "must not contain a drive letter or a colon"),
        ("..", "must not start with a dot"),
        (".hidden.pdf", "must not start with a dot"),
        ("report..pdf", "must not contain two dots in a row"),
        ("x\x00.pdf", "must not contain control or invisible characters"),
        ("x\n.pdf", "must not contain control or invisible characters"),
        ("invoice\u202efdp.exe", "must not contain control or invisible characters"),
        ("", "The file has no name"),
        ("   ", "The file has no name"),
        ("a" * (MAX_NAME_LENGTH - 3) + ".pdf", "longer than 150 characters"),
        ("report.pdf.", "must not end with a dot or a space"),
        ("report.pdf ", "must not end with a dot or a space"),
        ("report", "must end with its type, such as .pdf"),
    ],
)
def test_bad_names_refused_not_cleaned(name, message):
    assert message in rejected(name, make_pdf())


def test_longest_name_accepted():
    name = "a" * (MAX_NAME_LENGTH - 4) + ".pdf"
    assert len(name) == MAX_NAME_LENGTH
    assert check_upload(name, make_pdf()).original_name == name


def test_names_in_other_scripts_accepted():
    for name in ("Café budget.pdf", "बजट.pdf", "تقرير سنوي.pdf", "گزارش‌نهایی.pdf", "予算.pdf"):
        assert check_upload(name, make_pdf()).original_name == name


@given(
    st.tuples(st.text(max_size=60), st.sampled_from(["/", "\\"]), st.text(max_size=60)).map("".join)
)
@settings(max_examples=300)
def test_any_name_with_a_slash_or_backslash_is_refused(name):
    assert FOLDER in rejected(name + ".pdf", make_pdf())


# --- types -----------------------------------------------------------------------------------


def test_type_not_accepted():
    assert rejected("setup.exe", b"MZ\x90\x00").startswith("Files of type .exe are not accepted")
    message = rejected("photo.gif", b"GIF89a")
    assert ".pdf, .docx, .xlsx, .odt, .ods, .csv, .txt, .png, .jpg" in message


@pytest.mark.parametrize("name", ["report.pdf.exe", "Report.PDF.js", "budget.xlsx.scr"])
def test_double_extension_refused(name):
    assert "double extension" in rejected(name, b"MZ\x90\x00")


def test_dotted_names_are_not_double_extensions():
    assert check_upload("v1.2 final.pdf", make_pdf()).extension == "pdf"
    assert check_upload("2024.03.report.pdf", make_pdf()).extension == "pdf"


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("report.pdf", make_png(), "A PDF must start with %PDF (this file looks like a PNG image)"),
        ("logo.png", make_pdf(), "This is not a PNG image (this file looks like a PDF document)"),
        ("photo.jpg", make_png(), "This is not a JPEG image (this file looks like a PNG image)"),
        ("plan.docx", make_xlsx(), "This is not a valid Word document (.docx) (this file looks"),
        ("budget.xlsx", make_docx(), "not a valid Excel spreadsheet (.xlsx) (this file looks like"),
        ("letter.odt", make_docx(), "This is not a valid OpenDocument text (.odt)"),
        ("budget.ods", make_odf(), "This is not a valid OpenDocument spreadsheet (.ods)"),
        ("plan.docx", make_pdf(), "(this file looks like a PDF document)"),
        ("plan.docx", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(500), "older Office file"),
        ("plan.docx", b"PK\x03\x04 not really a zip", "it is damaged or incomplete"),
        ("notes.txt", make_png(), "(this file looks like a PNG image)"),
    ],
)
def test_content_must_match_the_extension(name, data, message):
    assert message in rejected(name, data)


def test_zip_with_something_in_front_refused():
    """A zip appended to a program still opens as a zip; the file must start as one."""
    assert "looks like a Windows program" in rejected("plan.docx", b"MZ" + bytes(100) + make_docx())


def test_csv_not_utf8_refused():
    latin1 = "name,amount\nCafé hire,120\n".encode("latin-1")
    assert rejected("costs.csv", latin1) == (
        "A CSV file must be saved as UTF-8 text (this one is not valid UTF-8)"
    )
    utf16 = "name,amount\n".encode("utf-16")
    assert "contains NUL bytes (it may be saved as UTF-16" in rejected("costs.csv", utf16)
    assert "A text file must be plain UTF-8 text" in rejected("notes.txt", b"abc\x00def")


# --- zip-based documents -----------------------------------------------------------------------


def test_zip_bomb_by_ratio_refused():
    bomb = make_docx(**{"word/media/image1.png": bytes(20 * MB)})
    assert len(bomb) < 100_000  # 20 MB of zeros compresses to almost nothing
    assert "a possible zip bomb" in rejected("plan.docx", bomb)


def test_small_members_may_compress_well():
    """Only members over 1 MB are held to the ratio: small XML parts compress far better."""
    assert check_upload("plan.docx", make_docx(**{"word/styles.xml": b" " * MB})).size > 0


def test_zip_bomb_by_total_size_refused():
    # 51 members of exactly 1 MB: none is over the size the ratio applies from, but together
    # they are over 50 MB.
    members = {f"word/media/part{i}.bin": bytes(MB) for i in range(51)}
    message = rejected("plan.docx", make_docx(**members))
    assert message == "The file would be larger than 50 MB once opened (a possible zip bomb)"


def test_too_many_members_refused():
    members = {f"word/parts/{i}.xml": b"<x/>" for i in range(1000)}
    assert "more than 1,000 parts inside it" in rejected("plan.docx", make_docx(**members))


def test_nested_zip_refused():
    inner = make_zip({"a.txt": b"hello"})
    message = rejected("plan.docx", make_docx(**{"word/embeddings/Archive.ZIP": inner}))
    assert message == "The file contains another zip archive inside it"


def test_encrypted_member_refused():
    data = make_zip(docx_members(), encrypted=("word/document.xml",))
    assert "password-protected or encrypted" in rejected("plan.docx", data)
    data = make_zip(
        [("mimetype", b"application/vnd.oasis.opendocument.text"), ("content.xml", b"<x/>")],
        encrypted=("content.xml",),
    )
    assert "password-protected or encrypted" in rejected("letter.odt", data)


@pytest.mark.parametrize("member", ["../../evil.sh", "/etc/cron.d/evil", "word/../../x", "C:/x"])
def test_member_with_unsafe_path_refused(member):
    message = rejected("plan.docx", make_docx(**{member: b"x"}))
    assert message == "The file contains a part with an unsafe path inside it"


def test_duplicate_member_names_refused():
    members = [*docx_members().items(), ("word/document.xml", b"<other/>")]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)  # zipfile warns "Duplicate name"
        data = make_zip(members)
    assert rejected("plan.docx", data) == "The file contains two parts with the same name"


def test_overlapping_members_refused():
    """The best-compressing zip bombs point many directory entries at the same data."""
    data = make_zip({"word/media/noise.bin": hashlib.sha256(b"x").digest() * 20_000})
    archive = zipfile.ZipFile(io.BytesIO(data))
    (info,) = archive.infolist()
    end = data.rindex(b"PK\x05\x06")
    start = struct.unpack("<I", data[end + 16 : end + 20])[0]
    record = data[start:end]  # the one central directory record
    copies = [record.replace(b"noise", b"nois%d" % i) for i in range(10)]
    directory = b"".join(copies)
    end_record = bytearray(data[end:])
    struct.pack_into("<HHI", end_record, 8, len(copies), len(copies), len(directory))
    bomb = data[:start] + directory + bytes(end_record)
    assert len(zipfile.ZipFile(io.BytesIO(bomb)).infolist()) == 10
    assert 10 * info.compress_size > len(bomb)
    assert rejected("plan.docx", bomb) == "The file is damaged: its parts overlap each other"


def test_macros_refused():
    data = make_docx(**{"word/vbaProject.bin": b"\xd0\xcf\x11\xe0" + bytes(100)})
    assert "Documents containing macros are not accepted" in rejected("plan.docx", data)


def test_odf_mimetype_must_be_right():
    assert "not a valid OpenDocument text" in rejected("a.odt", make_odf(b"text/html"))
    no_mimetype = make_zip({"content.xml": b"<x/>"})
    assert "not a valid OpenDocument text" in rejected("a.odt", no_mimetype)


# --- PDF active content ------------------------------------------------------------------------

ACTIVE = "The PDF contains active content"


@pytest.mark.parametrize(
    "pdf",
    [
        make_pdf(catalog=b"/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
        make_pdf(catalog=b"/OpenAction << /S /Java#53cript /JS (app.alert(1)) >>"),
        make_pdf(catalog=b"/OpenAction<</S/Launch/F(cmd.exe)>>"),
        make_pdf(catalog=b"/Names << /EmbeddedFiles 5 0 R >>", extra=(b"<< /Names [] >>",)),
        make_pdf(extra=(stream(b"/Type /EmbeddedFile", b"MZ payload"),)),
        make_pdf(extra=(b"<< /Type /Filespec /F (a.exe) /EF << /F 6 0 R >> >>",)),
        make_pdf(catalog=b"/AA << /WC << /JS (app.alert(1)) >> >>"),
        # Hidden in a compressed object stream, and in an uncompressed one.
        make_pdf(extra=(object_stream(b"<< /S /JavaScript /JS (app.alert(1)) >>"),)),
        make_pdf(extra=(object_stream(b"<< /S /Launch /F (cmd.exe) >>", flate=False),)),
        make_pdf(extra=(object_stream(b"<< /Type /Filespec /EF << /F 6 0 R >> >>"),)),
    ],
    ids=[
        "javascript",
        "escaped-name",
        "launch",
        "embedded-files",
        "embedded-file",
        "ef",
        "js",
        "in-object-stream",
        "in-plain-object-stream",
        "ef-in-object-stream",
    ],
)
def test_pdf_with_active_content_refused(pdf):
    assert rejected("report.pdf", pdf).startswith(ACTIVE)


def test_pdf_without_active_content_accepted():
    clean = object_stream(b"<< /Type /Annot /Subtype /Link /Rect [0 0 10 10] >>")
    assert check_upload("report.pdf", make_pdf(extra=(clean,))).size > 0
    # Two-letter names are only looked for outside stream data, where images and fonts can hold
    # "/JS" or "/EF" by chance.
    image = stream(b"/Type /XObject /Subtype /Image /Width 4 /Height 2", b"\x00/JS \x01/EF\x02")
    assert check_upload("report.pdf", make_pdf(extra=(image,))).size > 0


def test_pdf_object_stream_we_cannot_read_refused():
    hex_encoded = stream(b"/Type /ObjStm /N 1 /First 4 /Filter /ASCIIHexDecode", b"3720302000>")
    assert "could not be checked for active content" in rejected(
        "report.pdf", make_pdf(extra=(hex_encoded,))
    )
    encrypted = make_pdf(
        extra=(
            stream(b"/Type /ObjStm /N 1 /First 4 /Filter /FlateDecode", b"\x93\x1f\xa0" * 30),
            b"<< /Filter /Standard /V 2 /R 3 /O <00> /U <00> /P -4 >>",
        ),
        trailer=b"/Encrypt 6 0 R",
    )
    assert "The PDF is encrypted, so it cannot be checked" in rejected("report.pdf", encrypted)


# --- robustness ----------------------------------------------------------------------------------


@given(st.sampled_from(sorted(ALLOWED)), st.binary(max_size=3000))
@settings(max_examples=300)
def test_any_bytes_are_accepted_or_refused_never_crash(extension, data):
    try:
        check_upload(f"file.{extension}", data)
    except AttachmentRejected:
        pass


@given(
    st.sampled_from([make_docx(), make_xlsx(), make_odf(), make_pdf()]),
    st.lists(st.tuples(st.integers(min_value=0), st.integers(0, 255)), min_size=1, max_size=8),
)
@settings(max_examples=300)
def test_damaged_files_are_refused_not_crashed_on(original, damage):
    data = bytearray(original)
    for position, value in damage:
        data[position % len(data)] = value
    extension = {b"%P": "pdf"}.get(bytes(data[:2]), "docx")
    try:
        check_upload(f"file.{extension}", bytes(data))
    except AttachmentRejected:
        pass


# --- display names -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("original", "shown"),
    [
        ("Annual report 2024.pdf", "Annual report 2024.pdf"),
        ("../../etc/passwd", "passwd"),
        ("C:\\Users\\sam\\Budget (final).xlsx", "Budget (final).xlsx"),
        ("Budget & plan 2024–25.xlsx", "Budget plan 2024 25.xlsx"),
        ("ｒｅｐｏｒｔ．ｐｄｆ", "report.pdf"),  # fullwidth letters, NFKC
        ("  spaced \t out\n name .pdf", "spaced out name.pdf"),
        ("Cafe\u0301 menu.pdf", "Café menu.pdf"),  # combining accent composed
        ("बजट रिपोर्ट.pdf", "बजट रिपोर्ट.pdf"),  # vowel signs kept on their letters
        ("invoice\u202efdp.exe", "invoice fdp.exe"),
        ("...hidden..file.pdf", "hidden.file.pdf"),
        ("???.pdf", "file.pdf"),
        ("", "file"),
        ("<img src=x onerror=alert(1)>.txt", "img src x onerror alert(1).txt"),
        ("report.PDF", "report.PDF"),
    ],
)
def test_display_name(original, shown):
    assert display_name(original) == shown


def test_display_name_is_shortened_keeping_the_extension():
    shown = display_name("a" * 300 + ".docx")
    assert len(shown) == MAX_NAME_LENGTH
    assert shown.endswith("a.docx")


@given(st.text(max_size=300))
@settings(max_examples=500)
def test_display_name_is_safe_and_stable(original):
    shown = display_name(original)
    assert shown
    assert len(shown) <= MAX_NAME_LENGTH
    assert not shown.startswith((".", " ")) and not shown.endswith(" ")
    assert ".." not in shown and "  " not in shown
    assert not any(char in shown for char in "/\\:<>\"'|?*\x00\n\r\t")
    assert display_name(shown) == shown
