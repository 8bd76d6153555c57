"""MAE pre-training through ``mim train`` (2 iterations on coco_tiny): the
checkpoint, the reconstruction pictures, and the pre-trained backbone in the
tiny ViTPose config with every backbone tensor."""
import mmcv
import pytest
import torch
from mmengine.config import Config

from mmpose.registry import MODELS
from mmpose_ext.checkpoints import safe_torch_load
from tests.helpers import REPO

MAE = 'tests/fixtures/configs/mae_vitpose-tiny_coco-tiny-128x96.py'
TINY = f'{REPO}/configs/vitpose/td-hm_vitpose-tiny_coco-tiny-128x96.py'


@pytest.fixture(scope='module')
def pretrained(tmp_path_factory, cli):
    work_dir = tmp_path_factory.mktemp('mae_tiny')
    proc = cli(['mim', 'train', 'mmpose_ext', MAE, '--work-dir', work_dir])
    return work_dir, proc.stdout


def test_mim_train_runs_and_logs_the_masked_loss(pretrained):
    work_dir, out = pretrained
    assert (work_dir / 'iter_2.pth').is_file()
    assert 'loss_mae:' in out


def test_reconstruction_pictures_are_written(pretrained):
    work_dir, _ = pretrained
    picture = mmcv.imread(str(work_dir / 'mae_reconstructions' /
                              'iter_2.png'))
    # 4 crops of 128x96, columns: masked input | reconstruction | original
    assert picture.shape == (4 * 128, 3 * 96, 3)
    masked, _, original = (picture[:, i * 96:(i + 1) * 96] for i in range(3))
    assert (masked != original).any()


def test_pretrained_backbone_initialises_the_vitpose_config(pretrained):
    import mmpose_ext  # noqa: F401
    from mmpose.utils import register_all_modules
    register_all_modules()
    work_dir, _ = pretrained
    ckpt = work_dir / 'iter_2.pth'
    cfg = Config.fromfile(TINY)
    cfg.model.backbone.init_cfg = dict(type='Pretrained', checkpoint=str(ckpt))
    model = MODELS.build(cfg.model)
    model.init_weights()
    saved = safe_torch_load(str(ckpt))['state_dict']
    backbone = model.backbone.state_dict()
    assert backbone  # every backbone tensor comes from the checkpoint
    for k, v in backbone.items():
        assert torch.equal(v, saved['backbone.' + k]), k
