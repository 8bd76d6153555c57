"""A wrong key for one of our modules in a config names the class and the key."""
import pytest
from mmengine.config import Config
from mmengine.registry import init_default_scope
from mmpose.registry import MODELS

import mmpose_ext  # noqa: F401
from tests.helpers import REPO

# (config, where in ``model`` the plugin module's dict is, its class name)
CASES = [
    ('configs/simdr/simdr_res18_coco-tiny-128x96.py', ('head', ), 'SimDRHead'),
    ('configs/simdr/simdr_res18_coco-tiny-128x96.py', ('head', 'decoder'),
     'SimDRLabel'),
    ('configs/dark/td-hm_res18_dark_coco-tiny-128x96.py', ('head', 'decoder'),
     'DARKHeatmap'),
    ('configs/udp/td-hm_res18_udp_coco-tiny-128x96.py', ('head', 'decoder'),
     'UDPCodec'),
    ('configs/vitpose/td-hm_vitpose-tiny_coco-tiny-128x96.py', ('backbone', ),
     'PlainViT'),
    ('configs/tfpose/tfpose_res18-tiny_coco-tiny-128x96.py', ('head', ),
     'TFPoseHead'),
    ('configs/tfpose/tfpose_res18-tiny_coco-tiny-128x96.py',
     ('head', 'decoder'), 'TFPoseLabel'),
    ('configs/vitpose/td-hm_vitpose-tiny-multi_synthetic-coco-aic-128x96.py',
     (), 'MultiHeadTopdownPoseEstimator'),
]


@pytest.mark.parametrize('config,path,cls', CASES,
                         ids=[f'{c[2]}' for c in CASES])
def test_unknown_key_names_class_and_key(coco_tiny, config, path, cls):
    init_default_scope('mmpose')
    cfg = Config.fromfile(str(REPO / config))
    part = cfg.model
    for key in path:
        part = part[key]
    assert part['type'] == cls
    part['sigmma'] = 2
    with pytest.raises(TypeError) as err:
        MODELS.build(cfg.model)
    assert cls in str(err.value)
    assert "unexpected keyword argument 'sigmma'" in str(err.value)
