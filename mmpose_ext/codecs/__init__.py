"""Keypoint codecs (registered in mmpose.registry.KEYPOINT_CODECS)."""
