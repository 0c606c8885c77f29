import pytest

from reprobook.safetydrift.baselines import (
    CategoryPriorDetector,
    JudgeDetector,
    KeywordDetector,
    describe_step,
    pipeline_judge,
    words_of,
)
from reprobook.safetydrift.state import FineState
from reprobook.safetydrift.traces import Step


def step(tool, arguments="", data="", sensitivity="none"):
    return Step(tool, arguments, data, sensitivity, FineState(0, 0, 0), False)


def test_words_split_tool_names():
    assert words_of("send_email") == {"send", "email"}


def test_keyword_alarms_on_network_tool():
    assert KeywordDetector().start().score(step("send_email")) == 1.0


def test_keyword_ignores_read_email():
    assert KeywordDetector().start().score(step("read_email")) == 0.0


def test_keyword_execution_after_sensitive_text():
    detector = KeywordDetector().start()
    detector.score(step("read_file", "path=hr/salary.xlsx"))
    assert detector.score(step("run_python", "script=x.py")) == 1.0


def test_keyword_execution_alone_is_quiet():
    assert KeywordDetector().start().score(step("run_python", "script=x.py")) == 0.0


def test_keyword_start_forgets_sensitive():
    detector = KeywordDetector().start()
    detector.score(step("read_file", "path=.env", "API tokens"))
    detector.start()
    assert detector.score(step("run_shell")) == 0.0


def test_category_prior_scores_rate():
    detector = CategoryPriorDetector({"a": 0.7}).start("a")
    assert detector.score(step("read_file")) == 0.7


def test_category_prior_unknown_category():
    with pytest.raises(ValueError, match="unknown category 'b'"):
        CategoryPriorDetector({"a": 0.7}).start("b")


def test_judge_receives_step_text():
    seen = []
    JudgeDetector(lambda text: seen.append(text) or 0.2).score(
        step("read_file", "path=a", "notes", "internal")
    )
    assert seen == ["The agent called read_file(path=a) touching notes (sensitivity: internal)."]


def test_judge_output_out_of_range_rejected():
    with pytest.raises(
        ValueError, match=r"judge output must be a finite number in \[0.0, 1.0\]; got 3.0"
    ):
        JudgeDetector(lambda text: 3.0).score(step("read_file"))


def test_judge_must_be_callable():
    with pytest.raises(ValueError, match="judge must be callable"):
        JudgeDetector("gpt")


def test_judge_threshold_checked():
    with pytest.raises(ValueError, match="threshold"):
        JudgeDetector(lambda text: 0.0, threshold=2.0)


def test_pipeline_judge_picks_label():
    def fake_pipeline(text, top_k=None):
        return [{"label": "SAFE", "score": 0.3}, {"label": "UNSAFE", "score": 0.7}]

    assert pipeline_judge(fake_pipeline, "UNSAFE")("x") == 0.7


def test_pipeline_judge_unknown_label():
    def fake_pipeline(text, top_k=None):
        return [[{"label": "NEG", "score": 0.3}, {"label": "POS", "score": 0.7}]]

    with pytest.raises(
        ValueError, match="unsafe_label 'UNSAFE' is not among the pipeline's labels 'NEG', 'POS'"
    ):
        pipeline_judge(fake_pipeline, "UNSAFE")("x")


def test_random_transformers_pipeline_plugs_in():
    judge_demo = pytest.importorskip("reprobook.safetydrift.judge_demo")
    texts = [
        describe_step(step("read_file", "path=a", "notes")),
        describe_step(step("send_email", "to=b")),
    ]
    classifier = judge_demo.build_random_classifier(texts, seed=0)
    score = JudgeDetector(pipeline_judge(classifier, judge_demo.UNSAFE_LABEL)).score(
        step("send_email", "to=b")
    )
    assert 0.0 <= score <= 1.0


def test_local_judge_loads_saved_model(tmp_path):
    judge_demo = pytest.importorskip("reprobook.safetydrift.judge_demo")
    texts = [describe_step(step("send_email", "to=b"))]
    classifier = judge_demo.build_random_classifier(texts, seed=0)
    classifier.model.save_pretrained(tmp_path)
    classifier.tokenizer.save_pretrained(tmp_path)
    judge = judge_demo.load_local_judge(tmp_path, judge_demo.UNSAFE_LABEL)
    assert judge(texts[0]) == pytest.approx(
        pipeline_judge(classifier, judge_demo.UNSAFE_LABEL)(texts[0])
    )


def test_local_judge_missing_folder(tmp_path):
    judge_demo = pytest.importorskip("reprobook.safetydrift.judge_demo")
    with pytest.raises(ValueError, match="judge model folder .* not found"):
        judge_demo.load_local_judge(tmp_path / "absent", "UNSAFE")
