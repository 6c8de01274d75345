"""Languages: each document and question is stemmed in its own language, and a multilingual
model configured with MISSIONRAG_MODEL_PATH carries a question across languages.

The Danish and German texts are written here. The multilingual model is made here too: a
BERT with no transformer layers (its output is its word embeddings, mean-pooled) and a
word-level tokenizer in which each Danish word shares its id with its English translation,
saved as a sentence-transformers folder. It knows six word pairs, so it proves the wiring
(ingest and search go through the configured model, on both embedding backends), not quality.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from apiserver import ingested_data_dir
from conftest import CORPUS, cli_env, make_settings

from missionrag import language
from missionrag.index.rerank import rerank_weight
from missionrag.kb import KnowledgeBase

SCHOOLS_DA = (
    "# Sikre skoleveje\n\n"
    "Kommunen bygger nye cykelstier ved alle skoler, så børnene kan cykle sikkert. "
    "Arbejdet skal være færdigt i 2028, og forældrene inddrages i planlægningen.\n"
)
CIRCULAR_DA = (
    "# Grøn omstilling\n\n"
    "Virksomhederne skal genbruge materialer, og regionen støtter projekter om cirkulær "
    "økonomi frem mod 2030. Målet er mindre affald og flere grønne job.\n"
)
ROADS_DE = (
    "# Vision Zero in den Städten\n\n"
    "Die Zahl der Verkehrstoten soll bis 2030 halbiert werden. Dafür bauen die Gemeinden "
    "geschützte Radwege und senken das Tempo vor Schulen.\n"
)
# The questions inflect their words otherwise than the documents do ("cykelstierne" /
# "cykelstier", "Verkehrstote" / "Verkehrstoten", "Stadt" / "Städten"): only stemming in the
# right language brings them together.
ASK_DA = "Hvornår er cykelstierne til skolerne færdige?"
ASK_DE = "Um wie viel sollen die Verkehrstote in der Stadt zurückgehen?"


@pytest.fixture(scope="module")
def docs(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("languages")
    (folder / "skoleveje.md").write_text(SCHOOLS_DA, encoding="utf-8")
    (folder / "omstilling.md").write_text(CIRCULAR_DA, encoding="utf-8")
    (folder / "verkehr.md").write_text(ROADS_DE, encoding="utf-8")
    return folder


def _kb(tmp: Path, docs: Path, **kw: object) -> KnowledgeBase:
    kb = KnowledgeBase(make_settings(tmp, **kw))
    report = kb.ingest([docs, CORPUS / "invi-mission-driven-change.txt"])
    assert len(report.added) == 4, report
    return kb


def test_questions_and_documents_are_detected() -> None:
    assert language.question_language(ASK_DA) == "da"
    assert language.question_language(ASK_DE) == "de"
    assert language.question_language("Why do missions fail?") == "en"
    assert language.question_language("and in Denmark?") == "en"  # too short to judge
    assert language.document_language(ROADS_DE * 3) == "de"
    assert language.plainly_english("What is mission washing?")
    assert not language.maybe_foreign("cross-sectoral collaboration on missions")


def test_each_language_is_stemmed_in_its_own(tmp_path: Path, docs: Path) -> None:
    kb = _kb(tmp_path / "auto", docs)
    langs = {Path(d.source).name: d.language for d in kb.documents()}
    assert langs == {
        "skoleveje.md": "da",
        "omstilling.md": "da",
        "verkehr.md": "de",
        "invi-mission-driven-change.txt": "en",
    }
    assert kb.keyword_index().languages == {"da": 2, "de": 1, "en": kb.keyword_index().size - 3}
    for question, expected in ((ASK_DA, "skoleveje.md"), (ASK_DE, "verkehr.md")):
        for mode in ("keyword", "hybrid"):
            hits = kb.search(question, 3, mode=mode)
            assert hits and Path(hits[0].source).name == expected, (question, mode, hits)
    # English questions read the English page as before.
    hits = kb.search("Who wrote the code for the lunar lander?", 1)
    assert "Hamilton" in hits[0].text

    # Stemmed as English, the same words never meet: no Danish passage comes back first.
    english = _kb(tmp_path / "en", docs, keyword_language="en")
    hits = english.search(ASK_DA, 3, mode="keyword")
    assert not hits or Path(hits[0].source).name != "skoleveje.md"


def _tiny_multilingual_model(folder: Path) -> Path:
    """A sentence-transformers folder whose model maps Danish words onto English ones."""
    import torch
    from sentence_transformers import SentenceTransformer, models
    from tokenizers import Tokenizer, normalizers, pre_tokenizers
    from tokenizers.models import WordLevel
    from transformers import BertConfig, BertModel, PreTrainedTokenizerFast

    pairs = [
        ("cities", "byerne"),
        ("build", "bygger"),
        ("cycle", "cykel"),
        ("lanes", "stier"),
        ("near", "ved"),
        ("schools", "skolerne"),
    ]
    other = ["farmers", "grow", "wheat", "in", "dry", "fields", "every", "summer"]
    # Every word its own id (a WordLevel vocabulary with shared ids loses words on save, in
    # hash order: the test failed on some runs); a Danish word shares its English twin's axis.
    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3, "[MASK]": 4}
    axis: dict[int, int] = {}
    for en, da in pairs:
        vocab[en], vocab[da] = len(vocab), len(vocab) + 1
        axis[vocab[en]] = axis[vocab[da]] = len(set(axis.values()))
    for word in other:
        vocab[word] = len(vocab)
        axis[vocab[word]] = len(set(axis.values()))
    tok = Tokenizer(WordLevel(vocab, unk_token="[UNK]"))
    tok.normalizer = normalizers.Lowercase()
    tok.pre_tokenizer = pre_tokenizers.Whitespace()
    from tokenizers.processors import TemplateProcessing

    tok.post_processor = TemplateProcessing(
        single="[CLS] $A [SEP]",
        pair="[CLS] $A [SEP] $B [SEP]",
        special_tokens=[("[CLS]", 2), ("[SEP]", 3)],
    )
    fast = PreTrainedTokenizerFast(
        tokenizer_object=tok,
        unk_token="[UNK]",
        pad_token="[PAD]",
        cls_token="[CLS]",
        sep_token="[SEP]",
        mask_token="[MASK]",
        model_max_length=128,
    )
    torch.manual_seed(0)
    config = BertConfig(
        vocab_size=len(vocab),
        hidden_size=32,
        num_hidden_layers=0,  # the output is the word embeddings: a bag of words
        num_attention_heads=2,
        intermediate_size=64,
        max_position_embeddings=128,
    )
    bert = BertModel(config)
    with torch.no_grad():  # words alone carry meaning: no position or segment signal
        bert.embeddings.position_embeddings.weight.zero_()
        bert.embeddings.token_type_embeddings.weight.zero_()
        words = bert.embeddings.word_embeddings.weight
        words.zero_()  # special tokens carry nothing
        for index, dim in axis.items():
            words[index, dim] = 1.0
    raw = folder / "raw"
    bert.save_pretrained(raw)
    fast.save_pretrained(raw)
    word = models.Transformer(str(raw), max_seq_length=128)
    pool = models.Pooling(word.get_word_embedding_dimension(), pooling_mode="mean")
    out = folder / "tiny-multilingual"
    SentenceTransformer(modules=[word, pool], device="cpu").save(str(out))
    return out


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_a_multilingual_model_carries_a_question_across_languages(
    tmp_path: Path, backend: str
) -> None:
    model = _tiny_multilingual_model(tmp_path)
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "lanes.md").write_text("# Lanes\n\nCities build cycle lanes near schools.\n")
    (docs / "farms.md").write_text("# Farms\n\nFarmers grow wheat in dry fields every summer.\n")
    settings = make_settings(
        tmp_path / "data", model_path=str(model), embed_backend=backend, rerank="off"
    )
    kb = KnowledgeBase(settings)
    assert len(kb.ingest([docs]).added) == 2
    assert kb.embedder.embed(["x"]).shape == (1, 32)  # the configured model, not the default
    # Danish words the English documents never use: only the model can connect them.
    hits = kb.search("bygger byerne cykel stier ved skolerne", 2, mode="dense")
    assert Path(hits[0].source).name == "lanes.md"
    first, second = (h.dense_score or 0.0 for h in hits)
    assert first > 0.5 and first > second + 0.2, (first, second)
    assert kb.search("bygger byerne cykel stier ved skolerne", 2, mode="keyword") == []


def test_english_questions_never_load_the_detector(tmp_path: Path) -> None:
    """An English corpus and English questions: py3langid (0.75 s to load) stays unimported."""
    data = ingested_data_dir(tmp_path)
    code = (
        "import sys\n"
        "from missionrag.config import Settings\n"
        "from missionrag.kb import KnowledgeBase\n"
        "kb = KnowledgeBase(Settings())\n"
        "kb.search('cross-sectoral collaboration on missions')\n"
        "kb.ask('How should a mission be measured?')\n"
        "kb.check('By 2030, cut child poverty in half through housing, health and jobs.')\n"
        "print('py3langid' in sys.modules)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], env=cli_env(data), capture_output=True, text=True, timeout=300
    )
    assert out.returncode == 0, out.stderr[-2000:]
    assert out.stdout.strip() == "False"


def test_rerank_weight_for_foreign_questions(corpus_kb: KnowledgeBase) -> None:
    assert (
        rerank_weight(corpus_kb.settings, ASK_DA) == corpus_kb.settings.rerank_weight
    )  # default: on
    skip = KnowledgeBase(corpus_kb.settings.model_copy(update={"rerank_foreign": "skip"}))
    assert rerank_weight(skip.settings, ASK_DA) == 0.0
    assert rerank_weight(skip.settings, "Why do missions fail?") == skip.settings.rerank_weight
    hits = skip.search(ASK_DE, 3)
    assert hits and all(h.rerank_score is not None for h in hits)  # logits kept for ask
