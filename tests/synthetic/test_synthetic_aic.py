"""The synthetic set's AI Challenger output (--extra-formats aic): the COCO
files stay the same bytes, the AIC file holds the same people with AIC's 14
keypoints, and MMPose's AicDataset and CocoMetric (AIC sigmas) read it."""
import filecmp
import os.path as osp

import numpy as np
import pytest

from mmpose_ext.synthetic import generate_dataset
from mmpose_ext.synthetic.__main__ import main
from mmpose_ext.synthetic.aic_person import (AIC_FROM_COCO,
                                             AIC_KEYPOINT_NAMES, HEAD_TOP,
                                             NECK)
from tests.helpers.synthetic_output import list_files, read_annotations

ARGS = dict(num_train=5, num_val=6, seed=3)


@pytest.fixture(scope='module')
def both(tmp_path_factory):
    plain = str(tmp_path_factory.mktemp('plain'))
    extra = str(tmp_path_factory.mktemp('extra'))
    generate_dataset(plain, **ARGS)
    generate_dataset(extra, **ARGS, extra_formats=('aic', ))
    return plain, extra


def test_coco_output_is_the_same_bytes(both):
    plain, extra = both
    files = list_files(plain)
    assert list_files(extra) == sorted(files + [
        'annotations/aic_keypoints_train.json',
        'annotations/aic_keypoints_val.json'])
    _, mismatch, errors = filecmp.cmpfiles(plain, extra, files,
                                           shallow=False)
    assert mismatch == [] and errors == []


def test_aic_file_holds_the_same_people(both):
    _, extra = both
    for split in ('train', 'val'):
        coco = read_annotations(extra, f'person_keypoints_{split}.json')
        aic = read_annotations(extra, f'aic_keypoints_{split}.json')
        assert aic['images'] == coco['images']
        assert aic['categories'][0]['keypoints'] == list(AIC_KEYPOINT_NAMES)
        assert len(aic['annotations']) == len(coco['annotations']) > 0
        tops = 0
        for a, c in zip(aic['annotations'], coco['annotations']):
            assert (a['id'], a['image_id'], a['area']) == \
                (c['id'], c['image_id'], c['area'])
            ka = np.array(a['keypoints'], float).reshape(14, 3)
            kc = np.array(c['keypoints'], float).reshape(17, 3)
            for i, j in enumerate(AIC_FROM_COCO):
                if j is not None:
                    np.testing.assert_array_equal(ka[i], kc[j])
            assert a['num_keypoints'] == int((ka[:, 2] > 0).sum())
            assert 'segmentation' not in a
            # every labelled keypoint inside its box
            x, y, w, h = a['bbox']
            lab = ka[ka[:, 2] > 0, :2]
            assert np.all((lab >= [x, y]) & (lab <= [x + w, y + h]))
            # head top above the neck for people that are not upside down
            kh, kn = ka[HEAD_TOP], ka[NECK]
            if kh[2] > 0 and kn[2] > 0:
                tops += int(kh[1] < kn[1])
                assert np.hypot(*(kh[:2] - kn[:2])) > 0
        assert tops > 0


def test_head_top_and_neck_visibility_occurs(both):
    _, extra = both
    v = np.concatenate([
        np.array(a['keypoints']).reshape(14, 3)[[HEAD_TOP, NECK], 2]
        for split in ('train', 'val')
        for a in read_annotations(extra, f'aic_keypoints_{split}.json')['annotations']])
    assert (v == 2).any()


def test_mmpose_aicdataset_and_cocometric_read_it(both, tmp_path):
    from mmengine.registry import init_default_scope
    from mmpose.datasets import AicDataset
    from mmpose.evaluation import CocoMetric
    init_default_scope('mmpose')
    _, extra = both
    dataset = AicDataset(
        data_root=extra, data_mode='topdown',
        ann_file='annotations/aic_keypoints_val.json',
        data_prefix=dict(img='images/val/'),
        pipeline=[dict(type='LoadImage')])
    aic = read_annotations(extra, 'aic_keypoints_val.json')
    assert len(dataset) == sum(a['num_keypoints'] > 0
                               for a in aic['annotations']) > 0
    item = dataset[0]
    assert item['keypoints'].shape == (1, 14, 2)
    assert item['dataset_name'] == 'aic'

    # ground truth fed back as predictions: AP 1; shifted: lower
    for shift, perfect in ((0.0, True), (6.0, False)):
        metric = CocoMetric(ann_file=osp.join(
            extra, 'annotations/aic_keypoints_val.json'), use_area=False,
            prefix='aic', outfile_prefix=str(tmp_path / f'r{shift}'))
        metric.dataset_meta = dataset.metainfo
        samples = []
        for ann in aic['annotations']:
            if ann['num_keypoints'] == 0:
                continue
            kps = np.array(ann['keypoints'], np.float32).reshape(1, 14, 3)
            samples.append(dict(
                id=ann['id'], img_id=ann['image_id'],
                pred_instances=dict(
                    keypoints=kps[..., :2] + shift,
                    keypoint_scores=(kps[..., 2] > 0).astype(np.float32)),
                gt_instances=dict(bbox_scores=np.ones(1, np.float32))))
        metric.process([], samples)
        ap = metric.evaluate(len(samples))['aic/AP']
        if perfect:
            assert ap == pytest.approx(1.0, abs=1e-9)
        else:
            assert ap < 0.9


def test_an_unknown_format_is_named(tmp_path, capsys):
    with pytest.raises(ValueError, match=r"unknown extra format "
                       r"'crowdpose'.*known: aic, mpii"):
        generate_dataset(str(tmp_path), num_train=1, num_val=0,
                         extra_formats=('crowdpose', ))
    with pytest.raises(SystemExit) as exit_info:
        main(['--out', str(tmp_path / 'x'), '--extra-formats', 'crowdpose'])
    assert exit_info.value.code == 2
    assert "unknown extra format 'crowdpose'" in capsys.readouterr().err
