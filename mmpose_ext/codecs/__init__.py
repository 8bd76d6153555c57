"""Keypoint codecs (registered in mmpose.registry.KEYPOINT_CODECS)."""
from .dark_heatmap import DARKHeatmap
from .simdr_label import SimDRLabel
from .tfpose_label import TFPoseLabel
from .udp_codec import UDPCodec

__all__ = ['DARKHeatmap', 'SimDRLabel', 'TFPoseLabel', 'UDPCodec']
