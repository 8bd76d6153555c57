"""TFPoseLabel against MMPose's RegressionLabel and UDPHeatmap."""
import numpy as np
import pytest
from mmpose.codecs import RegressionLabel, UDPHeatmap
from mmpose.datasets.transforms import GenerateTarget, PackPoseInputs
from mmpose.registry import KEYPOINT_CODECS

import mmpose_ext  # noqa: F401

CFG = dict(
    type='TFPoseLabel',
    input_size=(192, 256),
    heatmap=dict(type='UDPHeatmap', heatmap_size=(48, 64), sigma=2.))


def _keypoints(seed=0, k=17):
    rng = np.random.default_rng(seed)
    kpts = rng.uniform([-10, -10], [200, 265], size=(1, k, 2))
    vis = (rng.uniform(size=(1, k)) > 0.2).astype(np.float32)
    return kpts.astype(np.float32), vis


def test_encode_equals_host_codecs():
    codec = KEYPOINT_CODECS.build(CFG)
    kpts, vis = _keypoints()
    enc = codec.encode(kpts, vis)
    reg = RegressionLabel(input_size=(192, 256)).encode(kpts, vis)
    hm = UDPHeatmap(
        input_size=(192, 256), heatmap_size=(48, 64),
        sigma=2.).encode(kpts, vis)
    np.testing.assert_array_equal(enc['keypoint_labels'],
                                  reg['keypoint_labels'])
    np.testing.assert_array_equal(enc['keypoint_weights'],
                                  reg['keypoint_weights'])
    np.testing.assert_array_equal(enc['heatmaps'], hm['heatmaps'])
    np.testing.assert_array_equal(enc['heatmap_weights'],
                                  hm['keypoint_weights'])
    # the regression target is x / w, y / h of the input image
    np.testing.assert_allclose(enc['keypoint_labels'], kpts / [192, 256],
                               rtol=1e-6)
    assert enc['heatmaps'].shape == (17, 64, 48)
    # some keypoints are out of the image or invisible: weight 0
    assert 0 < enc['keypoint_weights'].sum() < 17


def test_decode_round_trip():
    codec = KEYPOINT_CODECS.build(CFG)
    kpts, vis = _keypoints(1)
    keypoints, scores = codec.decode(codec.encode(kpts, vis)['keypoint_labels'])
    np.testing.assert_allclose(keypoints, kpts, atol=1e-4)
    np.testing.assert_array_equal(scores, np.ones((1, 17), np.float32))


def test_packed_through_pipeline():
    """PackPoseInputs uses the codec's tables: every emitted key arrives."""
    kpts, vis = _keypoints(2)
    results = dict(keypoints=kpts, keypoints_visible=vis,
                   img=np.zeros((256, 192, 3), np.uint8), id=0, img_id=0)
    results = GenerateTarget(encoder=CFG)(results)
    sample = PackPoseInputs()(results)['data_samples']
    labels = sample.gt_instance_labels
    assert tuple(labels.keypoint_labels.shape) == (1, 17, 2)
    assert tuple(labels.keypoint_weights.shape) == (1, 17)
    assert tuple(labels.heatmap_weights.shape) == (1, 17)
    assert tuple(sample.gt_fields.heatmaps.shape) == (17, 64, 48)


def test_input_size_given_twice_is_refused():
    cfg = dict(CFG, heatmap=dict(CFG['heatmap'], input_size=(192, 256)))
    with pytest.raises(ValueError, match='TFPoseLabel.*input_size'):
        KEYPOINT_CODECS.build(cfg)
