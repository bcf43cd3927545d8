"""The module classes of tapegrad.nn, one family per file."""
from .activation import GELU, Dropout, ReLU, Sigmoid, Tanh  # noqa: F401
from .container import ModuleList, Sequential  # noqa: F401
from .layers import Embedding, Identity, LayerNorm, Linear  # noqa: F401
from .loss import BCEWithLogitsLoss, CrossEntropyLoss, MSELoss, NLLLoss  # noqa: F401
from .module import Module  # noqa: F401
from .rnn import LSTMCell, RNNCell  # noqa: F401
