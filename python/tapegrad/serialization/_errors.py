"""The one exception tapegrad.load raises for a file it will not load."""
import pickle


class LoadError(RuntimeError, pickle.UnpicklingError):
    """Raised by tapegrad.load for every malformed, truncated or corrupt file, and, in the
    default weights_only mode, for a file that holds objects which would need code to load.

    It is both a RuntimeError (what torch.load raises for a corrupt archive) and a
    pickle.UnpicklingError (what torch.load raises for a bad or refused pickle), so code
    written for either keeps working."""


def corrupt(what: str) -> LoadError:
    e = LoadError(f"is not a valid tapegrad file (corrupt or truncated?): {what}")
    e.unnamed = True  # type: ignore[attr-defined]  # load() puts the file's name in front
    return e


def weights_only_refusal(name: str) -> LoadError:
    # torch.load's wording, so that code and people matching on it recognise it.
    return LoadError(
        "Weights only load failed. This file can still be loaded, to do so you have two options, do those steps "
        "only if you trust the source of the checkpoint. \n\t(1) Re-running `tapegrad.load` with `weights_only` set "
        "to `False` will likely succeed, but it can result in arbitrary code execution. Do it only if you got the "
        "file from a trusted source.\n\t(2) Alternatively, save only tensors, numbers, strings, None, numpy arrays "
        "and dtypes, tapegrad dtypes and Sizes, and dicts, OrderedDicts, lists, tuples and sets of them (for a "
        "model: its state_dict()).\n\tWeightsUnpickler error: Unsupported global: GLOBAL "
        f"{name} was not an allowed global by default.")
