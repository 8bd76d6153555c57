"""mim train / mim test of the tiny TFPose config (2 iterations), and the
opt-in overfitting run of tfpose_r18 on coco_tiny."""
import glob
import os
import re

import pytest

TINY = 'configs/tfpose/tfpose_res18-tiny_coco-tiny-128x96.py'
OVERFIT = 'configs/tfpose/tfpose_res18_coco-tiny-overfit-128x96.py'


def test_train_then_test(cli, tmp_path):
    work = tmp_path / 'work'
    out = cli(['mim', 'train', 'mmpose_ext', TINY, '--work-dir', work,
               '--cfg-options', 'train_cfg.max_epochs=1',
               'train_dataloader.batch_size=6']).stdout
    assert re.search(r'Epoch\(train\) \[1\]\[2/2\].*loss_reg_dec1: .*'
                     r'loss_reg_dec2: .*loss_aux: ', out), out[-3000:]
    assert 'coco/AP' in out
    ckpt = work / 'epoch_1.pth'
    assert ckpt.is_file()
    out = cli(['mim', 'test', 'mmpose_ext', TINY, '--checkpoint', ckpt,
               '--work-dir', tmp_path / 'test']).stdout
    assert re.search(r'coco/AP: \d\.\d+', out), out[-3000:]


@pytest.mark.skipif(os.environ.get('MMPOSE_EXT_SLOW') != '1',
                    reason='overfitting run (tens of minutes on 2 CPU cores); set '
                    'MMPOSE_EXT_SLOW=1')
def test_tfpose_r18_overfits_coco_tiny(cli, tmp_path):
    out = cli(['mim', 'train', 'mmpose_ext', OVERFIT, '--work-dir', tmp_path],
              timeout=4 * 3600).stdout
    aps = [float(ap) for ap in re.findall(r'coco/AP: (\d\.\d+)', out)]
    assert aps and aps[-1] >= 0.9, aps
    assert glob.glob(str(tmp_path / 'best_coco_AP_epoch_*.pth'))
