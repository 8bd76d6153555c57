"""Building the detector and the pose model: configs of the wrong kind and
checkpoints that do not match are refused with a clear message."""
import os.path as osp

import mmdet
import pytest
import torch
from mmengine.config import Config

from mmpose_ext.apis import (CheckpointMismatchError, ModelConfigError,
                             init_person_detector, init_pose_model)
from tests.helpers import REPO

POSE = f'{REPO}/configs/simplebaseline/td-hm_res18_coco-tiny-128x96.py'
RTMDET = osp.join(
    osp.dirname(mmdet.__file__),
    '.mim/configs/rtmdet/rtmdet_tiny_8xb32-300e_coco.py')
GT_DETECTOR = f'{REPO}/tests/fixtures/configs/ground_truth_detector.py'


def test_pose_config_is_not_a_detector(coco_tiny):
    with pytest.raises(ModelConfigError) as err:
        init_person_detector(POSE)
    assert "model.type='TopdownPoseEstimator'" in str(err.value)
    assert 'not an MMDetection detector' in str(err.value)


def test_detector_config_is_not_a_pose_model():
    with pytest.raises(ModelConfigError) as err:
        init_pose_model(RTMDET)
    assert "model.type='RTMDet'" in str(err.value)
    assert 'not an MMPose top-down pose estimator' in str(err.value)


@pytest.mark.parametrize('init', [init_pose_model, init_person_detector])
def test_missing_and_unparsable_configs(init, tmp_path):
    with pytest.raises(ModelConfigError, match='does not exist'):
        init(str(tmp_path / 'nope.py'))
    broken = tmp_path / 'broken.py'
    broken.write_text('model = dict(type=\n')
    with pytest.raises(ModelConfigError, match='could not be read'):
        init(str(broken))
    no_model = tmp_path / 'no_model.py'
    no_model.write_text('x = 1\n')
    with pytest.raises(ModelConfigError, match=r'has no `model=dict'):
        init(str(no_model))


def test_pose_checkpoint_of_another_config_is_refused(coco_tiny, tmp_path):
    """MMEngine's load_checkpoint would only warn and keep random weights."""
    r18 = init_pose_model(POSE)
    path = tmp_path / 'r18.pth'
    torch.save({'state_dict': r18.state_dict()}, path)
    cfg = Config.fromfile(POSE)
    cfg.model.backbone.depth = 34
    with pytest.raises(CheckpointMismatchError) as err:
        init_pose_model(cfg, str(path))
    assert 'backbone.layer1.2.conv1.weight' in err.value.missing_keys
    assert 'missing in the checkpoint' in str(err.value)


def test_pose_model_takes_dataset_meta_from_checkpoint(coco_tiny, tmp_path):
    model = init_pose_model(POSE)
    path = tmp_path / 'r18.pth'
    meta = dict(model.dataset_meta, dataset_name='from_checkpoint')
    torch.save({'state_dict': model.state_dict(),
                'meta': dict(dataset_meta=meta)}, path)
    loaded = init_pose_model(POSE, str(path))
    assert loaded.dataset_meta['dataset_name'] == 'from_checkpoint'
    for key, value in model.state_dict().items():
        assert torch.equal(loaded.state_dict()[key], value)


def test_stand_in_detector_builds_through_mmdet(coco_tiny):
    from mmpose_ext.testing import GroundTruthPersonDetector
    detector = init_person_detector(GT_DETECTOR)
    assert isinstance(detector, GroundTruthPersonDetector)
