"""Backprop Studio: build a small neural network, press Step, and watch the error flow backward."""

__version__ = "0.2.0"
APP_ID = "org.bpstudio.BackpropStudio"  # reverse-DNS id: the .desktop file, metainfo and icon names
