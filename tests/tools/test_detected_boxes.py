"""`mim test` with the person detector's boxes (bbox_file) on coco_tiny: the
detection score threshold (the dataset's ``filter_cfg.bbox_score_thr``) and
OKS-NMS (CocoMetric's ``nms_mode``/``nms_thr``) change the number of evaluated
people exactly as expected.

The pose model is the oracle (tests/fixtures/configs/ground_truth_pose_tiny.py
with GroundTruthPoseHead): on a box that overlaps an annotated person (IoU >=
0.5) it predicts that person's keypoints, elsewhere keypoints with score 0. So
every detection of the same person gets the same keypoints (OKS 1), and
OKS-NMS must keep exactly one prediction per detected person plus the boxes on
nobody.
"""
import json

import numpy as np
import pytest
import torch

from mmpose_ext.apis import init_pose_model
from mmpose_ext.testing import CocoGroundTruth
from tests.helpers import REPO

ORACLE = f'{REPO}/tests/fixtures/configs/ground_truth_pose_tiny.py'
SCORE_THR = 0.3


@pytest.fixture(scope='module')
def oracle_checkpoint(tmp_path_factory, coco_tiny):
    path = tmp_path_factory.mktemp('oracle') / 'oracle.pth'
    torch.save({'state_dict': init_pose_model(ORACLE).state_dict()}, path)
    return path


@pytest.fixture(scope='module')
def detections(coco_tiny):
    """The person detections above the threshold, each with the annotated
    person it overlaps: ``[(image_id, (x, y, w, h), person or None)]``."""
    with open(f'{coco_tiny}/person_keypoints_tiny.json') as f:
        names = {img['id']: img['file_name'] for img in json.load(f)['images']}
    with open(f'{coco_tiny}/person_detection_results_tiny.json') as f:
        dets = json.load(f)
    gt = CocoGroundTruth(f'{coco_tiny}/person_keypoints_tiny.json')
    kept = []
    for det in dets:
        if det['category_id'] != 1 or det['score'] < SCORE_THR:
            continue
        x, y, w, h = det['bbox']
        try:
            person = gt.match(names[det['image_id']],
                              np.array([x, y, x + w, y + h]))
        except ValueError:
            person = None
        kept.append((det['image_id'], (x, y, w, h), person))
    assert len(kept) < len(dets)  # the threshold removes boxes
    return kept


def _mim_test(cli, coco_tiny, checkpoint, work_dir, nms_mode):
    cli(['mim', 'test', 'mmpose_ext', ORACLE, '--checkpoint', checkpoint,
         '--work-dir', work_dir, '--out', work_dir / 'metrics.json',
         '--cfg-options',
         f'test_dataloader.dataset.bbox_file={coco_tiny}/'
         'person_detection_results_tiny.json',
         f'test_dataloader.dataset.filter_cfg.bbox_score_thr={SCORE_THR}',
         f'test_evaluator.nms_mode={nms_mode}', 'test_evaluator.nms_thr=0.9',
         f'test_evaluator.outfile_prefix={work_dir}/results'])
    results = json.loads((work_dir / 'results.keypoints.json').read_text())
    metrics = json.loads((work_dir / 'metrics.json').read_text())
    return results, metrics


def _same_box(a, b):
    return np.allclose(a, b, atol=1e-2)


def test_score_threshold_and_oks_nms_counts(cli, coco_tiny, oracle_checkpoint,
                                            detections, tmp_path):
    # threshold only: one evaluated person per detection above it
    results, _ = _mim_test(cli, coco_tiny, oracle_checkpoint,
                           tmp_path / 'none', 'none')
    assert len(results) == len(detections) == 33
    for image_id, box, _ in detections:
        assert sum(r['image_id'] == image_id and _same_box(r['bbox'], box)
                   for r in results) == 1

    # + OKS-NMS: duplicates of a person collapse to one; boxes on nobody stay
    results, metrics = _mim_test(cli, coco_tiny, oracle_checkpoint,
                                 tmp_path / 'oks_nms', 'oks_nms')
    people = {(img, p) for img, _, p in detections if p is not None}
    nobody = [(img, box) for img, box, p in detections if p is None]
    assert (len(people), len(nobody)) == (14, 6)
    assert len(results) == len(people) + len(nobody) == 20
    for image_id, person in people:
        boxes = [box for img, box, p in detections
                 if (img, p) == (image_id, person)]
        assert sum(r['image_id'] == image_id and any(
            _same_box(r['bbox'], box) for box in boxes)
                   for r in results) == 1
    # every annotated person is predicted exactly: AP 1
    assert metrics['coco/AP'] == pytest.approx(1.0)
