"""Figures kept beside a module's text: images checked and loaded with the module.

Authors are not trusted to run code, so an SVG holding script, event handlers,
javascript: links or embedded HTML is refused; every figure is also served with a
sandboxing Content-Security-Policy.
"""

import re
from dataclasses import dataclass
from pathlib import Path

from app.content.problems import Problem

MEDIA_TYPES = {
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".webp": "image/webp",
    ".gif": "image/gif",
}
MAX_BYTES = 2 * 1024 * 1024
SIGNATURES = {
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
    "image/gif": (b"GIF87a", b"GIF89a"),
}
UNSAFE_SVG = re.compile(
    rb"<\s*script|<\s*foreignObject|\son[a-z]+\s*=|javascript:|<\s*iframe|<\s*object|<\s*embed",
    re.IGNORECASE,
)
IMAGE_REFERENCE = re.compile(r"!\[[^\]]*\]\(\s*([^)\s]+)")


@dataclass(frozen=True)
class Figure:
    name: str
    media_type: str
    data: bytes


def load_figures(
    folder: Path, body: str, body_first_line: int, problems: list[Problem]
) -> dict[str, Figure]:
    """Every image in the module folder that passes the checks, by file name; a figure the
    text refers to but that is missing or refused is reported on the line that uses it."""
    figures: dict[str, Figure] = {}
    for path in sorted(folder.iterdir()):
        if path.name == "index.md" or path.is_dir():
            continue
        if figure := _load_figure(path, problems):
            figures[path.name] = figure
    for offset, line in enumerate(body.splitlines()):
        for target in IMAGE_REFERENCE.findall(line):
            if _is_local(target) and target not in figures:
                problems.append(
                    Problem(
                        folder / "index.md",
                        body_first_line + offset,
                        f"figure '{target}' is not in the module folder",
                    )
                )
    return figures


def _load_figure(path: Path, problems: list[Problem]) -> Figure | None:
    figure, problem = check_figure(path.name, path.read_bytes())
    if problem:
        line, message = problem
        problems.append(Problem(path, line, message))
    return figure


def check_figure(name: str, data: bytes) -> tuple[Figure | None, tuple[int, str] | None]:
    """The figure if the file is an image it claims to be and safe to serve; otherwise the
    line and message of what is wrong. Used for files on disk and for uploads alike."""
    media_type = MEDIA_TYPES.get(Path(name).suffix.lower())
    if media_type is None:
        return None, (1, "only images can sit beside a module (svg, png, jpg, webp, gif)")
    if len(data) > MAX_BYTES:
        return None, (1, f"figure is larger than {MAX_BYTES // (1024 * 1024)} MB")
    if media_type == "image/svg+xml":
        if b"<svg" not in data[:2048]:
            return None, (1, "not an SVG image")
        if match := UNSAFE_SVG.search(data):
            line = data[: match.start()].count(b"\n") + 1
            message = "SVG figures may not contain script, event handlers or embedded content"
            return None, (line, message)
    elif not _has_signature(media_type, data):
        return None, (1, f"the file is not really a {Path(name).suffix.lower()[1:]} image")
    return Figure(name, media_type, data), None


def _has_signature(media_type: str, data: bytes) -> bool:
    if media_type == "image/webp":  # RIFF is also WAV and AVI: the form must say WEBP
        return data.startswith(b"RIFF") and data[8:12] == b"WEBP"
    return data.startswith(SIGNATURES[media_type])


def _is_local(target: str) -> bool:
    return "://" not in target and not target.startswith(("/", "#", "data:", "mailto:"))
