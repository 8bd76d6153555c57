"""Keypoints along the input's borders and how far two codecs decode them
from the truth: the scan that the stated edges of the codecs are measured
with (tests/codecs/test_stated_edges.py, benchmarks/codec_edges.py,
docs/codecs.md "Where the claims stop")."""
from typing import Sequence, Tuple

import numpy as np


def axis_scan_keypoints(size: Sequence[int],
                        distances: np.ndarray) -> np.ndarray:
    """Keypoints (1, 4 * D, 2) at ``distances`` (D, input pixels; negative
    is inside) before the first pixel and after the last one of each axis
    of an input of ``size`` (w, h), the other coordinate mid-input."""
    w, h = size
    xs = np.concatenate([-distances, w - 1 + distances])
    ys = np.concatenate([-distances, h - 1 + distances])
    return np.concatenate([
        np.stack([xs, np.full_like(xs, h / 2 - 0.3)], -1),
        np.stack([np.full_like(ys, w / 2 - 0.3), ys], -1)
    ])[None]


def decode_errors(ours, ref, keypoints: np.ndarray
                  ) -> Tuple[np.ndarray, np.ndarray]:
    """Distances (input pixels) from the truth of ``ours``' and ``ref``'s
    decoding of ``ref``'s targets of ``keypoints`` (1, N, 2), for the M
    keypoints ``ref``'s target gives a weight: two (M, ) arrays. ``ref``
    decodes a copy (MMPose's SimCC refinement writes into its input)."""
    enc = ref.encode(keypoints)
    outputs = ((enc['heatmaps'], ) if 'heatmaps' in enc else
               (enc['keypoint_x_labels'], enc['keypoint_y_labels']))
    weighted = enc['keypoint_weights'][0] > 0
    ours_kps = ours.decode(*outputs)[0][0]
    ref_kps = ref.decode(*[o.copy() for o in outputs])[0][0]
    return (np.linalg.norm(ours_kps - keypoints[0], axis=-1)[weighted],
            np.linalg.norm(ref_kps - keypoints[0], axis=-1)[weighted])
