"""Containers: Sequential (chains its children) and ModuleList (indexes them)."""
from collections import OrderedDict
from typing import Any, Iterable, Iterator, Optional, Tuple, Union, cast, overload

from .module import Module


def _index(idx: int, n: int, kind: str) -> int:
    if not -n <= idx < n:
        raise IndexError(f"index {idx} is out of range")
    return idx + n if idx < 0 else idx


class Sequential(Module):
    """Sequential(m1, m2, ...) or Sequential(OrderedDict(name=module, ...)): calls its children
    in order, each on the previous one's output."""

    @overload
    def __init__(self, *modules: Module) -> None: ...

    @overload
    def __init__(self, arg: "OrderedDict[str, Module]", /) -> None: ...

    def __init__(self, *modules: Any) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], OrderedDict):
            for key, module in modules[0].items():
                self.add_module(key, module)
        else:
            for idx, module in enumerate(modules):
                self.add_module(str(idx), module)

    @overload
    def __getitem__(self, idx: slice) -> "Sequential": ...

    @overload
    def __getitem__(self, idx: int) -> Module: ...

    def __getitem__(self, idx: Union[slice, int]) -> Union["Sequential", Module]:
        items = list(self._modules.items())
        if isinstance(idx, slice):
            return Sequential(OrderedDict(cast(Iterable[Tuple[str, Module]], items[idx])))
        return cast(Module, items[_index(idx, len(items), "Sequential")][1])

    def __setitem__(self, idx: int, module: Module) -> None:
        key = list(self._modules)[_index(idx, len(self._modules), "Sequential")]
        setattr(self, key, module)

    def __delitem__(self, idx: Union[slice, int]) -> None:
        keys = list(self._modules)
        for key in (keys[idx] if isinstance(idx, slice) else [keys[_index(idx, len(keys), "Sequential")]]):
            del self._modules[key]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return cast(Iterator[Module], iter(self._modules.values()))

    def append(self, module: Module) -> "Sequential":
        self.add_module(str(len(self)), module)
        return self

    def forward(self, input: Any) -> Any:
        for module in self:
            input = module(input)
        return input


class ModuleList(Module):
    def __init__(self, modules: Optional[Iterable[Module]] = None) -> None:
        super().__init__()
        if modules is not None:
            self.extend(modules)

    @overload
    def __getitem__(self, idx: slice) -> "ModuleList": ...

    @overload
    def __getitem__(self, idx: int) -> Module: ...

    def __getitem__(self, idx: Union[slice, int]) -> Union["ModuleList", Module]:
        if isinstance(idx, slice):
            return ModuleList(cast(Iterable[Module], list(self._modules.values())[idx]))
        return cast(Module, self._modules[str(_index(idx, len(self), "ModuleList"))])

    def __setitem__(self, idx: int, module: Module) -> None:
        self.add_module(str(_index(idx, len(self), "ModuleList")), module)

    def __delitem__(self, idx: Union[slice, int]) -> None:
        mods = list(self._modules.values())
        del mods[idx]
        self._modules.clear()
        for i, m in enumerate(mods):  # keys stay 0..n-1, as PyTorch renumbers them
            self.add_module(str(i), m)

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return cast(Iterator[Module], iter(self._modules.values()))

    def __iadd__(self, modules: Iterable[Module]) -> "ModuleList":
        return self.extend(modules)

    def append(self, module: Module) -> "ModuleList":
        self.add_module(str(len(self)), module)
        return self

    def extend(self, modules: Iterable[Module]) -> "ModuleList":
        for m in modules:
            self.append(m)
        return self

    def insert(self, index: int, module: Module) -> None:
        mods = list(self._modules.values())
        mods.insert(index, module)
        self._modules.clear()
        for i, m in enumerate(mods):
            self.add_module(str(i), m)

    def forward(self, *input: Any) -> Any:
        raise NotImplementedError("ModuleList is not callable; iterate over it instead")
