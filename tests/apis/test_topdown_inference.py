"""Top-down inference end to end with models whose outputs are known.

The stand-in detector returns the annotated boxes; the oracle head predicts
the annotated keypoints, mapped into each crop with MMPose's warp, encoded and
decoded by a family's codec. The estimator maps its predictions back with the
inverse of the crop, so they must land on the annotated keypoints of the right
person up to the codec's own round-trip error: 0 for RegressionLabel, half a
cell of the codec's grid for MSRA/DARK heatmaps (peaks the Taylor step does
not refine fall back to it) and SimDR's 1/k bins, and the measured 0.2 crop
pixels of UDP (with the UDP warp: any mismatch between the UDP crop and the
inverse would show here).
"""
import numpy as np
import pytest
from mmengine.config import Config

from mmpose_ext.apis import (detect_people, estimate_poses,
                             init_person_detector, init_pose_model)
from mmpose_ext.testing import CocoGroundTruth
from tests.helpers import REPO

GT_DETECTOR = f'{REPO}/tests/fixtures/configs/ground_truth_detector.py'
ORACLE = f'{REPO}/tests/fixtures/configs/ground_truth_pose_tiny.py'
# One line per family: (config whose codec and pipeline are used, error bound
# in crop pixels per axis; None: 1e-3 image pixels).
FAMILIES = {
    'regression': (ORACLE, None),
    'simplebaseline': (
        f'{REPO}/configs/simplebaseline/td-hm_res18_coco-tiny-128x96.py',
        0.5 * 4),
    'dark': (f'{REPO}/configs/dark/td-hm_res18_dark_coco-tiny-128x96.py',
             0.5 * 4),
    'udp': (f'{REPO}/configs/udp/td-hm_res18_udp_coco-tiny-128x96.py', 0.25),
    'simdr': (f'{REPO}/configs/simdr/simdr_res18_coco-tiny-128x96.py',
              0.5 / 2),
    'tfpose': (f'{REPO}/configs/tfpose/tfpose_res18-tiny_coco-tiny-128x96.py',
               None),
}


@pytest.fixture(scope='module')
def detector(coco_tiny):
    return init_person_detector(GT_DETECTOR)


@pytest.fixture(scope='module')
def ground_truth(coco_tiny):
    return CocoGroundTruth(f'{coco_tiny}/person_keypoints_tiny.json')


def _oracle(config, coco_tiny):
    """The family's model with the oracle head on its codec and warp."""
    cfg = Config.fromfile(config)
    if config != ORACLE:
        use_udp = any(t.get('use_udp', False)
                      for t in cfg.test_dataloader.dataset.pipeline
                      if t['type'] == 'TopdownAffine')
        cfg.custom_imports = dict(
            imports=['mmpose_ext', 'mmpose_ext.testing'],
            allow_failed_imports=False)
        cfg.model.head = dict(
            type='GroundTruthPoseHead', decoder=cfg.codec, use_udp=use_udp,
            ann_file=f'{coco_tiny}/person_keypoints_tiny.json')
        cfg.model.test_cfg = dict(flip_test=False)
    cfg.model.head.allow_unmatched = False
    return init_pose_model(cfg)


@pytest.mark.parametrize('family', list(FAMILIES))
def test_predictions_land_on_annotated_people(family, detector, ground_truth,
                                              coco_tiny):
    config, crop_bound = FAMILIES[family]
    model = _oracle(config, coco_tiny)
    input_size = np.array(model.cfg.codec['input_size'])
    people = 0
    for image, gt_boxes in sorted(ground_truth.boxes.items()):
        path = f'{coco_tiny}/{image}'
        boxes = detect_people(detector, path, score_thr=0.3, nms_thr=1.0)
        order = np.lexsort(boxes[:, :4].T)
        np.testing.assert_allclose(
            boxes[order, :4], gt_boxes[np.lexsort(gt_boxes.T)], atol=1e-4)
        sample = estimate_poses(model, path, boxes)
        pred = sample.pred_instances
        assert pred.keypoints.shape == (len(gt_boxes), 17, 2)
        np.testing.assert_array_equal(pred.bbox_scores, 1)
        matched = [ground_truth.match(image, box) for box in pred.bboxes]
        assert sorted(matched) == list(range(len(gt_boxes)))
        for idx, kpts, scores, box in zip(matched, pred.keypoints,
                                          pred.keypoint_scores, pred.bboxes):
            visible = ground_truth.visible[image][idx] > 0
            error = np.abs(kpts - ground_truth.keypoints[image][idx])[visible]
            if crop_bound is None:
                bound = np.full(2, 1e-3)
            else:  # crop pixels -> image pixels
                bound = crop_bound * _crop_scale(box, input_size) + 1e-3
            assert (error <= bound).all(), (image, idx, error.max(0), bound)
            # unlabelled keypoints score 0
            assert (scores[~visible] == 0).all()
            assert (scores[visible] > 0).all()
            people += 1
    assert people == 14


def _crop_scale(box, input_size):
    """Image pixels per crop pixel for ``box (4,)``: MMPose pads the box by
    1.25 and widens it to the input's aspect ratio."""
    wh = (box[2:] - box[:2]) * 1.25
    aspect = input_size[0] / input_size[1]
    if wh[0] > wh[1] * aspect:
        return wh[0] / input_size[0]
    return wh[1] / input_size[1]


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
