import pytest
import torch
from torch import nn

from reprobook.kfade.curvature import (
    dense_ggn_block, fit_curvature, ggn_vector_product, linear_layers, lm_outputs, regression_outputs,
)
from reprobook.kfade.models import build_model


def _deep_linear():
    torch.manual_seed(0)
    net = nn.Sequential(nn.Linear(3, 4, bias=False), nn.Linear(4, 3, bias=False), nn.Linear(3, 2, bias=False))
    x = torch.randn(12, 3, dtype=torch.float64)
    return net.double(), [{"x": x[:6]}, {"x": x[6:]}]


@pytest.mark.parametrize("kind", ["kfac", "ekfac"])
@pytest.mark.parametrize("layer", ["0.weight", "1.weight", "2.weight"])
def test_exact_on_deep_linear_network(kind, layer):
    net, batches = _deep_linear()
    curvature = fit_curvature(net, batches, kind=kind, fisher="exact", likelihood="gaussian",
                              outputs_fn=regression_outputs)
    exact = dense_ggn_block(net, batches, layer, likelihood="gaussian", outputs_fn=regression_outputs)
    torch.testing.assert_close(curvature.layers[layer].dense(), exact)


def test_monte_carlo_factors_approach_exact():
    net, batches = _deep_linear()
    options = {"likelihood": "gaussian", "outputs_fn": regression_outputs, "kind": "kfac"}
    exact = fit_curvature(net, batches, fisher="exact", **options).layers["1.weight"].b_factor
    sampled = fit_curvature(net, batches, fisher="mc", mc_samples=2000, **options).layers["1.weight"].b_factor
    assert ((sampled - exact).norm() / exact.norm()).item() < 0.1


def test_inverse_undoes_product():
    net, batches = _deep_linear()
    curvature = fit_curvature(net, batches, likelihood="gaussian", outputs_fn=regression_outputs)
    vector = {"1.weight": torch.randn(3, 4, dtype=torch.float64)}
    back = curvature.inverse_vector_product(curvature.vector_product(vector))
    torch.testing.assert_close(back["1.weight"], vector["1.weight"])


def test_quadratic_form_matches_dense():
    net, batches = _deep_linear()
    curvature = fit_curvature(net, batches, kind="kfac", likelihood="gaussian", outputs_fn=regression_outputs)
    vector = torch.randn(2, 3, dtype=torch.float64)
    dense = curvature.layers["2.weight"].dense()
    expected = 0.5 * float(vector.flatten() @ dense @ vector.flatten())
    assert curvature.quadratic_form({"2.weight": vector}) == pytest.approx(expected)


def test_ggn_product_is_symmetric():
    net, batches = _deep_linear()
    block = dense_ggn_block(net, batches, "1.weight", likelihood="gaussian", outputs_fn=regression_outputs)
    torch.testing.assert_close(block, block.T)


@pytest.mark.parametrize("damping", [0.0, -1.0])
def test_rejects_nonpositive_damping(damping):
    net, batches = _deep_linear()
    with pytest.raises(ValueError, match=f"damping must be a number > 0; got {damping}"):
        fit_curvature(net, batches, damping=damping, outputs_fn=regression_outputs)


def test_rejects_model_without_linear_layers():
    model = nn.Sequential(nn.Tanh())
    with pytest.raises(ValueError, match="at least one nn.Linear"):
        linear_layers(model)


def test_counts_only_unmasked_positions(trained, forget_batches):
    curvature = fit_curvature(trained, forget_batches, kind="kfac")
    expected = sum(int((batch["labels"][:, 1:] != -100).sum()) for batch in forget_batches)
    assert curvature.n_positions == expected


def test_lm_mask_marks_positions_before_answer_tokens(forget_batches, trained):
    _, valid = lm_outputs(trained, forget_batches[0])
    assert torch.equal(valid[:, :-1], forget_batches[0]["labels"][:, 1:] != -100)


def test_gpt2_tied_head_is_skipped(tokenizer):
    model = build_model(tokenizer, family="gpt2", width=8, depth=1, heads=2)
    assert "lm_head" not in linear_layers(model)


def test_gpt2_conv1d_inverse_undoes_product(tokenizer, retain_batches):
    model = build_model(tokenizer, family="gpt2", width=8, depth=1, heads=2)
    curvature = fit_curvature(model, retain_batches[:1], kind="kfac")
    name = "transformer.h.0.mlp.c_fc.weight"
    vector = {name: torch.randn(8, 32)}
    back = curvature.inverse_vector_product(curvature.vector_product(vector))
    torch.testing.assert_close(back[name], vector[name], rtol=1e-3, atol=1e-4)


def test_exact_fisher_kfac_close_on_untrained_lm_head(tokenizer, forget_batches):
    model = build_model(tokenizer, width=8, depth=1, heads=2).double()
    curvature = fit_curvature(model, forget_batches, kind="kfac", fisher="exact", damping=1e-12,
                              damping_mode="absolute")
    vector = {"lm_head.weight": torch.randn_like(model.lm_head.weight)}
    exact = ggn_vector_product(model, forget_batches, vector)["lm_head.weight"]
    approximate = curvature.vector_product(vector)["lm_head.weight"]
    assert ((approximate - exact).norm() / exact.norm()).item() < 0.1


def test_fit_repeats_for_seed(trained, retain_batches):
    first = fit_curvature(trained, retain_batches[:1], seed=3).layers["lm_head.weight"].corrected_eigenvalues
    second = fit_curvature(trained, retain_batches[:1], seed=3).layers["lm_head.weight"].corrected_eigenvalues
    assert torch.equal(first, second)
