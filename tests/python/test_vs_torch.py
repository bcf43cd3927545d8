"""Every op table entry against PyTorch itself: same inputs, same forward values, same
gradients and the same grad_fn name (skipped cleanly when torch is not installed)."""
import numpy as np
import pytest

torch = pytest.importorskip("torch")

import tapegrad as tg  # noqa: E402
from op_db import OPS  # noqa: E402
from test_ops import CASES, _ids, make_inputs  # noqa: E402


@pytest.mark.parametrize("entry,sample", CASES, ids=_ids())
def test_forward_and_gradients_match_torch(entry, sample, rng):
    _, tensors = make_inputs(entry, sample, np.float64, rng, requires_grad=True)
    theirs = [torch.tensor(t.detach().numpy(), requires_grad=True) for t in tensors]
    ours_out = entry.fn(tg, *tensors)
    their_out = entry.fn(torch, *theirs)
    assert tuple(ours_out.shape) == tuple(their_out.shape)
    np.testing.assert_allclose(ours_out.detach().numpy(), their_out.detach().numpy(), rtol=entry.torch_rtol, atol=1e-12)
    assert their_out.grad_fn.name() == (entry.torch_node or entry.node)
    if entry.no_derivative:
        return
    weights = rng.uniform(-1, 1, size=tuple(ours_out.shape))
    (ours_out * tg.tensor(weights)).sum().backward()
    (their_out * torch.tensor(weights)).sum().backward()
    for mine, ref in zip(tensors, theirs):
        expected = ref.grad if ref.grad is not None else torch.zeros_like(ref)
        got = mine.grad.numpy() if mine.grad is not None else np.zeros(tuple(mine.shape))
        # force: PyTorch hands some zero gradients (sgn's) over as a ZeroTensor
        np.testing.assert_allclose(got, expected.numpy(force=True), rtol=entry.torch_rtol, atol=1e-12)


def test_every_entry_is_compared():
    assert len(CASES) == sum(len(e.samples) for e in OPS)
