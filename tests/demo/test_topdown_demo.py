"""demo/topdown_demo.py on coco_tiny: with the stand-in detector and the
oracle pose model (predictions must reproduce the annotations), on a video,
with untrained MMDetection detectors, and on bad input."""
import importlib.util
import json
import os.path as osp
import shutil

import cv2
import mmcv
import mmdet
import numpy as np
import pytest
import torch
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval

from mmpose_ext.testing import CocoGroundTruth
from tests.helpers import REPO

DEMO = f'{REPO}/demo/topdown_demo.py'
GT_DETECTOR = f'{REPO}/tests/fixtures/configs/ground_truth_detector.py'
ORACLE = f'{REPO}/tests/fixtures/configs/ground_truth_pose_tiny.py'
POSE = f'{REPO}/configs/simplebaseline/td-hm_res18_coco-tiny-128x96.py'
MMDET_CONFIGS = osp.join(osp.dirname(mmdet.__file__), '.mim', 'configs')
# MMDetection's configs, made person-only (one class, label 0) as a person
# detector would be, so that untrained they still output people; at most 20
# boxes per image keep the pose model's work small.
DETECTORS = {
    'rtmdet_tiny': ('rtmdet/rtmdet_tiny_8xb32-300e_coco.py',
                    'model = dict(bbox_head=dict(num_classes=1), '
                    'test_cfg=dict(max_per_img=20))'),
    'faster_rcnn': ('faster_rcnn/faster-rcnn_r50_fpn_1x_coco.py',
                    'model = dict(roi_head=dict(bbox_head=dict('
                    'num_classes=1)), test_cfg=dict(rcnn=dict('
                    'max_per_img=20)))'),
}


@pytest.fixture(scope='module')
def demo():
    """The demo script as a module, to call its ``main(argv)`` in-process."""
    spec = importlib.util.spec_from_file_location('topdown_demo', DEMO)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope='module')
def ground_truth(coco_tiny):
    return CocoGroundTruth(f'{coco_tiny}/person_keypoints_tiny.json')


def _iou_plus_one(a, b):
    """IoU as MMPose's box NMS computes it (pixel-index boxes, +1)."""
    lt, rb = np.maximum(a[:2], b[:2]), np.minimum(a[2:], b[2:])
    inter = np.prod(np.clip(rb - lt + 1, 0, None))
    area = lambda box: np.prod(box[2:] - box[:2] + 1)  # noqa: E731
    return inter / (area(a) + area(b) - inter)


def test_folder_with_stand_in_models(cli, coco_tiny, ground_truth, tmp_path):
    """Every annotated person is found and reproduced; the results file
    evaluates to AP 1 with pycocotools; a corrupt image is skipped."""
    images = tmp_path / 'images'
    images.mkdir()
    for name in ground_truth.boxes:
        shutil.copy(f'{coco_tiny}/{name}', images / name)
    (images / '000000000999.jpg').write_bytes(b'truncated download')
    (images / 'notes.txt').write_text('not an image')
    out = tmp_path / 'out'
    proc = cli(['python', DEMO, GT_DETECTOR, 'none', ORACLE, 'none',
                '--input', images, '--output-root', out,
                '--save-predictions', '--draw-bbox', '--nms-thr', '1.0'])
    assert f'skipped {images}/000000000999.jpg: cannot read image' \
        in proc.stdout
    assert 'drew 4 images' in proc.stdout
    assert 'skipped 1 unreadable: 000000000999.jpg' in proc.stdout
    assert 'ignored 1 files' in proc.stdout and 'notes.txt' in proc.stdout
    assert '5/5' in proc.stdout  # the progress bar went through all

    for name in ground_truth.boxes:
        drawn, original = cv2.imread(str(out / name)), cv2.imread(
            str(images / name))
        assert drawn.shape == original.shape
        assert np.abs(drawn.astype(int) - original).max() > 100  # drawn on
    results = json.loads((out / 'results_images.json').read_text())
    assert len(results) == 14
    ids = {v['file_name']: v['image_id'] for v in results}
    assert ids == {name: int(name[:-4]) for name in ground_truth.boxes}
    for entry in results:
        name = entry['file_name']
        x, y, w, h = entry['bbox']
        idx = ground_truth.match(name, np.array([x, y, x + w, y + h]))
        np.testing.assert_allclose(
            [x, y, x + w, y + h], ground_truth.boxes[name][idx], atol=1e-3)
        kpts = np.array(entry['keypoints']).reshape(17, 3)
        visible = ground_truth.visible[name][idx] > 0
        np.testing.assert_allclose(
            kpts[visible, :2], ground_truth.keypoints[name][idx][visible],
            atol=1e-3)
        assert entry['bbox_score'] == 1.0
        assert entry['score'] == (1.0 if visible.any() else 0.0)

    coco = COCO(f'{coco_tiny}/person_keypoints_tiny.json')
    evaluation = COCOeval(coco, coco.loadRes(results), 'keypoints')
    evaluation.evaluate()
    evaluation.accumulate()
    evaluation.summarize()
    assert evaluation.stats[0] == pytest.approx(1.0)  # AP


def test_video(demo, trained_tiny, coco_tiny, ground_truth, tmp_path,
               capsys):
    """Three frames in, three drawn frames and three people out."""
    # even sides for the mp4v encoder; the person is in the top 424 rows
    frame = cv2.imread(f'{coco_tiny}/000000000785.jpg')[:424]
    video = str(tmp_path / 'clip.mp4')
    writer = cv2.VideoWriter(video, cv2.VideoWriter_fourcc(*'mp4v'), 10,
                             frame.shape[1::-1])
    for shift in range(3):
        writer.write(np.roll(frame, shift, axis=1))
    writer.release()
    det_config = tmp_path / 'frames_detector.py'
    det_config.write_text(f"_base_ = ['{GT_DETECTOR}']\n"
                          "model = dict(frame_image='000000000785.jpg')\n")
    work_dir, _ = trained_tiny
    out = tmp_path / 'out'
    demo.main([str(det_config), 'none', POSE, str(work_dir / 'epoch_1.pth'),
               '--input', video, '--output-root', str(out),
               '--save-predictions'])
    assert 'drew 3 frames' in capsys.readouterr().out

    drawn = mmcv.VideoReader(str(out / 'clip.mp4'))
    assert len(list(drawn)) == 3
    assert (drawn.width, drawn.height) == (frame.shape[1], frame.shape[0])
    results = json.loads((out / 'results_clip.json').read_text())
    assert [r['image_id'] for r in results] == [0, 1, 2]
    gt_box = ground_truth.boxes['000000000785.jpg'][0]
    for entry in results:
        assert entry['file_name'] == 'clip.mp4'
        x, y, w, h = entry['bbox']
        np.testing.assert_allclose([x, y, x + w, y + h], gt_box, atol=1e-3)
        assert len(entry['keypoints']) == 51


@pytest.mark.parametrize('name', list(DETECTORS))
def test_untrained_mmdet_detectors(name, demo, trained_tiny, coco_tiny,
                                   tmp_path, capsys):
    """Detectors built from MMDetection's own configs with random weights:
    every person kept scores above --bbox-thr and no two overlap by more
    than --nms-thr."""
    base, person_only = DETECTORS[name]
    config = tmp_path / f'{name}_person.py'
    config.write_text(
        f"_base_ = ['{osp.join(MMDET_CONFIGS, base)}']\n{person_only}\n")
    work_dir, _ = trained_tiny
    out = tmp_path / 'out'
    image = f'{coco_tiny}/000000196141.jpg'
    torch.manual_seed(0)
    demo.main([str(config), 'none', POSE, str(work_dir / 'epoch_1.pth'),
               '--input', image, '--output-root', str(out),
               '--save-predictions', '--bbox-thr', '0.3', '--nms-thr', '0.3'])
    assert 'drew 1 images' in capsys.readouterr().out
    assert cv2.imread(str(out / '000000196141.jpg')).shape == (429, 640, 3)
    results = json.loads((out / 'results_000000196141.json').read_text())
    assert len(results) >= 2
    boxes = []
    for entry in results:
        assert entry['image_id'] == 196141 and len(entry['keypoints']) == 51
        assert entry['bbox_score'] > 0.3
        x, y, w, h = entry['bbox']
        boxes.append(np.array([x, y, x + w, y + h]))
    for i in range(len(boxes)):
        for j in range(i):
            assert _iou_plus_one(boxes[i], boxes[j]) <= 0.3 + 1e-6


def test_mmpose_config(demo, coco_tiny, tmp_path, capsys):
    """A pose config of MMPose itself (SimpleBaseline-R50 256x192, its
    default runtime and visualizer, random weights)."""
    import mmpose
    config = osp.join(
        osp.dirname(mmpose.__file__), '.mim', 'configs', 'body_2d_keypoint',
        'topdown_heatmap', 'coco', 'td-hm_res50_8xb64-210e_coco-256x192.py')
    out = tmp_path / 'out'
    demo.main([GT_DETECTOR, 'none', config, 'none', '--input',
               f'{coco_tiny}/000000040083.jpg', '--output-root', str(out),
               '--save-predictions', '--nms-thr', '1.0'])
    assert 'drew 1 images' in capsys.readouterr().out
    assert cv2.imread(str(out / '000000040083.jpg')).shape == (333, 500, 3)
    results = json.loads((out / 'results_000000040083.json').read_text())
    assert len(results) == 3


def _exit_message(demo, argv):
    with pytest.raises(SystemExit) as exc:
        demo.main(argv)
    return str(exc.value.code)


def test_bad_input_messages(demo, trained_tiny, coco_tiny, tmp_path):
    work_dir, _ = trained_tiny
    ckpt = str(work_dir / 'epoch_1.pth')
    out = str(tmp_path / 'out')
    image = f'{coco_tiny}/000000000785.jpg'
    broken = tmp_path / 'broken.jpg'
    broken.write_bytes(b'\xff\xd8 not really a jpeg')
    message = _exit_message(demo, [GT_DETECTOR, 'none', POSE, ckpt, '--input',
                                   str(broken), '--output-root', out])
    assert message.startswith(f"error: cannot read image '{broken}'")

    video = tmp_path / 'broken.mp4'
    video.write_bytes(b'\x00' * 2048)
    message = _exit_message(demo, [GT_DETECTOR, 'none', POSE, ckpt, '--input',
                                   str(video), '--output-root', out])
    assert message.startswith(f"error: cannot read video '{video}'")

    message = _exit_message(demo, [POSE, 'none', POSE, ckpt, '--input',
                                   image, '--output-root', out])
    assert message.startswith(f"error: detector config '{POSE}' builds "
                              "model.type='TopdownPoseEstimator'")

    r34 = tmp_path / 'r34.py'
    r34.write_text(f"_base_ = ['{POSE}']\n"
                   'model = dict(backbone=dict(depth=34))\n')
    message = _exit_message(demo, [GT_DETECTOR, 'none', str(r34), ckpt,
                                   '--input', image, '--output-root', out])
    assert message.startswith(f"error: checkpoint '{ckpt}' does not match")
    assert 'missing in the checkpoint' in message
    assert 'backbone.layer1.2.conv1.weight' in message
    assert not osp.exists(out)
