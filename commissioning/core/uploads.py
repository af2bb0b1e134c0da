"""Checking uploaded files (applicants' attachments, a decision record's papers) before they are kept.

`check_upload(name, data)` accepts a file only when its name is a plain file name (no folder,
drive or control characters), its extension is one we accept, and its content really is of that
type. It returns a `CheckedFile` or raises `AttachmentRejected`, whose message can be shown to the
applicant as it is.

Everything is judged in memory from the bytes given. Word, Excel and OpenDocument files are zip
archives: they are judged from the archive's directory of members (sizes, names, flags), never
extracted; only an OpenDocument file's tiny `mimetype` member is read. A plain zip archive is
accepted only where the caller names it (police.uk downloads), judged the same way. PDFs are scanned for
active content (JavaScript, launch actions, embedded files), including inside compressed object
streams and names written with `#xx` escapes.

Store the file as `CheckedFile.safe_name`, which comes from the content's hash, never from the
applicant's name; show it and offer it for download as `display_name(original_name)`.

Standard library and pypdf only: no Django here.
"""

from __future__ import annotations

import hashlib
import io
import logging
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass

MB = 1024 * 1024

# extension -> (what to call it, Content-Type to serve it with)
ALLOWED: dict[str, tuple[str, str]] = {
    "pdf": ("PDF document", "application/pdf"),
    "docx": (
        "Word document",
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ),
    "xlsx": (
        "Excel spreadsheet",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    "odt": ("OpenDocument text", "application/vnd.oasis.opendocument.text"),
    "ods": ("OpenDocument spreadsheet", "application/vnd.oasis.opendocument.spreadsheet"),
    "csv": ("CSV file", "text/csv"),
    "txt": ("Text file", "text/plain"),
    "png": ("PNG image", "image/png"),
    "jpg": ("JPEG image", "image/jpeg"),
}

# Archives, accepted only where a caller names them (`allowed={"csv", "zip"}` for police.uk
# downloads): never among an applicant's attachments. Judged from the directory like the
# Office formats, with room for a year of police.uk files.
ARCHIVES: dict[str, tuple[str, str]] = {"zip": ("Zip archive", "application/zip")}
ARCHIVE_MAX_MEMBERS = 10_000
ARCHIVE_MAX_TOTAL = 4 * 1024 * MB  # all members, uncompressed

KNOWN: dict[str, tuple[str, str]] = {**ALLOWED, **ARCHIVES}

MAX_BYTES = 10 * MB
MAX_NAME_LENGTH = 150

# Limits for the zip-based formats (docx, xlsx, odt, ods), judged from the archive's directory.
ZIP_MAX_MEMBERS = 1000
ZIP_MAX_TOTAL = 50 * MB  # all members, uncompressed
ZIP_MAX_RATIO = 100  # uncompressed / compressed, for members larger than ZIP_RATIO_FROM
ZIP_RATIO_FROM = 1 * MB

# Compressed PDF object streams are unpacked (in memory) to look for active content inside.
PDF_MAX_UNPACKED = 50 * MB


class AttachmentRejected(ValueError):
    """An uploaded file cannot be accepted. The message says why, in words fit for the applicant."""


@dataclass(frozen=True)
class CheckedFile:
    original_name: str  # as the applicant's browser sent it: show it through display_name()
    safe_name: str  # storage name: first 32 hex digits of the SHA-256, a dot, the extension
    extension: str  # lower case, a key of ALLOWED (or ARCHIVES, where asked for)
    content_type: str
    size: int  # bytes
    sha256: str  # hex

    def columns(self) -> dict[str, str | int]:
        """What every attachment row keeps about its stored file."""
        return {
            "stored_name": self.safe_name,
            "content_type": self.content_type,
            "size": self.size,
            "sha256": self.sha256,
        }


def check_upload(
    name: str,
    data: bytes,
    *,
    allowed: Iterable[str] = ALLOWED,
    max_bytes: int = MAX_BYTES,
) -> CheckedFile:
    """Check an uploaded file's name and content; return what to store or raise AttachmentRejected.

    `allowed` narrows the accepted extensions to some of ALLOWED (for example `{"pdf"}` for a
    signed declaration), or names an archive of ARCHIVES too (`{"csv", "zip"}`); an extension we
    have no content check for is a programming error.
    """
    extensions = _allowed_extensions(allowed)
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise TypeError(f"data must be bytes, not {type(data).__name__}")
    if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes < 1:
        raise ValueError(f"max_bytes must be a positive whole number, not {max_bytes!r}")

    _check_name(name)
    extension = _extension(name, extensions)
    if not data:
        raise AttachmentRejected("The file is empty")
    if len(data) > max_bytes:
        raise AttachmentRejected(f"The file is larger than {_size(max_bytes)}")
    _CONTENT_CHECKS[extension](data)

    digest = hashlib.sha256(data).hexdigest()
    return CheckedFile(
        original_name=name,
        safe_name=f"{digest[:32]}.{extension}",
        extension=extension,
        content_type=KNOWN[extension][1],
        size=len(data),
        sha256=digest,
    )


def display_name(original_name: str) -> str:
    """`_display_once` until nothing changes: a cleaned name can expose a new extension
    ("0:.0:" becomes "0 .0", which reads as "0" with extension "0"), so one pass is not always
    stable; a few passes always are, because each pass only removes characters."""
    name = _display_once(original_name)
    for _ in range(5):
        again = _display_once(name)
        if again == name:
            break
        name = again
    return name


def _display_once(original_name: str) -> str:
    """A name safe to show and to offer for download: NFKC-normalised, the last path part only,
    letters (with their accents), digits, space, dot, dash, underscore and parentheses, runs of
    anything else and of white space turned into one space, at most 150 characters, the extension
    kept. "file" when nothing of the name is left."""
    text = unicodedata.normalize("NFKC", str(original_name))
    text = re.split(r"[/\\]", text)[-1]
    stem, dot, extension = text.rpartition(".")
    if not (dot and extension.isascii() and extension.isalnum() and len(extension) <= 10):
        stem, extension = text, ""

    kept: list[str] = []
    marks = 0  # combining marks kept on the current letter
    for char in stem:
        category = unicodedata.category(char)
        keep = category[0] == "L" or category == "Nd" or char in "._-()"
        if keep:
            marks = 0
        elif category[0] == "M" and marks < 4 and kept:
            # An accent or vowel sign stays on the letter it belongs to (Hindi, Arabic, ...).
            keep = marks > 0 or unicodedata.category(kept[-1])[0] == "L"
            marks += keep
        kept.append(char if keep else " ")
        if not keep:
            marks = 0
    stem = re.sub(r"\.{2,}", ".", " ".join("".join(kept).split())).strip(" .")

    limit = MAX_NAME_LENGTH - (len(extension) + 1 if extension else 0)
    stem = stem[:limit].rstrip(" .") or "file"
    return f"{stem}.{extension}" if extension else stem


# --- names ---------------------------------------------------------------------------------

# Control characters, bidirectional overrides and other invisible formatting (which can make
# "report‮fdp.exe" look like a PDF), surrogates, line and paragraph separators.
_FORBIDDEN_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_ZERO_WIDTH_JOINERS = frozenset({"\u200c", "\u200d"})  # part of ordinary words in some scripts


def _check_name(name: str) -> None:
    if not isinstance(name, str):
        raise TypeError(f"name must be a str, not {type(name).__name__}")
    # Checked as sent and as NFKC would read it ("／" is a slash to anything that normalises).
    folded = unicodedata.normalize("NFKC", name)
    if any(separator in text for text in (name, folded) for separator in "/\\"):
        raise AttachmentRejected("The file name must not contain a folder path (“/” or “\\”)")
    if any(
        unicodedata.category(char) in _FORBIDDEN_CATEGORIES and char not in _ZERO_WIDTH_JOINERS
        for char in name
    ):
        raise AttachmentRejected("The file name must not contain control or invisible characters")
    if not name.strip():
        raise AttachmentRejected("The file has no name")
    if len(name) > MAX_NAME_LENGTH:
        raise AttachmentRejected(
            f"The file name is longer than {MAX_NAME_LENGTH} characters: please shorten it"
        )
    if ":" in name:
        raise AttachmentRejected("The file name must not contain a drive letter or a colon (“:”)")
    if name.startswith("."):
        raise AttachmentRejected("The file name must not start with a dot")
    if ".." in name or ".." in folded:
        raise AttachmentRejected("The file name must not contain two dots in a row (“..”)")
    if name[-1] in ". ":
        raise AttachmentRejected("The file name must not end with a dot or a space")


def _allowed_extensions(allowed: Iterable[str]) -> tuple[str, ...]:
    if isinstance(allowed, str):
        raise TypeError("allowed must be a collection of extensions, not one string")
    wanted = {str(extension).lower().lstrip(".") for extension in allowed}
    unknown = wanted - KNOWN.keys()
    if unknown:
        raise ValueError(f"no content check for extension(s) {sorted(unknown)}: see ALLOWED")
    if not wanted:
        raise ValueError("allowed must name at least one extension")
    return tuple(extension for extension in KNOWN if extension in wanted)


def _extension(name: str, extensions: tuple[str, ...]) -> str:
    accepted = ", ".join(f".{extension}" for extension in extensions)
    stem, dot, extension = name.rpartition(".")
    if not dot:
        raise AttachmentRejected(
            f"The file name must end with its type, such as .pdf. Accepted types: {accepted}"
        )
    lowered = extension.lower()
    if lowered.isascii() and lowered in extensions:
        return lowered
    inner = [part.lower() for part in stem.split(".")[1:]]
    if any(part in KNOWN for part in inner):
        doubled = "." + name.split(".", 1)[1]
        raise AttachmentRejected(
            f"The file name has a double extension ({doubled[:40]}): files ending in "
            f".{extension[:20]} are not accepted. Accepted types: {accepted}"
        )
    raise AttachmentRejected(
        f"Files of type .{extension[:20]} are not accepted here. Accepted types: {accepted}"
    )


def _size(n: int) -> str:
    for unit, scale in (("MB", MB), ("KB", 1024)):
        if n >= scale:
            return f"{n // scale} {unit}" if n % scale == 0 else f"{n / scale:.1f} {unit}"
    return f"{n} bytes"


# --- content -------------------------------------------------------------------------------

_PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
_ZIP_LOCAL_HEADER = b"PK\x03\x04"

# What a file that is not what its extension says seems to be, to tell the applicant.
_SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "a PDF document"),
    (_PNG_SIGNATURE, "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (_ZIP_LOCAL_HEADER, "a zip archive or an Office document"),
    (
        b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1",
        "an older Office file (.doc or .xls) or a password-protected document",
    ),
    (b"{\\rtf", "a Rich Text (.rtf) document"),
    (b"MZ", "a Windows program"),
    (b"\x7fELF", "a program"),
)


def _looks_like(data: bytes) -> str:
    for signature, description in _SIGNATURES:
        if data.startswith(signature):
            return f" (this file looks like {description})"
    return ""


def _check_pdf(data: bytes) -> None:
    if not data.startswith(b"%PDF-"):
        raise AttachmentRejected("A PDF must start with %PDF" + _looks_like(data))
    _check_pdf_active_content(data)
    _check_pdf_structure(data)


def _check_pdf_structure(data: bytes) -> None:
    """The whole file must read as a PDF with at least one page (pypdf, tolerant of the small
    faults real PDFs have): a header followed by a web page or anything else is refused."""
    from pypdf import PdfReader

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _pdf_unreadable(True)
        pages = len(reader.pages)
    except AttachmentRejected:
        raise
    except Exception as exc:  # pypdf raises many kinds for a damaged file
        raise AttachmentRejected(
            "This file cannot be read as a PDF: it may be damaged, or not really a PDF. "
            "Please save or print it as a PDF again and upload that"
        ) from exc
    if pages == 0:
        raise AttachmentRejected("This PDF has no pages")


def _check_png(data: bytes) -> None:
    if not (data.startswith(_PNG_SIGNATURE) and data[12:16] == b"IHDR"):
        raise AttachmentRejected("This is not a PNG image" + _looks_like(data))


def _check_jpeg(data: bytes) -> None:
    if not data.startswith(b"\xff\xd8\xff"):
        raise AttachmentRejected("This is not a JPEG image" + _looks_like(data))


def _text_check(what: str) -> Callable[[bytes], None]:
    def check(data: bytes) -> None:
        if b"\x00" in data:
            raise AttachmentRejected(
                f"{what} must be plain UTF-8 text, and this one contains NUL bytes"
                + (_looks_like(data) or " (it may be saved as UTF-16: please save it as UTF-8)")
            )
        try:
            data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise AttachmentRejected(
                f"{what} must be saved as UTF-8 text (this one is not valid UTF-8)"
            ) from exc

    return check


# --- zip-based documents (docx, xlsx, odt, ods) -------------------------------------------------


def _office_check(extension: str) -> Callable[[bytes], None]:
    label = ALLOWED[extension][0]
    article = "an" if label[0] in "AEIOU" else "a"
    invalid = f"This is not a valid {label} (.{extension})"

    def check(data: bytes) -> None:
        if not data.startswith(_ZIP_LOCAL_HEADER):
            raise AttachmentRejected(invalid + _looks_like(data))
        try:
            archive = zipfile.ZipFile(io.BytesIO(data))
        except Exception as exc:  # zipfile raises several kinds on a damaged directory
            raise AttachmentRejected(invalid + ": it is damaged or incomplete") from exc
        with archive:
            _check_zip_directory(archive.infolist(), len(data), f"{article} {label}")
            names = set(archive.namelist())
            if extension in ("docx", "xlsx"):
                main = "word/document.xml" if extension == "docx" else "xl/workbook.xml"
                if not {"[Content_Types].xml", main} <= names:
                    raise AttachmentRejected(invalid + _not_ooxml_hint(names))
                if any(n.rsplit("/", 1)[-1].lower() == "vbaproject.bin" for n in names):
                    raise AttachmentRejected(
                        f"Documents containing macros are not accepted: please save it as a "
                        f"plain .{extension} without macros"
                    )
            else:
                expected = ALLOWED[extension][1].encode()
                if "content.xml" not in names or _odf_mimetype(archive) != expected:
                    raise AttachmentRejected(invalid)

    return check


def _check_zip_directory(
    infos: list[zipfile.ZipInfo],
    size: int,
    what: str,
    *,
    max_members: int = ZIP_MAX_MEMBERS,
    max_total: int = ZIP_MAX_TOTAL,
) -> None:
    """Refuse zip bombs and tricks from the archive's directory alone (nothing is unpacked)."""
    if len(infos) > max_members:
        raise AttachmentRejected(
            f"The file has more than {max_members:,} parts inside it, which is not usual for {what}"
        )
    seen: set[str] = set()
    total = compressed = 0
    for info in infos:
        member = info.filename
        parts = re.split(r"[/\\]", member)
        if (
            member.startswith(("/", "\\"))
            or re.match(r"[A-Za-z]:", member)
            or ".." in parts
            or any(unicodedata.category(char) == "Cc" for char in member)
        ):
            raise AttachmentRejected("The file contains a part with an unsafe path inside it")
        if info.flag_bits & 0x41:  # 0x01 encrypted, 0x40 strong encryption
            raise AttachmentRejected(
                "The file is password-protected or encrypted: please remove the password and "
                "upload it again"
            )
        if member.lower().endswith(".zip"):
            raise AttachmentRejected("The file contains another zip archive inside it")
        if member in seen:
            raise AttachmentRejected("The file contains two parts with the same name")
        seen.add(member)
        if info.file_size > ZIP_RATIO_FROM and (
            info.compress_size == 0 or info.file_size > ZIP_MAX_RATIO * info.compress_size
        ):
            raise AttachmentRejected(
                "The file contains a part that is compressed far more than a normal document "
                "(a possible zip bomb)"
            )
        total += info.file_size
        compressed += info.compress_size
    if total > max_total:
        raise AttachmentRejected(
            f"The file would be larger than {_size(max_total)} once opened (a possible zip bomb)"
        )
    if compressed > size:
        # Members overlapping each other: the shape of the best-compressing zip bombs.
        raise AttachmentRejected("The file is damaged: its parts overlap each other")


def _check_zip(data: bytes) -> None:
    """A plain zip archive: readable, not empty, and passing the directory checks."""
    invalid = "This is not a valid zip archive (.zip)"
    if not data.startswith(_ZIP_LOCAL_HEADER):
        raise AttachmentRejected(invalid + _looks_like(data))
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except Exception as exc:  # zipfile raises several kinds on a damaged directory
        raise AttachmentRejected(invalid + ": it is damaged or incomplete") from exc
    with archive:
        infos = archive.infolist()
        if not any(not info.is_dir() for info in infos):
            raise AttachmentRejected("The zip archive has no files in it")
        _check_zip_directory(
            infos,
            len(data),
            "a zip archive",
            max_members=ARCHIVE_MAX_MEMBERS,
            max_total=ARCHIVE_MAX_TOTAL,
        )


def _not_ooxml_hint(names: set[str]) -> str:
    if "word/document.xml" in names:
        return " (this file looks like a Word document)"
    if "xl/workbook.xml" in names:
        return " (this file looks like an Excel spreadsheet)"
    if "mimetype" in names:
        return " (this file looks like an OpenDocument file)"
    return ""


def _odf_mimetype(archive: zipfile.ZipFile) -> bytes | None:
    try:
        info = archive.getinfo("mimetype")
        if info.file_size > 100 or info.compress_size > 1000:
            return None
        return archive.read(info)
    except Exception:  # missing, damaged (bad CRC, bad header) or an unknown compression
        return None


# --- PDF active content ----------------------------------------------------------------------

# A PDF name: "/" then anything up to white space or a delimiter; "#xx" is an escaped byte, so
# "/Java#53cript" is "/JavaScript".
_PDF_NAME = re.compile(rb"/([^\x00\t\n\x0c\r ()<>\[\]{}/%]+)")
_PDF_NAME_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_PDF_STREAM = re.compile(rb"\bstream(?:\r\n|\n|\r)")  # not "endstream": no word boundary there

# Looked for everywhere, stream data included (too long to turn up in binary data by chance).
_PDF_ACTIVE = frozenset(
    {
        b"JavaScript",
        b"Launch",
        b"EmbeddedFile",
        b"EmbeddedFiles",
        b"FileAttachment",
        b"GoToE",
        b"RichMedia",
    }
)
# Looked for outside stream data only: two letters turn up in images and fonts by chance.
_PDF_ACTIVE_SHORT = frozenset({b"JS", b"EF"})
# Encodings other than Flate we do not unpack; an object stream using one cannot be checked.
_PDF_OTHER_FILTERS = frozenset(
    {
        b"ASCIIHexDecode",
        b"AHx",
        b"ASCII85Decode",
        b"A85",
        b"LZWDecode",
        b"LZW",
        b"RunLengthDecode",
        b"RL",
        b"Crypt",
        b"DecodeParms",
        b"DP",
    }
)


def _pdf_names(chunk: bytes) -> set[bytes]:
    return {
        _PDF_NAME_ESCAPE.sub(lambda m: bytes([int(m[1], 16)]), raw) if b"#" in raw else raw
        for raw in set(_PDF_NAME.findall(chunk))
    }


def _check_pdf_active_content(data: bytes) -> None:
    """Refuse a PDF with JavaScript, launch actions or embedded files, as plain or #-escaped
    names, at the top level or inside compressed object streams."""
    outside: set[bytes] = set()  # names outside stream data
    inside: set[bytes] = set()  # names in stream data (binary, mostly)
    object_streams: list[tuple[set[bytes], bytes]] = []  # (names before it, its raw data)
    position = 0
    while (start := _PDF_STREAM.search(data, position)) is not None:
        before = _pdf_names(data[position : start.start()])
        outside |= before
        end = data.find(b"endstream", start.end())
        end = len(data) if end < 0 else end
        inside |= _pdf_names(data[start.end() : end])
        if b"ObjStm" in before:
            object_streams.append((before, data[start.end() : end]))
        position = end + len(b"endstream")
    outside |= _pdf_names(data[position:])

    if (outside | inside) & _PDF_ACTIVE or outside & _PDF_ACTIVE_SHORT:
        raise _pdf_active_content()

    budget = PDF_MAX_UNPACKED
    for dictionary, raw in object_streams:
        if dictionary & _PDF_OTHER_FILTERS:
            raise _pdf_unreadable(b"Encrypt" in outside)
        if {b"FlateDecode", b"Fl"} & dictionary:
            try:
                text = zlib.decompressobj().decompress(raw, budget + 1)
            except zlib.error as exc:
                raise _pdf_unreadable(b"Encrypt" in outside) from exc
            if len(text) > budget:
                raise _pdf_unreadable(False)
            budget -= len(text)
        else:
            text = raw
        if _pdf_names(text) & (_PDF_ACTIVE | _PDF_ACTIVE_SHORT):
            raise _pdf_active_content()


def _pdf_active_content() -> AttachmentRejected:
    return AttachmentRejected(
        "The PDF contains active content (JavaScript, actions that open other programs, or "
        "embedded files), which is not accepted: please save or print it as a plain PDF and "
        "upload that"
    )


def _pdf_unreadable(encrypted: bool) -> AttachmentRejected:
    if encrypted:
        return AttachmentRejected(
            "The PDF is encrypted, so it cannot be checked for active content: please upload a "
            "copy without a password or restrictions (for example, print it to PDF)"
        )
    return AttachmentRejected(
        "The PDF could not be checked for active content: please save or print it as a plain "
        "PDF and upload that"
    )


_CONTENT_CHECKS: dict[str, Callable[[bytes], None]] = {
    "pdf": _check_pdf,
    "docx": _office_check("docx"),
    "xlsx": _office_check("xlsx"),
    "odt": _office_check("odt"),
    "ods": _office_check("ods"),
    "csv": _text_check("A CSV file"),
    "txt": _text_check("A text file"),
    "png": _check_png,
    "jpg": _check_jpeg,
    "zip": _check_zip,
}
assert _CONTENT_CHECKS.keys() == KNOWN.keys()
