import pytest
import torch

from reprobook.kfade.models import (
    IGNORE_INDEX, Example, build_model, check_checkpoint_path, collate, encode, load_checkpoint, make_batches, qa_examples,
    save_checkpoint, train_lm,
)


def test_tokenizer_knows_every_word(benchmark, tokenizer):
    ids = tokenizer(benchmark.items[0].answer + " " + benchmark.world[0])["input_ids"]
    assert tokenizer.unk_token_id not in ids


def test_prompt_tokens_are_masked(tokenizer):
    ids, labels = encode(tokenizer, Example("Question : x", "Lisbon ."))
    assert labels[:4] == [IGNORE_INDEX] * 4


def test_target_tokens_are_labelled(tokenizer):
    ids, labels = encode(tokenizer, Example("Question : x", "Lisbon ."))
    assert labels[4:] == ids[4:]


def test_padding_is_masked(tokenizer):
    batch = collate(tokenizer, [Example("", "Lisbon ."), Example("", "Lisbon Lisbon Lisbon .")])
    assert (batch["labels"][0, -2:] == IGNORE_INDEX).all()


def test_make_batches_rejects_empty(tokenizer):
    with pytest.raises(ValueError, match="examples must not be empty"):
        make_batches(tokenizer, [], 4)


def test_build_rejects_width_not_divisible(tokenizer):
    with pytest.raises(ValueError, match="width must be divisible by heads"):
        build_model(tokenizer, width=10, heads=4)


def test_build_rejects_unknown_family(tokenizer):
    with pytest.raises(ValueError, match="family must be one of"):
        build_model(tokenizer, family="bert")


def _train_once(tokenizer, benchmark):
    model = build_model(tokenizer, width=8, depth=1, heads=2, seed=1)
    batches = make_batches(tokenizer, qa_examples(list(benchmark.items)), 8, seed=0)
    train_lm(model, batches, epochs=2, seed=0)
    return model


def test_training_repeats_bit_for_bit(tokenizer, benchmark):
    first, second = _train_once(tokenizer, benchmark), _train_once(tokenizer, benchmark)
    assert all(torch.equal(a, b) for a, b in zip(first.parameters(), second.parameters()))


def test_training_lowers_loss(tokenizer, benchmark):
    model = build_model(tokenizer, width=8, depth=1, heads=2)
    history = train_lm(model, make_batches(tokenizer, qa_examples(list(benchmark.items)), 8), epochs=5)
    assert history[-1] < history[0]


@pytest.mark.parametrize("family", ["llama", "gpt2"])
def test_checkpoint_roundtrip_keeps_logits(tmp_path, tokenizer, family):
    model = build_model(tokenizer, family=family, width=8, depth=1, heads=2).eval()
    save_checkpoint(model, tokenizer, tmp_path / "ckpt", {"note": 1})
    loaded, _, metadata = load_checkpoint(tmp_path / "ckpt")
    ids = torch.tensor([[tokenizer.bos_token_id, 5, 6]])
    assert torch.equal(model(input_ids=ids).logits, loaded(input_ids=ids).logits)


def test_checkpoint_keeps_metadata(tmp_path, tokenizer):
    save_checkpoint(build_model(tokenizer, width=8, depth=1, heads=2), tokenizer, tmp_path, {"note": 1})
    assert load_checkpoint(tmp_path)[2] == {"note": 1}


def test_checkpoint_keeps_tokenizer(tmp_path, tokenizer):
    save_checkpoint(build_model(tokenizer, width=8, depth=1, heads=2), tokenizer, tmp_path)
    assert load_checkpoint(tmp_path)[1]("Lisbon .")["input_ids"] == tokenizer("Lisbon .")["input_ids"]


def test_checkpoint_path_accepts_empty():
    assert check_checkpoint_path("model_path", "") == ""


def test_checkpoint_path_names_parameter(tmp_path):
    with pytest.raises(ValueError, match="oracle_path must be empty or a folder holding config.json"):
        check_checkpoint_path("oracle_path", str(tmp_path / "nowhere"))


def test_load_rejects_missing_path(tmp_path):
    with pytest.raises(FileNotFoundError, match="checkpoint path must be a folder holding config.json"):
        load_checkpoint(tmp_path / "nowhere")
