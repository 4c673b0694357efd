"""Export a lesson's worked steps as a handout: Markdown, or a printable PDF (QTextDocument)."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtGui import QPageLayout, QPageSize, QTextDocument
from PySide6.QtPrintSupport import QPrinter

from bpstudio.core.lessons.handout import handout_markdown


def markdown_of(player) -> str:
    return handout_markdown(player.lesson, player.answers, player.score.text())


def write_markdown(player, path) -> Path:
    path = Path(path)
    path.write_text(markdown_of(player), encoding="utf-8")
    return path


def write_pdf(player, path) -> Path:
    """The same handout laid out on A4 pages by Qt's printing support."""
    path = Path(path)
    doc = QTextDocument()
    doc.setMarkdown(markdown_of(player))
    printer = QPrinter(QPrinter.HighResolution)
    printer.setOutputFormat(QPrinter.PdfFormat)
    printer.setOutputFileName(str(path))
    printer.setPageSize(QPageSize(QPageSize.A4))
    printer.setPageOrientation(QPageLayout.Portrait)
    printer.setDocName(player.lesson.title)
    doc.print_(printer)
    return path
