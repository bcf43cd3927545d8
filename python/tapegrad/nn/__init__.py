"""tapegrad.nn: PyTorch's nn namespace. The functional API (tapegrad.nn.functional), Module and
the layers built on it, Parameter, and the initialisers in tapegrad.nn.init."""
from . import functional  # noqa: F401
from . import init  # noqa: F401
from .modules import (  # noqa: F401
    GELU, BCEWithLogitsLoss, CrossEntropyLoss, Dropout, Embedding, Identity, LayerNorm, Linear, LSTMCell,
    Module, ModuleList, MSELoss, NLLLoss, ReLU, RNNCell, Sequential, Sigmoid, Tanh,
)
from .parameter import Buffer, Parameter  # noqa: F401
