"""The synthetic set's MPII output (--extra-formats mpii): the COCO files stay
the same bytes, the MPII json holds the same people with MPII's 16 keypoints
in MMPose's MPII layout, MMPose's MpiiDataset reads it (with the head boxes
of mpii_gt_val.mat) and MMPose's MpiiPCKAccuracy scores it."""
import filecmp
import os.path as osp

import numpy as np
import pytest
from scipy.io import loadmat

from mmpose_ext.synthetic import generate_dataset
from mmpose_ext.synthetic.mpii_person import (HEAD_TOP, MPII_FROM_COCO,
                                              MPII_KEYPOINT_NAMES, PELVIS,
                                              THORAX, UPPER_NECK)
from tests.helpers.synthetic_output import list_files, read_annotations

ARGS = dict(num_train=3, num_val=5, seed=4)


@pytest.fixture(scope='module')
def both(tmp_path_factory):
    plain = str(tmp_path_factory.mktemp('plain'))
    extra = str(tmp_path_factory.mktemp('extra'))
    generate_dataset(plain, **ARGS)
    generate_dataset(extra, **ARGS, extra_formats=('mpii', ))
    return plain, extra


def test_coco_output_is_the_same_bytes(both):
    plain, extra = both
    files = list_files(plain)
    assert list_files(extra) == sorted(files + [
        'annotations/mpii_gt_val.mat', 'annotations/mpii_train.json',
        'annotations/mpii_val.json'])
    _, mismatch, errors = filecmp.cmpfiles(plain, extra, files,
                                           shallow=False)
    assert mismatch == [] and errors == []


def test_same_arguments_give_the_same_mat_bytes(both, tmp_path):
    _, extra = both
    again = str(tmp_path / 'again')
    generate_dataset(again, **ARGS, extra_formats=('mpii', ))
    for name in ('mpii_gt_val.mat', 'mpii_val.json', 'mpii_train.json'):
        assert filecmp.cmp(osp.join(extra, 'annotations', name),
                           osp.join(again, 'annotations', name),
                           shallow=False), name


def test_mpii_file_holds_the_same_people(both):
    _, extra = both
    assert MPII_KEYPOINT_NAMES == tuple(
        _mpii_meta()['keypoint_id2name'][i] for i in range(16))
    for split in ('train', 'val'):
        coco = read_annotations(extra, f'person_keypoints_{split}.json')
        mpii = read_annotations(extra, f'mpii_{split}.json')
        files = {i['id']: i['file_name'] for i in coco['images']}
        assert len(mpii) == len(coco['annotations']) > 0
        ordered = 0
        for m, c in zip(mpii, coco['annotations']):
            assert m['image'] == files[c['image_id']]
            joints = np.array(m['joints'])
            vis = np.array(m['joints_vis'])
            kc = np.array(c['keypoints'], float).reshape(17, 3)
            assert joints.shape == (16, 2) and set(vis) <= {0, 1}
            # MATLAB's 1-based coordinates; -1, -1 where unlabelled
            np.testing.assert_array_equal(joints[vis == 0], -1)
            for i, j in enumerate(MPII_FROM_COCO):
                if j is not None:
                    assert vis[i] == int(kc[j, 2] > 0)
                    if vis[i]:
                        np.testing.assert_allclose(joints[i], kc[j, :2] + 1,
                                                   atol=1e-9)
            # the square box MpiiDataset makes (after its 15 * scale shift
            # and the 1-based correction) is centred on the COCO box
            x, y, w, h = c['bbox']
            assert m['scale'] == pytest.approx(max(w, h) / 200, abs=1e-4)
            centre = np.array(m['center']) - 1 + [0, 15 * m['scale']]
            np.testing.assert_allclose(centre, [x + w / 2, y + h / 2],
                                       atol=0.02)
            # head top above the upper neck above the thorax above the
            # pelvis, for most people (they stand, bend or lie)
            new = [HEAD_TOP, UPPER_NECK, THORAX, PELVIS]
            if vis[new].all():
                ordered += int(np.all(np.diff(joints[new, 1]) > 0))
        assert ordered > 0


def _mpii_meta():
    from mmpose.datasets import MpiiDataset
    return MpiiDataset(lazy_init=True).metainfo


def _val_dataset(root):
    from mmengine.registry import init_default_scope
    from mmpose.datasets import MpiiDataset
    init_default_scope('mmpose')
    return MpiiDataset(
        data_root=root, data_mode='topdown',
        ann_file='annotations/mpii_val.json',
        headbox_file=osp.join(root, 'annotations/mpii_gt_val.mat'),
        data_prefix=dict(img='images/val/'), test_mode=True,
        pipeline=[dict(type='LoadImage')])


def test_mmpose_mpiidataset_reads_it_with_head_sizes(both):
    _, extra = both
    dataset = _val_dataset(extra)
    mpii = read_annotations(extra, 'mpii_val.json')
    assert len(dataset) == len(mpii)
    boxes = loadmat(osp.join(extra, 'annotations/mpii_gt_val.mat'))[
        'headboxes_src']
    assert boxes.shape == (2, 2, len(mpii))
    for i in (0, len(dataset) - 1):
        item = dataset[i]
        assert item['dataset_name'] == 'mpii'
        assert item['keypoints'].shape == (1, 16, 2)
        assert item['img'].shape[:2] == (256, 256)
        # 0.6 x the diagonal of the head square (2 r_head a side)
        side = boxes[1, 0, i] - boxes[0, 0, i]
        assert boxes[1, 1, i] - boxes[0, 1, i] == pytest.approx(side)
        assert item['head_size'][0, 0] == pytest.approx(
            0.6 * np.sqrt(2) * side)
        assert side > 4


def test_mpii_pckaccuracy_scores_it(both):
    """Ground truth fed back as 0-based predictions: PCKh 100; every joint
    moved by the largest head size along x and y (beyond half of any
    person's head size): 0."""
    from mmpose.evaluation import MpiiPCKAccuracy
    _, extra = both
    dataset = _val_dataset(extra)
    items = [dataset[i] for i in range(len(dataset))]
    largest = max(float(it['head_size'][0, 0]) for it in items)
    for shift, perfect in ((0.0, True), (largest, False)):
        metric = MpiiPCKAccuracy(prefix='mpii')
        metric.dataset_meta = dataset.metainfo
        samples = [dict(
            pred_instances=dict(keypoints=it['keypoints'] - 1.0 + shift),
            gt_instances=dict(keypoints=it['keypoints'],
                              keypoints_visible=it['keypoints_visible'],
                              head_size=it['head_size']))
            for it in items]
        metric.process([], samples)
        pck = metric.evaluate(len(samples))['mpii/PCK']
        if perfect:
            assert pck == pytest.approx(100.0)
        else:
            assert pck == 0.0
