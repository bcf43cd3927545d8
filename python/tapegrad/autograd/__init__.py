"""tapegrad.autograd: PyTorch's autograd API on tapegrad's C++ engine.

Variable (a Tensor, as in PyTorch >= 0.4), grad/backward, grad modes, custom Functions,
gradcheck/gradgradcheck, anomaly detection, and `graph` for looking at backward graphs.
"""
from . import graph  # noqa: F401
from .anomaly_mode import detect_anomaly, is_anomaly_enabled, set_detect_anomaly  # noqa: F401
from .function import Function, FunctionCtx, once_differentiable  # noqa: F401
from .functional_api import backward, grad  # noqa: F401
from .grad_mode import enable_grad, inference_mode, no_grad, set_grad_enabled  # noqa: F401
from .gradcheck import GradcheckError, gradcheck, gradgradcheck  # noqa: F401
from .variable import Variable  # noqa: F401
from . import functional  # noqa: F401,E402  (jacobian, hessian, vjp, jvp, hvp, vhp)
