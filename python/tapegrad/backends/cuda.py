"""torch.backends.cuda without CUDA: `backends.cuda.matmul.allow_tf32` and friends, with torch's
defaults, settable and unread."""


class _MatmulFlags:
    def __init__(self) -> None:
        self.allow_tf32 = False
        self.allow_fp16_reduced_precision_reduction = True
        self.allow_bf16_reduced_precision_reduction = True


matmul = _MatmulFlags()


def is_built() -> bool:
    return False
