"""Keypoint codecs (registered in mmpose.registry.KEYPOINT_CODECS)."""
from .dark_heatmap import DARKHeatmap
from .simdr_label import SimDRLabel
from .udp_codec import UDPCodec

__all__ = ['DARKHeatmap', 'SimDRLabel', 'UDPCodec']
