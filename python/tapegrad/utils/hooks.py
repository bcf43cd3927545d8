"""RemovableHandle: what Module.register_forward_hook and friends return (torch.utils.hooks)."""
import weakref
from collections import OrderedDict
from typing import Any, ClassVar, List, Optional, Tuple, Union


class RemovableHandle:
    """A handle whose remove() takes its hook out of the dict (and the extra dicts) it was
    registered in. It holds them weakly, so a handle does not keep a module alive. Also a
    context manager: the hook is removed when the `with` block ends."""

    next_id: ClassVar[int] = 0
    id: int

    def __init__(self, hooks_dict: "OrderedDict[int, Any]",
                 *, extra_dict: Union[None, "OrderedDict[int, Any]", List["OrderedDict[int, Any]"]] = None
                 ) -> None:
        self.hooks_dict_ref: "weakref.ref[OrderedDict[int, Any]]" = weakref.ref(hooks_dict)
        self.id = RemovableHandle.next_id
        RemovableHandle.next_id += 1
        extras = [] if extra_dict is None else extra_dict if isinstance(extra_dict, list) else [extra_dict]
        self.extra_dict_ref: Tuple["weakref.ref[OrderedDict[int, Any]]", ...] = tuple(weakref.ref(d) for d in extras)

    def remove(self) -> None:
        hooks_dict = self.hooks_dict_ref()
        if hooks_dict is not None and self.id in hooks_dict:
            del hooks_dict[self.id]
        for ref in self.extra_dict_ref:
            extra = ref()
            if extra is not None and self.id in extra:
                del extra[self.id]

    def __enter__(self) -> "RemovableHandle":
        return self

    def __exit__(self, type: Optional[type], value: Optional[BaseException], tb: Any) -> None:
        self.remove()
