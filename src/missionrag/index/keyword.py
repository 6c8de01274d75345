"""BM25 keyword index (bm25s), persisted beside the store and stamped with its generation.

The index is derived data: it is rebuilt from the committed chunks whenever the store's
generation differs from the stamp on disk (after an ingest, a delete, a prune, a killed run,
or a write by another process against a shared Chroma server). Writes go to a temporary
folder that replaces the old one by rename, so a reader never loads a half-written index.

Each chunk is tokenised in its document's language (stopwords and Snowball stemmer: "missionen"
and "missioner" meet at "mission" in Danish; the English stemmer leaves them apart), and a
query in the language it is written in; with one language in the index, queries use it
(``query_language``). ``tests/test_language.py`` has Danish and German documents answer
questions in their own language.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

_STEMMERS: dict[str, Any] = {}
# Languages bm25s has stopword lists for (language.STEMMERS has Finnish too, without a list).
STOPWORD_LANGUAGES = frozenset({"en", "da", "de", "sv", "no", "nl", "pt", "fr", "es", "it"})


def _stemmer(language: str) -> Any:
    if language not in _STEMMERS:
        import Stemmer

        from missionrag.language import STEMMERS

        _STEMMERS[language] = Stemmer.Stemmer(STEMMERS.get(language, "english")).stemWords
    return _STEMMERS[language]


def tokenize(texts: Sequence[str], language: str = "en") -> list[list[str]]:
    """Tokens of ``texts``: lowercased words, the language's stopwords out, stemmed."""
    import bm25s

    return bm25s.tokenize(
        list(texts),
        stopwords=language if language in STOPWORD_LANGUAGES else None,
        stemmer=_stemmer(language),
        return_ids=False,
        show_progress=False,
    )


def tokenize_each(texts: Sequence[str], languages: Sequence[str]) -> list[list[str]]:
    """``tokenize`` with each text in its own language (texts grouped per language)."""
    out: list[list[str]] = [[] for _ in texts]
    for lang in sorted(set(languages)):
        where = [i for i, x in enumerate(languages) if x == lang]
        for i, tokens in zip(where, tokenize([texts[i] for i in where], lang), strict=True):
            out[i] = tokens
    return out


class KeywordIndex:
    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.ids: list[str] = []
        self.generation = -1
        self.languages: dict[str, int] = {}  # chunks per language
        self._bm25: Any = None
        self._vocab: dict[str, int] = {}
        self._lock = threading.Lock()

    @property
    def size(self) -> int:
        return len(self.ids)

    def stamp(self) -> dict[str, Any]:
        try:
            return json.loads((self.folder / "stamp.json").read_text())
        except (OSError, ValueError):
            return {}

    def load(self, generation: int) -> bool:
        """Load the persisted index if its stamp matches ``generation``."""
        import bm25s

        with self._lock:
            if self.generation == generation:
                return True
            st = self.stamp()
            if st.get("generation") != generation:
                return False
            # Indexes stamped before languages were recorded were English throughout.
            self.languages = dict(st.get("languages") or {"en": 1})
            if st.get("empty"):
                self._bm25, self.ids, self._vocab = None, [], {}
            else:
                try:
                    self._bm25 = bm25s.BM25.load(str(self.folder), mmap=False, show_progress=False)
                    self.ids = json.loads((self.folder / "ids.json").read_text())
                except (OSError, ValueError):
                    return False
                self._vocab = dict(self._bm25.vocab_dict)
            self.generation = generation
            return True

    def build(
        self,
        ids: list[str],
        texts: list[str],
        generation: int,
        records: list[str] | None = None,
        languages: list[str] | None = None,
    ) -> None:
        """Index ``texts`` (each in its ``languages`` entry; default English); ``records``
        (one JSON chunk per id) make hits servable from disk."""
        import bm25s

        langs = languages or ["en"] * len(texts)
        counts = {lang: langs.count(lang) for lang in sorted(set(langs))}
        tmp = Path(tempfile.mkdtemp(prefix=".kw-", dir=self.folder.parent))
        bm25 = None
        if texts:
            bm25 = bm25s.BM25()
            bm25.index(tokenize_each(texts, langs), show_progress=False)
            bm25.save(str(tmp), show_progress=False)
        (tmp / "ids.json").write_text(json.dumps(ids))
        if records is not None:
            offsets = []
            with open(tmp / "records.jsonl", "wb") as fh:
                for line in records:
                    offsets.append(fh.tell())
                    fh.write(line.encode() + b"\n")
            np.save(tmp / "records.idx.npy", np.asarray(offsets, dtype=np.int64))
        stamp = {"generation": generation, "empty": not texts, "languages": counts}
        (tmp / "stamp.json").write_text(json.dumps(stamp))
        with self._lock:
            old = self.folder.with_name(self.folder.name + ".old")
            if self.folder.exists():
                os.replace(self.folder, old)
            os.replace(tmp, self.folder)
            shutil.rmtree(old, ignore_errors=True)
            self._bm25, self.ids, self.generation = bm25, ids, generation
            self._vocab = dict(bm25.vocab_dict) if bm25 is not None else {}
            self.languages = counts

    def records(self, positions: list[int]) -> list[str]:
        """The stored JSON chunk records at these index positions (seek, no full load)."""
        offsets = np.load(self.folder / "records.idx.npy", mmap_mode="r")
        out = []
        with open(self.folder / "records.jsonl", "rb") as fh:
            for i in positions:
                fh.seek(int(offsets[i]))
                out.append(fh.readline().decode())
        return out

    def has_records(self) -> bool:
        return (self.folder / "records.idx.npy").exists()

    def query_language(self, query: str) -> str:
        """The language to read ``query`` in: the index's only one, else the query's own if the
        index holds it, else the index's most common one. A one-language index never runs the
        detector (an English corpus stays as fast, and as it was)."""
        langs = self.languages or {"en": 1}
        if len(langs) == 1:
            return next(iter(langs))
        from missionrag.language import question_language

        code = question_language(query)
        return code if code in langs else max(langs, key=lambda k: langs[k])

    def search(self, query: str, n: int) -> list[tuple[str, float]]:
        """(chunk id, BM25 score) best first; empty when no query term is in the vocabulary."""
        with self._lock:
            bm25, ids, vocab = self._bm25, self.ids, self._vocab
        if bm25 is None or not ids:
            return []
        tokens = [t for t in tokenize([query], self.query_language(query))[0] if t in vocab]
        if not tokens:
            return []
        docs, scores = bm25.retrieve([tokens], k=min(n, len(ids)), show_progress=False, n_threads=0)
        out: list[tuple[str, float]] = []
        for idx, score in zip(np.asarray(docs[0]), np.asarray(scores[0]), strict=True):
            if score > 0:
                out.append((ids[int(idx)], float(score)))
        return out
