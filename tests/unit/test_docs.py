"""Documentation that is generated from code must be in step with it."""

from pathlib import Path

from edusight import config

ROOT = Path(__file__).resolve().parents[2]


def test_configuration_doc_lists_every_setting():
    doc = (ROOT / "docs" / "configuration.md").read_text(encoding="utf-8")
    assert doc == config.render_markdown(), "docs/configuration.md is stale"
    for s in config.SETTINGS.values():
        assert f"`{s.env}`" in doc


def test_readme_names_the_two_commands_and_the_test_command():
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert "make test" in ci


def test_makefile_targets_named_in_docs_exist():
    mk = (ROOT / "Makefile").read_text(encoding="utf-8")
    for target in ("setup", "run", "test", "bench", "lint"):
        assert f"\n{target}:" in mk or f"\n{target}: " in mk, target
