"""A pose head whose output is the encoded ground truth."""
from typing import Optional, Sequence

import cv2
import numpy as np
import torch
from mmengine.structures import InstanceData
from mmpose.models.heads.base_head import BaseHead
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.structures.bbox import get_udp_warp_matrix, get_warp_matrix

from .coco_ground_truth import CocoGroundTruth

__all__ = ['GroundTruthPoseHead']

# Which of a codec's encoded fields its ``decode`` takes, first match wins:
# coordinate codecs that also emit (auxiliary) heatmaps decode coordinates.
_DECODE_INPUTS = (
    # RegressionLabel, IntegralRegressionLabel, TFPoseLabel
    ('keypoint_labels', ),
    ('keypoint_x_labels', 'keypoint_y_labels'),  # SimCCLabel, SimDRLabel
    ('heatmaps', ),  # MSRAHeatmap, UDPHeatmap, DARKHeatmap, UDPCodec, ...
)


@MODELS.register_module()
class GroundTruthPoseHead(BaseHead):
    """Predicts the annotated keypoints of the person in each crop, passed
    through a codec's ``encode`` and ``decode``: a model whose output is
    known, to check the top-down pipeline's crop and its inverse.

    For each crop, the annotated person is found by image file name
    (``img_path``) and the crop's box (largest IoU, at least 0.5). Its
    keypoints are mapped into the crop with the same warp as MMPose's
    ``TopdownAffine`` (built from ``input_center``, ``input_scale`` and
    ``input_size`` of the data sample, independently of the image
    transform), encoded and decoded by ``decoder``; the estimator's usual
    ``add_pred_to_datasample`` then maps them back to the image. So the
    predictions equal the annotations up to the codec's own round-trip
    error, iff the crop and its inverse agree.

    Args:
        ann_file (str): COCO keypoint annotations of the images.
        decoder (dict): the codec (e.g. the model's ``codec``).
        use_udp (bool): the pipeline's ``TopdownAffine(use_udp=...)``.
        allow_unmatched (bool): what a crop on no annotated person gets:
            ``False`` raises ``ValueError``; ``True`` predicts every
            keypoint at the crop centre with score 0 (for evaluating with
            detected boxes, which include false positives).

    Note:
        Shapes: K keypoints; predictions ``keypoints (1, K, 2)`` in input
        (crop) pixels, ``keypoint_scores (1, K)``: the codec's scores for
        labelled keypoints and 0 for unlabelled ones. Flip test is not
        applied (the output does not depend on the image).
    """

    def __init__(self,
                 ann_file: str,
                 decoder: dict,
                 use_udp: bool = False,
                 allow_unmatched: bool = False,
                 init_cfg: Optional[dict] = None):
        super().__init__(init_cfg)
        self.ground_truth = CocoGroundTruth(ann_file)
        self.decoder = KEYPOINT_CODECS.build(decoder)
        self.use_udp = use_udp
        self.allow_unmatched = allow_unmatched

    def forward(self, feats: Sequence[torch.Tensor]) -> torch.Tensor:
        """The last backbone feature map, unchanged (the oracle has no
        learned output)."""
        return feats[-1]

    def _to_input_space(self, keypoints: np.ndarray, metainfo: dict):
        center = np.asarray(metainfo['input_center'], dtype=np.float32)
        scale = np.asarray(metainfo['input_scale'], dtype=np.float32)
        size = tuple(int(s) for s in metainfo['input_size'])
        if self.use_udp:
            warp = get_udp_warp_matrix(center, scale, 0., output_size=size)
        else:
            warp = get_warp_matrix(center, scale, 0., output_size=size)
        return cv2.transform(keypoints[None].astype(np.float64), warp)[0]

    def _decode(self, encoded: dict):
        for keys in _DECODE_INPUTS:
            if all(k in encoded for k in keys):
                return self.decoder.decode(*(encoded[k] for k in keys))
        raise ValueError(
            f'{type(self).__name__}: codec {type(self.decoder).__name__} '
            f'encodes {sorted(encoded)}, none of which it knows how to '
            f'decode; known: {_DECODE_INPUTS}')

    def predict(self, feats, batch_data_samples, test_cfg=None):
        """Encoded-then-decoded annotations, one ``InstanceData`` per crop
        (``keypoints (1, K, 2)`` input pixels, ``keypoint_scores (1, K)``)."""
        preds = []
        for data_sample in batch_data_samples:
            name = self.ground_truth.image_name(
                data_sample.metainfo['img_path'])
            box = np.asarray(data_sample.gt_instances.bboxes[0],
                             dtype=np.float64)
            try:
                idx = self.ground_truth.match(name, box)
            except ValueError:
                if not self.allow_unmatched:
                    raise
                preds.append(self._nobody(data_sample.metainfo))
                continue
            visible = self.ground_truth.visible[name][idx]
            keypoints = self._to_input_space(
                self.ground_truth.keypoints[name][idx], data_sample.metainfo)
            encoded = self.decoder.encode(keypoints[None], visible[None])
            keypoints, scores = self._decode(encoded)
            preds.append(
                InstanceData(
                    keypoints=keypoints.astype(np.float32),
                    keypoint_scores=(scores * visible).astype(np.float32)))
        return preds

    def _nobody(self, metainfo: dict) -> InstanceData:
        num_keypoints = len(next(iter(self.ground_truth.visible.values()))[0])
        centre = np.asarray(metainfo['input_size'], dtype=np.float32) / 2
        return InstanceData(
            keypoints=np.tile(centre, (1, num_keypoints, 1)),
            keypoint_scores=np.zeros((1, num_keypoints), np.float32))

    def loss(self, feats, batch_data_samples, train_cfg=None):
        raise RuntimeError(
            f'{type(self).__name__} answers with annotations and cannot be '
            'trained')
