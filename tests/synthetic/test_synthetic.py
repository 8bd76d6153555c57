"""The synthetic person keypoint set: deterministic, valid COCO, consistent
annotations, and loadable by MMPose's dataset and metric."""
import filecmp
import json
import os.path as osp

import numpy as np
import pytest

from mmpose_ext.synthetic import generate_dataset
from mmpose_ext.synthetic.__main__ import main
from mmpose_ext.synthetic.body_model import build_body, sample_pose
from mmpose_ext.synthetic.coco_person import KEYPOINT_NAMES
from mmpose_ext.synthetic.figure import Figure, sample_appearance
from mmpose_ext.synthetic.scene import make_image
from mmpose_ext.synthetic.writer import check_arguments
from tests.helpers.synthetic_output import list_files

ARGS = dict(num_train=6, num_val=8, seed=3)
LAYOUT = ('annotations/person_keypoints_train.json',
          'annotations/person_keypoints_val.json',
          'person_detection_results/person_detections_val.json')


@pytest.fixture(scope='module')
def dataset(tmp_path_factory):
    out = str(tmp_path_factory.mktemp('synthetic'))
    generate_dataset(out, **ARGS)
    return out


def _load(root, split):
    with open(osp.join(root, 'annotations',
                       f'person_keypoints_{split}.json')) as f:
        return json.load(f)


def _detections(root):
    with open(osp.join(root, LAYOUT[2])) as f:
        return json.load(f)


def test_layout(dataset):
    files = list_files(dataset)
    for path in LAYOUT:
        assert path in files
    for split, num in (('train', ARGS['num_train']), ('val', ARGS['num_val'])):
        coco = _load(dataset, split)
        assert len(coco['images']) == num
        for img in coco['images']:
            assert f'images/{split}/{img["file_name"]}' in files
        assert len([f for f in files if f.startswith(f'images/{split}/')]) \
            == num


def test_deterministic_for_a_seed(dataset, tmp_path):
    again = str(tmp_path / 'again')
    generate_dataset(again, **ARGS)
    files = list_files(dataset)
    assert files == list_files(again)
    match, mismatch, errors = filecmp.cmpfiles(dataset, again, files,
                                               shallow=False)
    assert mismatch == [] and errors == []

    other = str(tmp_path / 'other')
    generate_dataset(other, **{**ARGS, 'seed': ARGS['seed'] + 1})
    match, mismatch, errors = filecmp.cmpfiles(dataset, other, files,
                                               shallow=False)
    assert set(mismatch) == set(files)


def test_an_image_does_not_depend_on_the_split_size(dataset, tmp_path):
    fewer = str(tmp_path / 'fewer')
    generate_dataset(fewer, **{**ARGS, 'num_train': 2, 'num_val': 1})
    for name in ('images/train/000002.jpg', 'images/val/000001.jpg'):
        assert filecmp.cmp(osp.join(dataset, name), osp.join(fewer, name),
                           shallow=False)


def test_categories_are_cocos(dataset, coco_tiny):
    with open(osp.join(coco_tiny, 'person_keypoints_tiny.json')) as f:
        coco_categories = json.load(f)['categories']
    for split in ('train', 'val'):
        assert _load(dataset, split)['categories'] == coco_categories


@pytest.mark.parametrize('lib', ['pycocotools', 'xtcocotools'])
def test_coco_apis_load_it(dataset, lib):
    coco_mod = pytest.importorskip(f'{lib}.coco')
    for split in ('train', 'val'):
        coco = coco_mod.COCO(osp.join(dataset, 'annotations',
                                      f'person_keypoints_{split}.json'))
        assert coco.getCatIds() == [1]
        anns = coco.loadAnns(coco.getAnnIds(catIds=[1]))
        assert len(anns) == len(_load(dataset, split)['annotations']) > 0
    dets = coco.loadRes(osp.join(dataset, LAYOUT[2]))
    assert len(dets.getAnnIds()) == len(_detections(dataset))


def test_segments_give_area_and_box(dataset):
    """The segment (RLE) is the visible extent: its pixel count is `area`
    and its box is COCO's box of the segment, grown only for occluded
    keypoints outside the visible pixels. (pycocotools only: xtcocotools
    1.14.3's mask functions fail under numpy 2.)"""
    from pycocotools import mask as mask_utils
    from pycocotools.coco import COCO
    for split in ('train', 'val'):
        coco = COCO(osp.join(dataset, 'annotations',
                             f'person_keypoints_{split}.json'))
        for ann in coco.loadAnns(coco.getAnnIds()):
            mask = coco.annToMask(ann)
            assert int(mask.sum()) == ann['area']
            seg_box = mask_utils.toBbox(coco.annToRLE(ann))
            x, y, w, h = ann['bbox']
            assert x <= seg_box[0] and y <= seg_box[1]
            assert x + w >= seg_box[0] + seg_box[2]
            assert y + h >= seg_box[1] + seg_box[3]
            kps = np.array(ann['keypoints']).reshape(-1, 3)
            if not (kps[:, 2] == 1).any():
                np.testing.assert_array_equal(seg_box, ann['bbox'])


def test_keypoints_visibility_boxes_areas(dataset):
    seen = {0: 0, 1: 0, 2: 0}
    for split in ('train', 'val'):
        coco = _load(dataset, split)
        sizes = {img['id']: (img['width'], img['height'])
                 for img in coco['images']}
        ids = [a['id'] for a in coco['annotations']]
        assert len(ids) == len(set(ids))
        for ann in coco['annotations']:
            w, h = sizes[ann['image_id']]
            kps = np.array(ann['keypoints'], np.float64).reshape(-1, 3)
            assert kps.shape == (17, 3)
            v = kps[:, 2]
            assert set(v.tolist()) <= {0, 1, 2}
            for value in (0, 1, 2):
                seen[value] += int((v == value).sum())
            assert ann['num_keypoints'] == int((v > 0).sum())
            assert ann['iscrowd'] == 0 and ann['category_id'] == 1
            assert ann['area'] > 0
            # unlabelled keypoints are (0, 0, 0)
            assert np.all(kps[v == 0, :2] == 0)
            # labelled ones inside the image and inside the box
            lab = kps[v > 0, :2]
            assert np.all((lab >= 0) & (lab <= [w - 1, h - 1]))
            bx, by, bw, bh = ann['bbox']
            assert bw > 0 and bh > 0
            assert 0 <= bx and 0 <= by and bx + bw <= w and by + bh <= h
            assert np.all((lab >= [bx, by]) & (lab <= [bx + bw, by + bh]))
            # the box is tight: each side touches the visible extent or a
            # labelled keypoint (checked against the mask in the COCO API
            # test); here: a labelled keypoint or the segment defines it
            assert ann['area'] <= bw * bh
    # the set shows all three kinds of keypoint
    assert min(seen.values()) > 0, seen


def test_truncation_and_occlusion_flags():
    """Over a few scenes: v=0 exactly for keypoints outside the image (and
    for the nose and eyes on the back of a head), v=2 keypoints sit on the
    person's own visible pixels, and truncated, occluded and back-view people
    all occur."""
    truncated = occluded = from_behind = 0
    for index in range(12):
        rng = np.random.default_rng(index)
        image, people = make_image(rng, 160, 128, 4)
        h, w = image.shape[:2]
        for person in people:
            true = np.round(person.true_keypoints, 2)
            outside = ((true[:, 0] < 0) | (true[:, 0] > w - 1) |
                       (true[:, 1] < 0) | (true[:, 1] > h - 1))
            v = person.keypoints[:, 2]
            np.testing.assert_array_equal(v[5:] == 0, outside[5:])
            assert np.all(v[:5][outside[:5]] == 0)
            hidden_face = (v[:3] == 0) & ~outside[:3]
            from_behind += int(hidden_face.any())
            labelled = v > 0
            np.testing.assert_allclose(person.keypoints[labelled, :2],
                                       true[labelled])
            px = np.round(person.keypoints[v == 2, :2]).astype(int)
            assert person.mask[px[:, 1], px[:, 0]].all()
            assert person.area == int(person.mask.sum())
            truncated += int(outside.any())
            occluded += int((v == 1).any())
    assert truncated > 0 and occluded > 0 and from_behind > 0


@pytest.mark.parametrize('yaw,left_on_image_right', [(0, True), (30, True),
                                                     (-30, True),
                                                     (180, False),
                                                     (150, False)])
def test_left_and_right_follow_the_facing_direction(yaw, left_on_image_right):
    """Seen from the front, a person's left shoulder and hip are at the image
    right (as in photographs); seen from the back, at the image left. The
    nose is hidden and unlabelled from the back."""
    rng = np.random.default_rng(0)
    for _ in range(5):
        pose = sample_pose(rng)
        pose.update(twist=0.0, side_lean=0.0, head_yaw=0.0)
        body = build_body(200.0, pose, dict(yaw=yaw, pitch=0.0, roll=0.0),
                          rng)
        for joint in ('shoulder', 'hip'):
            dx = body.points[f'left_{joint}'][0] - \
                body.points[f'right_{joint}'][0]
            assert (dx > 0) == left_on_image_right
        fig = Figure(body, np.zeros(2), sample_appearance(rng))
        nose = KEYPOINT_NAMES.index('nose')
        assert fig.face_facing()[nose] == left_on_image_right
        assert fig.labelled()[nose] == left_on_image_right


def test_detections_are_imperfect(dataset):
    val = _load(dataset, 'val')
    sizes = {img['id']: (img['width'], img['height']) for img in val['images']}
    gt = {}
    for ann in val['annotations']:
        gt.setdefault(ann['image_id'], []).append(ann['bbox'])
    dets = _detections(dataset)
    assert len(dets) > 0
    best = []
    for det in dets:
        assert det['category_id'] == 1 and det['image_id'] in sizes
        assert 0 < det['score'] <= 1
        x, y, bw, bh = det['bbox']
        w, h = sizes[det['image_id']]
        assert bw > 0 and bh > 0 and x >= 0 and y >= 0
        assert x + bw <= w + 0.01 and y + bh <= h + 0.01
        best.append(max([_iou(det['bbox'], b)
                         for b in gt.get(det['image_id'], [])] + [0.0]))
    best = np.array(best)
    scores = np.array([d['score'] for d in dets])
    # most detections find someone, none is pixel-exact, some are false
    # positives, and those score lower than the good ones
    assert (best > 0.5).mean() > 0.5
    assert best.max() < 0.999
    assert (best < 0.3).any()
    assert scores[best < 0.3].mean() < scores[best > 0.7].mean()


def _iou(a, b):
    iw = max(0.0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    ih = max(0.0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    inter = iw * ih
    return inter / (a[2] * a[3] + b[2] * b[3] - inter)


def _coco_metainfo():
    from mmpose.datasets import CocoDataset
    from mmpose.datasets.datasets.utils import parse_pose_metainfo
    return parse_pose_metainfo(CocoDataset.METAINFO)


def _gt_as_predictions(coco, shift=0.0):
    samples = []
    for ann in coco['annotations']:
        if ann['num_keypoints'] == 0:
            continue
        kps = np.array(ann['keypoints'], np.float32).reshape(1, -1, 3)
        samples.append(dict(
            id=ann['id'], img_id=ann['image_id'],
            pred_instances=dict(keypoints=kps[..., :2] + shift,
                                keypoint_scores=(kps[..., 2] > 0).astype(
                                    np.float32)),
            gt_instances=dict(bbox_scores=np.ones(1, np.float32))))
    return samples


@pytest.mark.parametrize('shift,expect_perfect', [(0.0, True), (6.0, False)])
def test_cocometric_scores_ground_truth_at_ap_1(dataset, tmp_path, shift,
                                                expect_perfect):
    from mmpose.evaluation import CocoMetric
    ann_file = osp.join(dataset, 'annotations/person_keypoints_val.json')
    metric = CocoMetric(ann_file=ann_file,
                        outfile_prefix=str(tmp_path / 'results'))
    metric.dataset_meta = _coco_metainfo()
    samples = _gt_as_predictions(_load(dataset, 'val'), shift)
    assert len(samples) > 5
    metric.process([], samples)
    ap = metric.evaluate(len(samples))['coco/AP']
    if expect_perfect:
        assert ap == pytest.approx(1.0, abs=1e-9)
    else:  # the check can fail: shifted keypoints score lower
        assert ap < 0.9


def test_mmpose_cocodataset_loads_both_splits(dataset):
    from mmengine.registry import init_default_scope
    from mmpose.datasets import CocoDataset
    init_default_scope('mmpose')
    train = CocoDataset(
        data_root=dataset, data_mode='topdown',
        ann_file='annotations/person_keypoints_train.json',
        data_prefix=dict(img='images/train/'),
        pipeline=[dict(type='LoadImage')])
    n_train = sum(a['num_keypoints'] > 0
                  for a in _load(dataset, 'train')['annotations'])
    assert len(train) == n_train > 0
    item = train[0]
    assert item['img'].shape == (256, 256, 3)
    assert item['keypoints'].shape == (1, 17, 2)

    val = CocoDataset(
        data_root=dataset, data_mode='topdown',
        ann_file='annotations/person_keypoints_val.json',
        bbox_file=osp.join(dataset, LAYOUT[2]),
        data_prefix=dict(img='images/val/'), test_mode=True,
        pipeline=[dict(type='LoadImage')])
    assert len(val) == len(_detections(dataset))
    assert val[0]['img'].shape == (256, 256, 3)
    assert 0 < float(val[0]['bbox_score'][0]) <= 1


@pytest.mark.parametrize('kwargs,message', [
    (dict(num_train=-1), r'num_train \(--num-train\) must be >= 0, got -1'),
    (dict(num_val=-5), r'num_val \(--num-val\) must be >= 0, got -5'),
    (dict(num_train=0, num_val=0), 'both 0'),
    (dict(width=10), r'width \(--width\) must be >= 64, got 10'),
    (dict(max_people=0), r'max_people \(--max-people\) must be >= 1'),
    (dict(seed=-1), r'seed \(--seed\) must be in'),
    (dict(num_train=2.5), 'must be an integer, got 2.5'),
    (dict(jpeg_quality=101), r'jpeg_quality \(--jpeg-quality\) must be in'),
])
def test_bad_arguments_are_named(kwargs, message):
    args = dict(num_train=1, num_val=1, seed=0, width=64, height=64,
                max_people=1, jpeg_quality=90)
    with pytest.raises(ValueError, match=message):
        check_arguments(**{**args, **kwargs})


def test_cli(cli, tmp_path):
    out = tmp_path / 'cli'
    proc = cli(['python', '-m', 'mmpose_ext.synthetic', '--out', out,
                '--num-train', 2, '--num-val', 1, '--width', 96, '--height',
                96])
    assert 'train 2 images' in proc.stdout
    for path in LAYOUT:
        assert (out / path).is_file()


def test_cli_rejects_bad_counts(tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(['--out', str(tmp_path), '--num-train', '-2'])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert '--num-train' in err and 'got -2' in err
    assert not (tmp_path / 'annotations').exists()


def test_cli_names_an_unwritable_out(tmp_path, capsys):
    blocker = tmp_path / 'a_file'
    blocker.write_text('not a folder')
    assert main(['--out', str(blocker / 'data'), '--num-train', '1',
                 '--num-val', '0']) == 1
    err = capsys.readouterr().err
    assert 'cannot create' in err and str(blocker / 'data') in err
