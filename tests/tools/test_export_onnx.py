"""ONNX export: onnxruntime reproduces PyTorch within 1e-4, per family."""
import os.path as osp

import numpy as np
import onnx
import pytest
import torch
from mmengine.config import Config

from mmpose_ext.apis import OnnxTopdownEstimator, init_pose_model
from mmpose_ext.testing import CocoGroundTruth
from mmpose_ext.tools.export_onnx import (TopdownOnnxWrapper,
                                          compare_with_onnxruntime,
                                          export_onnx, main)
from tests.helpers import REPO

# One line per model family: (config, graph output names).
FAMILIES = {
    'simplebaseline': (
        f'{REPO}/configs/simplebaseline/td-hm_res18_coco-tiny-128x96.py',
        ('heatmaps', )),
    'simdr': (f'{REPO}/configs/simdr/simdr_res18_coco-tiny-128x96.py',
              ('simcc_x', 'simcc_y')),
    'vitpose': (
        f'{REPO}/configs/vitpose/td-hm_vitpose-tiny_coco-tiny-128x96.py',
        ('heatmaps', )),
    'tfpose': (f'{REPO}/configs/tfpose/tfpose_res18-tiny_coco-tiny-128x96.py',
               ('coords', )),
}
POSE = FAMILIES['simplebaseline'][0]
ATOL = 1e-4


@pytest.fixture(scope='module')
def people(coco_tiny):
    """Annotated person boxes of one image: ``(image path, (N, 4) boxes)``."""
    gt = CocoGroundTruth(f'{coco_tiny}/person_keypoints_tiny.json')
    name = '000000196141.jpg'
    return f'{coco_tiny}/{name}', gt.boxes[name]


@pytest.mark.parametrize('family', list(FAMILIES))
def test_onnxruntime_matches_pytorch(family, people, tmp_path, coco_tiny):
    config, names = FAMILIES[family]
    torch.manual_seed(0)
    model = init_pose_model(config)
    out = str(tmp_path / f'{family}.onnx')
    assert export_onnx(model, out) == names
    graph = onnx.load(out)
    onnx.checker.check_model(graph)
    assert [o.name for o in graph.graph.output] == list(names)

    # real crops of five people (dynamic batch: exported with batch 1)
    estimator = OnnxTopdownEstimator(out, config)
    crops, _ = estimator.crops(*people)
    assert crops.shape[0] == 5
    diffs = compare_with_onnxruntime(model, out, crops)
    assert set(diffs) == set(names)
    assert max(diffs.values()) <= ATOL, diffs

    # decoding outside the graph hands the outputs to the codec as the
    # family's head does (same numbers in, same keypoints out)
    with torch.no_grad():
        outputs = TopdownOnnxWrapper(model)(torch.from_numpy(crops))
    # regression heads decode (B, 1, K, 2), as their predict does
    expected = model.head.decode(
        outputs.unsqueeze(1) if names == ('coords', ) else outputs)
    outputs = outputs if isinstance(outputs, tuple) else (outputs, )
    keypoints, scores = estimator.decode([o.numpy() for o in outputs])
    np.testing.assert_allclose(
        keypoints, np.concatenate([e.keypoints for e in expected]),
        atol=1e-4)
    np.testing.assert_allclose(
        scores, np.concatenate([e.keypoint_scores for e in expected]),
        atol=1e-5)


def test_estimator_decodes_outside_the_graph(people, tmp_path, coco_tiny):
    """OnnxTopdownEstimator (crop, onnxruntime, codec decode, inverse
    affine) gives MMPose's inference_topdown keypoints in image pixels. A
    regression head decodes continuously, so float differences cannot flip
    an argmax."""
    from mmpose.apis import inference_topdown
    cfg = Config.fromfile(POSE)
    codec = dict(type='RegressionLabel', input_size=cfg.codec['input_size'])
    cfg.codec = codec
    cfg.model.neck = dict(type='GlobalAveragePooling')
    cfg.model.head = dict(type='RegressionHead', in_channels=512,
                          num_joints=17, loss=dict(type='SmoothL1Loss'),
                          decoder=codec)
    cfg.model.test_cfg = dict(flip_test=False)
    torch.manual_seed(0)
    model = init_pose_model(cfg)
    out = str(tmp_path / 'regression.onnx')
    assert export_onnx(model, out) == ('coords', )

    estimator = OnnxTopdownEstimator(out, cfg)
    keypoints, scores = estimator(people[0], np.zeros((0, 4)))
    assert keypoints.shape == (0, 17, 2) and scores.shape == (0, 17)
    keypoints, scores = estimator(*people)
    reference = inference_topdown(model, *people)
    expected = np.concatenate([r.pred_instances.keypoints for r in reference])
    assert keypoints.shape == expected.shape == (5, 17, 2)
    # the outputs are crop-normalised coordinates: ATOL of them is ATOL
    # times the crop size in image pixels
    crop = np.stack([r.metainfo['input_scale'].reshape(2) for r in reference])
    assert (np.abs(keypoints - expected) <= ATOL * crop[:, None]).all()
    np.testing.assert_array_equal(scores, 1)


def test_cli_with_checkpoint_and_check(cli, trained_tiny, tmp_path):
    work_dir, _ = trained_tiny
    out = tmp_path / 'sb.onnx'
    proc = cli(['python', '-m', 'mmpose_ext.tools.export_onnx', POSE,
                work_dir / 'epoch_1.pth', out, '--check', '--batch-size', '2'])
    assert f'wrote {out}' in proc.stdout
    line = next(l for l in proc.stdout.splitlines()
                if l.startswith('onnxruntime vs PyTorch, heatmaps'))
    assert float(line.split('=')[-1]) <= ATOL
    assert osp.getsize(out) > 40e6  # ResNet-18's weights are in the file


def test_cli_refuses_a_checkpoint_of_another_config(trained_tiny, tmp_path):
    work_dir, _ = trained_tiny
    r34 = tmp_path / 'r34.py'
    r34.write_text(f"_base_ = ['{osp.abspath(POSE)}']\n"
                   'model = dict(backbone=dict(depth=34))\n')
    with pytest.raises(SystemExit) as exc:
        main([str(r34), str(work_dir / 'epoch_1.pth'),
              str(tmp_path / 'x.onnx')])
    message = str(exc.value.code)
    assert message.startswith('error: checkpoint') and 'does not match' \
        in message
    assert 'backbone.layer1.2.conv1.weight' in message
    assert not (tmp_path / 'x.onnx').exists()
