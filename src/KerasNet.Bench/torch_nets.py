"""The PyTorch twins of the bench's Keras networks, shared by pytorch_epoch.py and pytorch_train.py."""
from torch import nn


def tutorial_cnn():
    """The tutorial CNN (64x64x3, Conv2D(32)+MaxPool x3, Dense 3137 x2, 2 logits), in NCHW."""
    return nn.Sequential(
        nn.Conv2d(3, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(32, 32, 3), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(),
        nn.Linear(1152, 3137), nn.ReLU(),
        nn.Linear(3137, 3137), nn.ReLU(),
        nn.Linear(3137, 2))
