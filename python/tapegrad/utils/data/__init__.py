"""tapegrad.utils.data: Dataset, TensorDataset and DataLoader."""
from .dataloader import DataLoader, default_collate  # noqa: F401
from .dataset import Dataset, TensorDataset  # noqa: F401
