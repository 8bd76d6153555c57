"""Top-down pose estimation with an exported ONNX model and onnxruntime."""
from typing import Sequence, Tuple, Union

import numpy as np
from mmengine.config import Config

__all__ = ['OnnxTopdownEstimator']


class OnnxTopdownEstimator:
    """Runs a model exported by :mod:`mmpose_ext.tools.export_onnx`: the
    config's test pipeline makes the crops, onnxruntime the raw outputs, the
    codec decodes them (outside the graph, as MMPose's heads do) and the
    inverse of the crop maps them to the image.

    Args:
        onnx_file (str): the exported model.
        config (str | Config): the config it was exported from (pipeline and
            ``model.head.decoder``).
        num_threads (int): onnxruntime intra-op threads; 0 lets it choose.

    No flip test (it is not in the graph).
    """

    def __init__(self, onnx_file: str, config: Union[str, Config],
                 num_threads: int = 0):
        import onnxruntime as ort
        from mmengine.dataset import Compose
        from mmengine.registry import init_default_scope
        from mmpose.apis.inference import dataset_meta_from_config
        from mmpose.registry import KEYPOINT_CODECS

        self.cfg = Config.fromfile(config) if isinstance(config,
                                                         str) else config
        init_default_scope(self.cfg.get('default_scope', 'mmpose'))
        self.pipeline = Compose(self.cfg.test_dataloader.dataset.pipeline)
        self.codec = KEYPOINT_CODECS.build(self.cfg.model.head.decoder)
        self.dataset_meta = dataset_meta_from_config(self.cfg, 'test') or {}
        options = ort.SessionOptions()
        options.intra_op_num_threads = num_threads
        self.session = ort.InferenceSession(
            onnx_file, options, providers=['CPUExecutionProvider'])

    def crops(self, img: Union[str, np.ndarray],
              bboxes: np.ndarray) -> Tuple[np.ndarray, list]:
        """``(N, 3, H, W)`` float32 BGR crops of ``bboxes (N, 4)`` (``x1, y1,
        x2, y2`` image pixels) and their metainfo (``input_center``,
        ``input_scale``, ``input_size``)."""
        crops, metas = [], []
        for bbox in np.asarray(bboxes, dtype=np.float32).reshape(-1, 4):
            info = dict(img_path=img) if isinstance(img, str) else dict(
                img=img)
            info.update(
                bbox=bbox[None], bbox_score=np.ones(1, np.float32),
                **self.dataset_meta)
            packed = self.pipeline(info)
            crops.append(packed['inputs'].numpy().astype(np.float32))
            metas.append(packed['data_samples'].metainfo)
        width, height = self.codec.input_size
        return np.stack(crops) if crops else np.zeros(
            (0, 3, height, width), np.float32), metas

    def run(self, crops: np.ndarray) -> Sequence[np.ndarray]:
        """The graph's raw outputs for ``crops (N, 3, H, W)``."""
        return self.session.run(None, {'input': crops})

    def decode(self, outputs: Sequence[np.ndarray]) -> Tuple[np.ndarray,
                                                               np.ndarray]:
        """Keypoints ``(N, K, 2)`` in crop pixels and scores ``(N, K)``,
        decoding each instance with the codec in the layout MMPose's heads
        hand it over: one 4-d output is a heatmap stack, decoded as ``(K, H,
        W)`` per instance (HeatmapHead); otherwise every output keeps an
        instance axis of 1, e.g. ``(1, K, 2)`` coordinates (RegressionHead)
        or ``(1, K, Wx)`` and ``(1, K, Hy)`` vectors (SimCCHead)."""
        heatmaps = len(outputs) == 1 and outputs[0].ndim == 4
        keypoints, scores = [], []
        for i in range(len(outputs[0])):
            args = (outputs[0][i], ) if heatmaps else tuple(
                o[i:i + 1] for o in outputs)
            kpts, score = self.codec.decode(*args)
            if isinstance(score, tuple):  # (scores, visibility)
                score = score[0]
            # one instance per crop: (1, K, D) and (1, K)
            keypoints.append(kpts[0, :, :2])
            scores.append(score[0])
        return np.array(keypoints), np.array(scores)

    def __call__(self, img: Union[str, np.ndarray],
                 bboxes: np.ndarray) -> Tuple[np.ndarray, np.ndarray]:
        """Keypoints ``(N, K, 2)`` in image pixels and their scores ``(N,
        K)`` for the people in ``bboxes (N, 4)`` (``x1, y1, x2, y2``)."""
        crops, metas = self.crops(img, bboxes)
        if len(crops) == 0:
            num_keypoints = self.dataset_meta.get('num_keypoints', 0)
            return np.zeros((0, num_keypoints, 2)), np.zeros(
                (0, num_keypoints))
        keypoints, scores = self.decode(self.run(crops))
        for i, meta in enumerate(metas):
            # the inverse of TopdownAffine, as TopdownPoseEstimator applies it
            size = np.asarray(meta['input_size'], np.float32)
            scale = np.asarray(meta['input_scale'], np.float32).reshape(2)
            center = np.asarray(meta['input_center'], np.float32).reshape(2)
            keypoints[i] = keypoints[i] / size * scale + center - 0.5 * scale
        return keypoints, scores
