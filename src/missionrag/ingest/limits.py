"""Budgets a file must fit before a parser reads it: a Word file's decompressed size.

A .docx is a zip. The upload limit applies to the compressed file, and python-docx inflates
and parses every XML part it needs: a 426 KB file peaked at 1.44 GB of memory. So the parts
are inflated here first, in 1 MB steps with nothing kept, and the file is refused as soon as
the total passes ``MISSIONRAG_MAX_UNZIPPED_MB``. The sizes a zip declares are checked first
(cheap), but not trusted: ``zipfile`` inflates a whole compressed block before it cuts the
output to the declared size, so a zip that lies about its sizes is only caught by counting.
"""

from __future__ import annotations

import zipfile
import zlib
from pathlib import Path

from missionrag.config import Settings
from missionrag.errors import InputError

# Word's XML compresses 5-30:1 (our fixtures and a 300-page report: 8-14:1); a bomb, ~1000:1.
MAX_RATIO = 100
RATIO_FROM_BYTES = 1_000_000  # small parts may compress better; they cannot hurt
MAX_ENTRIES = 10_000
STEP = 1 << 20


def check_docx(path: Path, source: str, settings: Settings) -> None:
    """``InputError`` unless the zip inflates within budget (entries, size, ratio)."""
    budget = int(settings.max_unzipped_mb * 1_000_000)
    too_big = (
        f"{source}: the Word file unpacks to more than {settings.max_unzipped_mb:g} MB "
        "(MISSIONRAG_MAX_UNZIPPED_MB); it looks like a zip bomb"
    )
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
            if len(infos) > MAX_ENTRIES:
                raise InputError(f"{source}: the Word file holds {len(infos)} parts; too many")
            if sum(i.file_size for i in infos) > budget:
                raise InputError(too_big)
            for i in infos:
                if i.file_size > RATIO_FROM_BYTES and i.file_size > MAX_RATIO * max(
                    i.compress_size, 1
                ):
                    raise InputError(
                        f"{source}: part {i.filename} is compressed "
                        f"{i.file_size // max(i.compress_size, 1)}:1; it looks like a zip bomb"
                    )
            total = 0
            for i in infos:
                with z.open(i) as fh:
                    while chunk := fh.read(STEP):
                        total += len(chunk)
                        if total > budget:
                            raise InputError(too_big)
    except InputError:
        raise
    except (zipfile.BadZipFile, zlib.error, OSError, EOFError) as exc:
        raise InputError(f"{source}: not a readable Word .docx file ({exc})") from exc
    except (NotImplementedError, RuntimeError) as exc:  # odd compression, encrypted parts
        raise InputError(f"{source}: not a readable Word .docx file ({exc})") from exc
