"""A person "detector" that answers with the annotated boxes."""
from typing import Optional

import torch
from mmdet.models.detectors import BaseDetector
from mmdet.registry import MODELS
from mmengine.structures import InstanceData

from .coco_ground_truth import CocoGroundTruth

__all__ = ['GroundTruthPersonDetector']


@MODELS.register_module()
class GroundTruthPersonDetector(BaseDetector):
    """Returns the ground-truth person boxes of the image it is given.

    A stand-in for an MMDetection detector in tests of top-down inference:
    with it, every pose prediction should sit on an annotated person. It
    runs through MMDetection's own ``init_detector`` / ``inference_detector``
    like any detector and finds the image by the file name in the data
    sample's ``img_path``.

    Args:
        ann_file (str): COCO keypoint annotations of the images.
        frame_image (str, optional): file name whose boxes are returned for
            inputs without a path (video frames, arrays); for videos made
            from one annotated still image. ``None``: such inputs are an
            error.
        data_preprocessor (dict, optional): MMEngine data preprocessor; the
            default only moves the images to the device (they are unused).

    Every box gets score 1 and label 0 (COCO's "person" index in
    MMDetection).
    """

    def __init__(self,
                 ann_file: str,
                 frame_image: Optional[str] = None,
                 data_preprocessor: Optional[dict] = None,
                 init_cfg: Optional[dict] = None):
        super().__init__(
            data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.ground_truth = CocoGroundTruth(ann_file)
        if frame_image is not None:
            self.ground_truth.image_name(frame_image)
        self.frame_image = frame_image

    def _image_name(self, data_sample) -> str:
        path = data_sample.metainfo.get('img_path')
        if path is not None:
            return self.ground_truth.image_name(path)
        if self.frame_image is None:
            raise ValueError(
                f'{type(self).__name__} got an image without a file name '
                '(a video frame or an array); set frame_image to the '
                'annotated image the frames show')
        return self.frame_image

    def predict(self, batch_inputs, batch_data_samples, rescale: bool = True):
        """Attach the annotated boxes of each image as ``pred_instances``
        (``bboxes (N, 4)`` original-image ``x1, y1, x2, y2``, ``scores
        (N,)``, ``labels (N,)``); ``batch_inputs`` are not looked at."""
        for data_sample in batch_data_samples:
            boxes = self.ground_truth.boxes[self._image_name(data_sample)]
            pred = InstanceData()
            pred.bboxes = torch.as_tensor(boxes, dtype=torch.float32)
            pred.scores = torch.ones(len(boxes))
            pred.labels = torch.zeros(len(boxes), dtype=torch.long)
            data_sample.pred_instances = pred
        return batch_data_samples

    def extract_feat(self, batch_inputs):
        """The stand-in has no features; its boxes come from the labels."""
        return ()

    def _forward(self, batch_inputs, batch_data_samples=None):
        return ()

    def loss(self, batch_inputs, batch_data_samples):
        raise RuntimeError(
            f'{type(self).__name__} answers with annotations and cannot be '
            'trained')
