"""The ViTPose configs carry the paper's recipe and agree with themselves."""
import pytest
from mmengine.config import Config

from tests.helpers import REPO

# (short name, width, depth, heads, drop path, layer decay)
ARCHS = [
    ('vitpose_s', 384, 12, 12, 0.1, 0.8),
    ('vitpose_b', 768, 12, 12, 0.3, 0.75),
    ('vitpose_l', 1024, 24, 16, 0.5, 0.8),
    ('vitpose_h', 1280, 32, 16, 0.55, 0.85),
]


@pytest.mark.parametrize('name,width,depth,heads,dpr,decay', ARCHS)
@pytest.mark.parametrize('simple', [False, True])
def test_recipe(name, width, depth, heads, dpr, decay, simple):
    cfg = Config.fromfile(
        f'{REPO}/configs/{name}{"_simple" if simple else ""}.py')
    backbone, head = cfg.model.backbone, cfg.model.head
    assert backbone.type == 'PlainViT'
    assert dict(backbone.arch) == dict(
        embed_dims=width, num_layers=depth, num_heads=heads,
        feedforward_channels=4 * width)
    assert tuple(backbone.img_size) == (256, 192)
    assert backbone.patch_size == 16 and backbone.patch_padding == 2
    assert backbone.drop_path_rate == dpr
    assert backbone.init_cfg.type == 'Pretrained'
    assert backbone.init_cfg.checkpoint.startswith('pretrained/mae_')
    assert head.in_channels == width
    if simple:
        assert cfg.model.neck == dict(type='FeatureMapProcessor',
                                      scale_factor=4.0, apply_relu=True)
        assert head.deconv_out_channels == [] and \
            head.final_layer.kernel_size == 3
    else:
        assert 'neck' not in cfg.model or cfg.model.neck is None
        assert tuple(head.deconv_out_channels) == (256, 256)
    optim = cfg.optim_wrapper
    assert optim.optimizer.type == 'AdamW' and optim.optimizer.lr == 5e-4
    assert optim.optimizer.weight_decay == 0.1
    assert optim.constructor == 'LayerDecayOptimWrapperConstructor'
    assert optim.paramwise_cfg.num_layers == depth
    assert optim.paramwise_cfg.layer_decay_rate == decay
    assert optim.clip_grad.max_norm == 1.
    assert cfg.train_cfg.max_epochs == 210
    assert cfg.param_scheduler[1].milestones == [170, 200]
    assert cfg.codec.type == 'UDPCodec' and cfg.codec.sigma == 2
    assert tuple(cfg.codec.input_size) == (192, 256)
    assert cfg.model.test_cfg.flip_test is True


def test_distillation_configs():
    teacher = Config.fromfile(f'{REPO}/configs/vitpose_l_token-teacher.py')
    assert teacher.model.type == 'KnowledgeTokenTeacher'
    assert teacher.model.backbone.knowledge_tokens.num_tokens == 1
    assert teacher.model.backbone.init_cfg is None
    assert 'constructor' not in teacher.optim_wrapper
    for name in ('vitpose_s_token-student', 'vitpose_b_token-student',
                 'vitpose_b_token-heatmap-student'):
        student = Config.fromfile(f'{REPO}/configs/{name}.py')
        assert student.model.backbone.knowledge_tokens.token_file == (
            'work_dirs/vitpose_l_token-teacher/knowledge_tokens.pth')
    both = Config.fromfile(
        f'{REPO}/configs/vitpose_b_token-heatmap-student.py')
    heat = Config.fromfile(f'{REPO}/configs/vitpose_b_heatmap-student.py')
    for cfg in (both, heat):
        assert cfg.model.type == 'HeatmapDistillPoseEstimator'
        assert cfg.model.teacher_config == 'configs/vitpose_l.py'
    assert 'knowledge_tokens' not in heat.model.backbone
    for arch in 's', 'b':
        token = Config.fromfile(
            f'{REPO}/configs/vitpose_{arch}_token-student.py')
        assert 'KnowledgeTokenFitHook' in [h.type for h in token.custom_hooks]
        # the controls differ from the token student in the token only
        random = Config.fromfile(
            f'{REPO}/configs/vitpose_{arch}_random-token-student.py')
        assert random.model.backbone.knowledge_tokens.pop('control') == \
            'random'
        assert random.to_dict() == token.to_dict()
        none = Config.fromfile(
            f'{REPO}/configs/vitpose_{arch}_no-token-student.py')
        token.model.backbone.pop('knowledge_tokens')
        token.pop('custom_hooks')
        none.pop('custom_hooks')
        assert none.to_dict() == token.to_dict()
