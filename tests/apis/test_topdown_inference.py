"""Top-down inference end to end with models whose outputs are known.

The stand-in detector returns the annotated boxes; the oracle head predicts
the annotated keypoints, mapped into each crop with MMPose's warp, encoded and
decoded by a codec. The estimator maps its predictions back with the inverse
of the crop, so they must land on the annotated keypoints of the right person
up to the codec's own round-trip error: 0 for RegressionLabel, at most half a
heatmap pixel (per axis) for MSRAHeatmap, whose encoder rounds the peak to the
nearest heatmap pixel and whose decoder does not shift a symmetric peak.
"""
import numpy as np
import pytest
from mmengine.config import Config
from mmpose.datasets.transforms import TopdownAffine
from mmpose.structures.bbox import bbox_xyxy2cs

from mmpose_ext.apis import (detect_people, estimate_poses,
                             init_person_detector, init_pose_model)
from mmpose_ext.testing import CocoGroundTruth

GT_DETECTOR = 'tests/fixtures/configs/ground_truth_detector.py'
ORACLE = 'tests/fixtures/configs/ground_truth_pose_tiny.py'
INPUT_SIZE = (96, 128)
# (codec, error bound in heatmap pixels per axis or None for 1e-3 image px)
CODECS = {
    'regression': (dict(type='RegressionLabel', input_size=INPUT_SIZE), None),
    'msra_heatmap': (dict(type='MSRAHeatmap', input_size=INPUT_SIZE,
                          heatmap_size=(24, 32), sigma=2), 0.5),
}


@pytest.fixture(scope='module')
def detector(coco_tiny):
    return init_person_detector(GT_DETECTOR)


@pytest.fixture(scope='module')
def ground_truth(coco_tiny):
    return CocoGroundTruth(f'{coco_tiny}/person_keypoints_tiny.json')


def _oracle(codec):
    cfg = Config.fromfile(ORACLE)
    cfg.model.head.decoder = codec
    cfg.model.head.allow_unmatched = False
    return init_pose_model(cfg)


def _input_scale(box):
    """The crop size in image pixels MMPose uses for ``box (4,)``."""
    _, scale = bbox_xyxy2cs(box[None], padding=1.25)
    return TopdownAffine._fix_aspect_ratio(
        scale, INPUT_SIZE[0] / INPUT_SIZE[1])[0]


@pytest.mark.parametrize('name', list(CODECS))
def test_predictions_land_on_annotated_people(name, detector, ground_truth,
                                              coco_tiny):
    codec, heatmap_bound = CODECS[name]
    model = _oracle(codec)
    people = 0
    for image, gt_boxes in sorted(ground_truth.boxes.items()):
        path = f'{coco_tiny}/{image}'
        boxes = detect_people(detector, path, score_thr=0.3, nms_thr=1.0)
        order = np.lexsort(boxes[:, :4].T)
        np.testing.assert_allclose(
            boxes[order, :4], gt_boxes[np.lexsort(gt_boxes.T)], atol=1e-4)
        pred = estimate_poses(model, path, boxes).pred_instances
        assert pred.keypoints.shape == (len(gt_boxes), 17, 2)
        np.testing.assert_array_equal(pred.bbox_scores, 1)
        matched = [ground_truth.match(image, box) for box in pred.bboxes]
        assert sorted(matched) == list(range(len(gt_boxes)))
        for idx, kpts, scores, box in zip(matched, pred.keypoints,
                                          pred.keypoint_scores, pred.bboxes):
            visible = ground_truth.visible[image][idx] > 0
            error = np.abs(kpts - ground_truth.keypoints[image][idx])[visible]
            if heatmap_bound is None:
                bound = np.full(2, 1e-3)
            else:  # heatmap pixels -> image pixels
                bound = heatmap_bound * _input_scale(box) / np.array(
                    codec['heatmap_size']) + 1e-3
            assert (error <= bound).all(), (image, idx, error.max(0), bound)
            # unlabelled keypoints score 0, labelled ones the codec's maximum
            assert (scores[~visible] == 0).all()
            assert (scores[visible] > 0.99).all()
            people += 1
    assert people == 14


def test_mmpose_inferencer_runs_the_same_models(detector, ground_truth,
                                                coco_tiny, tmp_path):
    """MMPose's own inferencer with the same configs (and no weights) gives
    the same people and keypoints, and draws them."""
    from mmpose.apis import MMPoseInferencer
    image = '000000196141.jpg'
    path = f'{coco_tiny}/{image}'
    inferencer = MMPoseInferencer(
        pose2d=ORACLE, pose2d_weights=None, det_model=GT_DETECTOR,
        det_weights=None, det_cat_ids=[0], device='cpu')
    result = next(inferencer(path, vis_out_dir=str(tmp_path), nms_thr=1.0))
    people = result['predictions'][0]
    assert len(people) == 5
    model = init_pose_model(ORACLE)
    ours = estimate_poses(
        model, path, detect_people(detector, path, nms_thr=1.0))
    for person in people:
        idx = ground_truth.match(image, np.array(person['bbox'][0]))
        i = [ground_truth.match(image, b)
             for b in ours.pred_instances.bboxes].index(idx)
        np.testing.assert_allclose(person['keypoints'],
                                   ours.pred_instances.keypoints[i], atol=1e-3)
    assert (tmp_path / image).is_file()
