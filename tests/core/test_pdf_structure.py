"""An uploaded PDF is read whole: a PDF header in front of something else is refused."""

from __future__ import annotations

import pytest

from commissioning.core.uploads import AttachmentRejected, check_upload
from tests.pdfs import PDF, one_page_pdf


def test_a_real_pdf_is_accepted():
    checked = check_upload("budget.pdf", PDF)
    assert checked.content_type == "application/pdf" and checked.size == len(PDF)


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.4\n<html><body><script>alert(1)</script></body></html>\n",
        b"%PDF-1.7\n" + b"A" * 5000,
        b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n",
    ],
    ids=["html after the header", "no structure", "a catalogue with no pages"],
)
def test_a_pdf_header_in_front_of_something_else_is_refused(data):
    with pytest.raises(AttachmentRejected, match="cannot be read as a PDF|has no pages"):
        check_upload("budget.pdf", data)


def test_the_text_of_a_test_pdf_is_its_own():
    assert one_page_pdf(b"Hello") != one_page_pdf(b"World")
    check_upload("a.pdf", one_page_pdf(b"Hello"))
