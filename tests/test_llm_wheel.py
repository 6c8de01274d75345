"""A wheel-installed missionrag finds its prompts and answers through the real llama-server.

The wheel is built from this checkout and installed (no dependencies) into a fresh venv that
borrows this venv's packages through a .pth line; everything runs from outside the checkout,
so only the installed ``missionrag.prompts`` can supply a prompt.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from conftest import REPO

pytestmark = pytest.mark.llm

PROBE = """
import json, missionrag
from importlib.resources import files
from missionrag.config import Settings
from missionrag.llm import LLM, load_prompt
settings = Settings()
reply = LLM(settings).complete(load_prompt("ask"), "Question: What is a mission?\\n\\nPassages:")
print(json.dumps({"package": missionrag.__file__, "prompts": str(files("missionrag.prompts")),
                  "reply": reply}))
"""


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    # Built from a copy of what the wheel is made of: setuptools builds in the source tree,
    # and a build/ left in the checkout would carry stale files into later wheels.
    src = out / "src-tree"
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    shutil.copytree(REPO / "src", src / "src", ignore=ignore)
    shutil.copytree(REPO / "prompts", src / "prompts", ignore=ignore)
    for name in ("pyproject.toml", "setup.py", "README.md"):
        shutil.copy2(REPO / name, src / name)
    # No build isolation: the venv's setuptools builds it, without fetching one.
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q",
         "-w", str(out), str(src)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    (path,) = out.glob("missionrag-*.whl")
    return path


def test_wheel_carries_every_prompt(wheel: Path) -> None:
    names = zipfile.ZipFile(wheel).namelist()
    for prompt in (REPO / "prompts").glob("*.md"):
        assert f"missionrag/prompts/{prompt.name}" in names
    packages = {
        p.parent.relative_to(REPO / "src").as_posix() for p in (REPO / "src").rglob("__init__.py")
    }
    assert all(f"{p}/__init__.py" in names for p in packages), "every package is in the wheel"


def test_wheel_installed_missionrag_answers_through_the_real_server(
    wheel: Path, real_llm: str, tmp_path: Path
) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = Path(
        subprocess.run(
            [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
            check=True, capture_output=True, text=True,
        ).stdout.strip()
    )  # fmt: skip
    # This venv's packages, behind the new venv's own: a plain path line runs no .pth in it,
    # so the editable missionrag of the checkout stays invisible.
    (site / "borrowed.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run(
        [sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
         "--no-index", str(wheel)],
        check=True, capture_output=True, text=True,
    )  # fmt: skip
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MISSIONRAG_", "PYTHON"))}
    env.update(MISSIONRAG_LLM_URL=real_llm, MISSIONRAG_LLM_TIMEOUT="600")
    run = subprocess.run(
        [str(python), "-c", PROBE], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert run.returncode == 0, run.stderr[-2000:]
    out = json.loads(run.stdout.strip().splitlines()[-1])
    assert out["package"].startswith(str(site)), out
    assert out["prompts"].startswith(str(site)), out
    assert out["reply"].strip()
    # The installed command too: the judge's rubric comes from the wheel.
    check = subprocess.run(
        [str(venv / "bin" / "missionrag"), "check", "--json", "Improve mental health in schools."],
        cwd=tmp_path, env=env, capture_output=True, text=True,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr[-2000:]
    result = json.loads(check.stdout)
    assert not any("prompt" in n and "missing" in n for n in result.get("notes", [])), result
