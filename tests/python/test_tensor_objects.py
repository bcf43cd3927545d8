"""One Python object per tensor (csrc/bindings/tensor_object.cpp): a tensor that crosses into
Python again is the same object while that object lives, a new one after it died, and the
object's death frees the tensor, clears weak references and leaves a raised exception alone."""
import gc
import weakref

import pytest

import tapegrad as tg


def test_a_tensor_returned_again_is_the_same_object():
    x = tg.ones(3, requires_grad=True)
    assert x.requires_grad_() is x
    (x * 2).sum().backward()
    assert x.grad is x.grad
    with tg.no_grad():
        assert x.add_(1) is x
    y = x * 3
    y.retain_grad()
    y.sum().backward()
    assert y.grad is y.grad
    assert y.grad_fn.next_functions[0][0].variable is x


def test_saved_inputs_unpack_to_the_caller_s_objects():
    class Scale(tg.autograd.Function):
        @staticmethod
        def forward(ctx, a, b):
            ctx.save_for_backward(a, b)
            return a * b

        @staticmethod
        def backward(ctx, g):
            a, b = ctx.saved_tensors
            seen.extend([a, b])
            return g * b, g * a

    seen: list = []
    a = tg.ones(2, requires_grad=True)
    b = tg.full((2,), 3.0, requires_grad=True)
    Scale.apply(a, b).sum().backward()
    assert seen[0] is a and seen[1] is b


def test_an_object_that_died_is_made_again_for_the_living_tensor():
    x = tg.ones(4, requires_grad=True)
    (x * 5).sum().backward()
    g = x.grad
    dead = weakref.ref(g)
    del g
    assert dead() is None  # only the leaf still holds the gradient, in C++
    again = x.grad
    assert again.tolist() == [5.0] * 4
    assert again is x.grad


def test_weak_references_die_with_the_object_and_their_callbacks_run():
    called = []
    t = tg.zeros(3)
    ref = weakref.ref(t, lambda r: called.append(r))
    table = weakref.WeakValueDictionary({"t": t})
    del t
    assert ref() is None and called == [ref]
    assert "t" not in table


def test_the_object_s_death_frees_the_tensor_memory():
    gc.collect()
    before = tg.memory.stats()["in_use_bytes"]
    keep = [tg.ones(1000) * 2 for _ in range(50)]
    assert tg.memory.stats()["in_use_bytes"] >= before + 50 * 4000
    del keep
    assert tg.memory.stats()["in_use_bytes"] == before


def test_a_graph_freed_while_an_exception_propagates_keeps_the_exception():
    x = tg.ones(2, requires_grad=True)

    def fail():
        y = x * 2
        y.register_hook(lambda g: g * 2)  # a Python object the dying graph drops
        raise ValueError("kept")

    with pytest.raises(ValueError, match="kept"):
        fail()


def test_python_subclasses_are_freed_by_pybind11_s_own_path():
    class Sub(tg.Tensor):
        pass

    with pytest.raises(TypeError):
        Sub()
    gc.collect()
    assert tg.ones(2).tolist() == [1.0, 1.0]


def test_gc_collects_a_cycle_through_a_hook():
    x = tg.ones(2, requires_grad=True)
    y = x * 2
    y.register_hook(lambda g: g * y)  # y -> grad_fn -> hook -> y
    dead = weakref.ref(y)
    del y
    gc.collect()
    assert dead() is None
