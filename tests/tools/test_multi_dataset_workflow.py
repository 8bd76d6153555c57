"""The multi-dataset ViTPose through the command-line tools on small
synthetic sets (a COCO-format set, an AIC-format set and an MPII-format set
of other scenes): mim train (2 iterations, one validation with a metric set
per dataset: CocoMetric, CocoMetric, MPII's PCKh), mim test, the export
of one head as a plain MMPose model, which MMPose's init_model,
inference_topdown and MMPoseInferencer, the demo and the ONNX export take,
and predicts as the multi-head model with that head."""
import json
import os

import numpy as np
import pytest
from mmengine.config import Config

from mmpose_ext.checkpoints import safe_torch_load
from mmpose_ext.synthetic import generate_dataset
from tests.helpers import REPO

MULTI = (f'{REPO}/configs/vitpose/'
         'td-hm_vitpose-tiny-multi_synthetic-coco-aic-mpii-128x96.py')
TWO_ITERATIONS = ['train_cfg.max_iters=2', 'train_cfg.val_interval=2',
                  'default_hooks.checkpoint.interval=2',
                  'default_hooks.logger.interval=1']


@pytest.fixture(scope='module')
def data(tmp_path_factory):
    root = tmp_path_factory.mktemp('multi_data')
    generate_dataset(str(root / 'coco'), num_train=4, num_val=3, seed=0)
    generate_dataset(str(root / 'aic'), num_train=4, num_val=3, seed=1,
                     extra_formats=('aic', ))
    generate_dataset(str(root / 'mpii'), num_train=4, num_val=3, seed=2,
                     extra_formats=('mpii', ))
    env = {'MMPOSE_EXT_SYNTHETIC': str(root / 'coco'),
           'MMPOSE_EXT_SYNTHETIC_AIC': str(root / 'aic'),
           'MMPOSE_EXT_SYNTHETIC_MPII': str(root / 'mpii')}
    old = {k: os.environ.get(k) for k in env}
    os.environ.update(env)  # for configs read in this process too
    yield root
    for k, v in old.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture(scope='module')
def trained(data, cli, tmp_path_factory):
    work = tmp_path_factory.mktemp('multi_train')
    train = cli(['mim', 'train', 'mmpose_ext', MULTI, '--work-dir', work,
                 '--cfg-options', *TWO_ITERATIONS]).stdout
    return work, train


def test_train_logs_each_heads_loss_and_validates_each_dataset(trained):
    work, out = trained
    for key in ('coco/loss_kpt', 'aic/loss_kpt', 'mpii/loss_kpt',
                'coco/acc_pose', 'aic/acc_pose', 'mpii/acc_pose'):
        assert key in out, key
    # one metric set per dataset in the one validation (the last line of
    # the log with metrics holds all three)
    (line, ) = [ln for ln in out.splitlines() if 'Iter(val) [' in ln and
                'coco/AP:' in ln]
    for key in ('coco/AP:', 'aic/AP:', 'mpii/PCK:', 'mpii/PCK@0.1:',
                'mpii/Head PCK:'):
        assert key in line, key
    assert (work / 'iter_2.pth').is_file()
    state = safe_torch_load(str(work / 'iter_2.pth'))['state_dict']
    assert state['heads.coco.final_layer.weight'].shape[0] == 17
    assert state['heads.aic.final_layer.weight'].shape[0] == 14
    assert state['heads.mpii.final_layer.weight'].shape[0] == 16


def test_mim_test_prints_one_metric_set_per_dataset(trained, cli, tmp_path):
    work, _ = trained
    out = cli(['mim', 'test', 'mmpose_ext', MULTI, '--checkpoint',
               work / 'iter_2.pth', '--work-dir', tmp_path]).stdout
    for key in ('coco/AP:', 'coco/AR:', 'aic/AP:', 'aic/AR:', 'mpii/PCK:',
                'mpii/PCK@0.1:'):
        assert key in out, key


@pytest.fixture(scope='module')
def exported(trained, cli):
    work, _ = trained
    out = work / 'exported'
    cli(['python', '-m', 'mmpose_ext.tools.export_head', MULTI,
         work / 'iter_2.pth', '--head', 'aic', '--out-dir', out])
    return (str(out / ('td-hm_vitpose-tiny-multi_synthetic-coco-aic-mpii-'
                       '128x96_aic.py')), str(out / 'iter_2_aic.pth'))


def _people(data, split='val'):
    with open(data / 'aic' / 'annotations' / f'aic_keypoints_{split}.json') \
            as f:
        ann = json.load(f)
    image = ann['images'][0]
    boxes = np.array([a['bbox'] for a in ann['annotations']
                      if a['image_id'] == image['id']], np.float32)
    boxes[:, 2:] += boxes[:, :2]
    return str(data / 'aic' / 'images' / split / image['file_name']), boxes


def test_exported_head_predicts_as_the_multi_head_model(data, trained,
                                                        exported,
                                                        weights_only_loader):
    from mmpose.apis import inference_topdown, init_model
    from mmpose.registry import MODELS

    from mmpose_ext.apis.single_head import head_dataset_meta
    work, _ = trained
    cfg_path, ckpt = exported
    single = init_model(cfg_path, ckpt, device='cpu')  # MMPose's own
    assert single.dataset_meta['dataset_name'] == 'aic'
    assert single.head.out_channels == 14

    cfg = Config.fromfile(MULTI)
    multi = MODELS.build(cfg.model)
    multi.load_state_dict(safe_torch_load(str(work / 'iter_2.pth'))
                          ['state_dict'])
    multi.eval().select_head('aic')
    multi.cfg = Config.fromfile(cfg_path)  # the AIC pipeline
    multi.dataset_meta = head_dataset_meta(cfg, 'aic')
    image, boxes = _people(data)
    a = inference_topdown(single, image, boxes)
    b = inference_topdown(multi, image, boxes)
    assert len(a) == len(boxes) > 0
    for x, y in zip(a, b):
        assert x.pred_instances.keypoints.shape == (1, 14, 2)
        np.testing.assert_allclose(x.pred_instances.keypoints,
                                   y.pred_instances.keypoints, rtol=0,
                                   atol=1e-5)


def test_exported_head_runs_in_mmpose_inferencer(exported, data,
                                                  weights_only_loader):
    from mmpose.apis import MMPoseInferencer
    cfg_path, ckpt = exported
    image, _ = _people(data)
    inferencer = MMPoseInferencer(pose2d=cfg_path, pose2d_weights=ckpt,
                                  det_model='whole_image', device='cpu')
    result = next(inferencer(image, return_vis=False))
    (person, ) = result['predictions'][0]
    assert np.array(person['keypoints']).shape == (14, 2)


def test_exported_head_exports_to_onnx(exported, cli, tmp_path):
    cfg_path, ckpt = exported
    out = cli(['python', '-m', 'mmpose_ext.tools.export_onnx', cfg_path, ckpt,
               tmp_path / 'aic.onnx', '--check']).stdout
    assert (tmp_path / 'aic.onnx').is_file()
    assert 'heatmaps' in out


def test_export_of_an_unknown_head_lists_the_heads(trained, cli, tmp_path):
    work, _ = trained
    proc = cli(['python', '-m', 'mmpose_ext.tools.export_head', MULTI,
                work / 'iter_2.pth', '--head', 'crowdpose', '--out-dir',
                tmp_path], check=False)
    assert proc.returncode == 1
    assert ("no head 'crowdpose' in model.heads; known heads: 'coco', "
            "'aic', 'mpii'") in proc.stdout


def test_exported_head_runs_in_the_demo(exported, data, cli, tmp_path):
    """demo/topdown_demo.py with the stand-in detector (the annotated boxes
    of the AIC-format val file) and the exported AIC head: every person
    gets AIC's 14 keypoints."""
    cfg_path, ckpt = exported
    ann_file = data / 'aic' / 'annotations' / 'aic_keypoints_val.json'
    detector = tmp_path / 'detector.py'
    detector.write_text(
        f"_base_ = ['{REPO}/tests/fixtures/configs/"
        "ground_truth_detector.py']\n"
        f"model = dict(ann_file='{ann_file}')\n")
    image, boxes = _people(data)
    out = tmp_path / 'out'
    cli(['python', 'demo/topdown_demo.py', detector, 'none', cfg_path, ckpt,
         '--input', image, '--output-root', out, '--save-predictions',
         '--nms-thr', '1.0'])
    (results, ) = [p for p in out.iterdir() if p.suffix == '.json']
    entries = json.loads(results.read_text())
    assert len(entries) == len(boxes) > 0
    for entry in entries:
        assert len(entry['keypoints']) == 14 * 3


@pytest.mark.parametrize('options,message', [
    (['model.heads.aic.out_channels=17'],
     "dataset 'aic' (AicDataset, datasets[1]) has 14 keypoints but its head "
     'predicts 17'),
    (['model.heads.aic.decoder.sigma=3'],
     "dataset 'aic' (AicDataset, datasets[1]) encodes its targets with "
     'another codec'),
])
def test_mim_train_refuses_heads_that_do_not_fit(data, cli, tmp_path,
                                                 options, message):
    proc = cli(['mim', 'train', 'mmpose_ext', MULTI, '--work-dir', tmp_path,
                '--cfg-options', *TWO_ITERATIONS, *options], check=False)
    assert proc.returncode != 0
    assert message in proc.stdout
    assert not list(tmp_path.glob('*.pth'))


def test_mim_test_of_the_exported_head(exported, cli, tmp_path):
    cfg_path, ckpt = exported
    out = cli(['mim', 'test', 'mmpose_ext', cfg_path, '--checkpoint', ckpt,
               '--work-dir', tmp_path]).stdout
    assert 'aic/AP:' in out and 'coco/AP:' not in out
