"""TFPose's training targets: normalized keypoint coordinates for the
regression loss and heatmaps for the auxiliary loss."""
from typing import Optional, Tuple

import numpy as np
from mmpose.codecs import RegressionLabel
from mmpose.codecs.base import BaseKeypointCodec
from mmpose.registry import KEYPOINT_CODECS
from mmpose.utils.typing import ConfigType


@KEYPOINT_CODECS.register_module()
class TFPoseLabel(BaseKeypointCodec):
    """Targets of TFPose (`Mao et al. 2021`_): normalized coordinates for the
    per-decoder-layer L1 loss and heatmaps for the auxiliary heatmap loss.

    The coordinates come from MMPose's :class:`RegressionLabel`, the heatmaps
    from any heatmap codec given by ``heatmap`` (the paper uses UDP heatmaps at
    a quarter of the input size; ``input_size`` is filled in here, so every
    size is written once).

    Note:
        - instance number: N
        - keypoint number: K
        - keypoint dimension: D (2)
        - input size: [w, h]
        - heatmap size: [W, H]

    Encoded:
        - keypoint_labels (np.ndarray): coordinates in shape (N, K, D),
          normalized by the input size: ``x / w, y / h``; the input image
          spans [0, 1) (a keypoint at pixel ``w - 1`` maps to ``1 - 1/w``).
        - keypoint_weights (np.ndarray): weights of the regression loss in
          shape (N, K): 1 for a visible keypoint inside the input image, else 0.
        - heatmaps (np.ndarray): the heatmap codec's heatmaps in shape
          (K, H, W).
        - heatmap_weights (np.ndarray): the heatmap codec's own keypoint
          weights in shape (N, K) (a keypoint just outside the image can still
          have part of its Gaussian on the heatmap).

    Args:
        input_size (tuple): Input image size in [w, h].
        heatmap (dict): Config of the heatmap codec, without ``input_size``,
            e.g. ``dict(type='UDPCodec', heatmap_size=(48, 64), sigma=2.)``.

    .. _`Mao et al. 2021`: https://arxiv.org/abs/2103.15320
    """

    # A non-empty table replaces PackPoseInputs' defaults: every emitted key.
    label_mapping_table = dict(
        keypoint_labels='keypoint_labels',
        keypoint_weights='keypoint_weights',
        heatmap_weights='heatmap_weights',
    )
    field_mapping_table = dict(heatmaps='heatmaps')

    def __init__(self, input_size: Tuple[int, int],
                 heatmap: ConfigType) -> None:
        super().__init__()
        if 'input_size' in heatmap:
            raise ValueError(
                f'{self.__class__.__name__}: leave `input_size` out of the '
                '`heatmap` codec config; it is taken from TFPoseLabel\'s '
                f'input_size {tuple(input_size)}')
        self.input_size = tuple(input_size)
        self.keypoint_codec = RegressionLabel(input_size=self.input_size)
        self.heatmap_codec = KEYPOINT_CODECS.build(
            dict(heatmap, input_size=self.input_size))
        self.heatmap_size = tuple(self.heatmap_codec.heatmap_size)

    def encode(self,
               keypoints: np.ndarray,
               keypoints_visible: Optional[np.ndarray] = None) -> dict:
        """Encode keypoints given in input-image pixels.

        Args:
            keypoints (np.ndarray): Keypoints in shape (N, K, D), in pixels of
                the input image.
            keypoints_visible (np.ndarray, optional): Visibility in shape
                (N, K).

        Returns:
            dict: ``keypoint_labels``, ``keypoint_weights``, ``heatmaps`` and
            ``heatmap_weights`` (see the class docstring).
        """
        encoded_kp = self.keypoint_codec.encode(keypoints, keypoints_visible)
        encoded_hm = self.heatmap_codec.encode(keypoints, keypoints_visible)
        return dict(
            keypoint_labels=encoded_kp['keypoint_labels'],
            keypoint_weights=encoded_kp['keypoint_weights'],
            heatmaps=encoded_hm['heatmaps'],
            heatmap_weights=encoded_hm['keypoint_weights'])

    def decode(self, encoded: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Decode normalized coordinates to input-image pixels.

        Args:
            encoded (np.ndarray): Normalized coordinates in shape (N, K, D).

        Returns:
            tuple:
            - keypoints (np.ndarray): Coordinates in input-image pixels in
              shape (N, K, D).
            - scores (np.ndarray): Ones in shape (N, K): the regression has no
              confidence output.
        """
        return self.keypoint_codec.decode(encoded)
