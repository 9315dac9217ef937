import pytest

from assistant.prompts import PROMPTS_DIR, available_prompts, load_prompt
from assistant.schema import AssistantError


@pytest.mark.parametrize("name", available_prompts())
def test_every_prompt_file_loads_with_its_declared_variables(name):
    prompt = load_prompt(name)
    values = {variable: f"<{variable}>" for variable in prompt.variables}
    messages = prompt.messages(**values)
    text = " ".join(m["content"] for m in messages)
    assert all(f"<{variable}>" in text for variable in prompt.variables)


def test_prompt_folder_has_the_answer_prompt():
    assert "answer" in available_prompts()
    assert PROMPTS_DIR.is_dir()


def test_prompt_refuses_missing_or_unexpected_values():
    prompt = load_prompt("answer")
    with pytest.raises(AssistantError, match="missing"):
        prompt.messages(question="q")
    with pytest.raises(AssistantError, match="unexpected"):
        prompt.messages(question="q", sources="s", extra="x")


def test_prompt_with_undeclared_variable_is_rejected_at_load(tmp_path):
    (tmp_path / "bad.yaml").write_text("variables: [question]\nsystem: hi {other}\nuser: '{question}'\n")
    with pytest.raises(AssistantError, match="declare"):
        load_prompt("bad", tmp_path)


def test_missing_prompt_file_names_the_path(tmp_path):
    with pytest.raises(AssistantError, match="nothere.yaml"):
        load_prompt("nothere", tmp_path)
