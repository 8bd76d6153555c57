"""The demo's COCO results entries against MMPose's CocoMetric, which writes
the same format (and rescoring) when it evaluates."""
import json

import numpy as np
from mmpose.datasets.datasets.utils import parse_pose_metainfo
from mmpose.evaluation import CocoMetric

from mmpose_ext.apis import instances_to_coco_results
from tests.helpers.mmpose_configs import dataset_info_file


def _predictions(rng, num, num_keypoints=17):
    xy = rng.uniform(0, 300, (num, 2))
    wh = rng.uniform(20, 200, (num, 2))
    return dict(
        keypoints=(xy[:, None] + rng.uniform(0, 1, (num, num_keypoints, 2)) *
                   wh[:, None]).astype(np.float32),
        # around CocoMetric's keypoint_score_thr=0.2, and one all below it
        keypoint_scores=np.concatenate([
            rng.uniform(0, 0.6, (num - 1, num_keypoints)),
            rng.uniform(0, 0.19, (1, num_keypoints))
        ]).astype(np.float32),
        bboxes=np.concatenate([xy, xy + wh], axis=1).astype(np.float32),
        bbox_scores=rng.uniform(0.3, 1, num).astype(np.float32))


def test_entries_match_coco_metric_output(tmp_path, coco_tiny):
    rng = np.random.default_rng(0)
    image_ids = [785, 40083]
    preds = {img_id: _predictions(rng, 4) for img_id in image_ids}

    metric = CocoMetric(
        ann_file=f'{coco_tiny}/person_keypoints_tiny.json',
        nms_mode='none', outfile_prefix=str(tmp_path / 'metric'))
    metric.dataset_meta = parse_pose_metainfo(
        dict(from_file=dataset_info_file('coco')))
    samples, uid = [], 0
    for img_id, pred in preds.items():
        for i in range(4):  # top-down: one data sample per person
            samples.append(dict(
                id=uid, img_id=img_id, category_id=1, gt_instances={},
                pred_instances={k: v[i:i + 1] for k, v in pred.items()}))
            uid += 1
    metric.process([], samples)
    metric.compute_metrics(metric.results)
    expected = json.loads((tmp_path / 'metric.keypoints.json').read_text())

    ours = []
    for img_id, pred in preds.items():
        ours += instances_to_coco_results(pred, img_id, file_name='x.jpg')
    assert len(ours) == len(expected) == 8
    key = lambda e: (e['image_id'], e['bbox'][0])  # noqa: E731
    for mine, theirs in zip(sorted(ours, key=key), sorted(expected, key=key)):
        assert mine['image_id'] == theirs['image_id']
        assert mine['category_id'] == theirs['category_id'] == 1
        np.testing.assert_allclose(mine['keypoints'], theirs['keypoints'],
                                   rtol=0, atol=1e-4)
        np.testing.assert_allclose(mine['bbox'], theirs['bbox'], atol=1e-4)
        np.testing.assert_allclose(mine['score'], theirs['score'], atol=1e-6)
        assert mine['file_name'] == 'x.jpg'
    # the instance whose keypoints all score below 0.2 scores 0
    assert sorted(e['score'] for e in ours)[:2] == [0.0, 0.0]
    assert all(e['bbox_score'] > 0.3 for e in ours)
