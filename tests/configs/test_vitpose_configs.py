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


QUICKSTART = f'{REPO}/configs/vitpose/td-hm_vitpose-p8w192_synthetic-128x96.py'
QUICKSTART_MAE = (f'{REPO}/configs/vitpose/'
                  'mae_vitpose-p8w192_synthetic-128x96.py')


def test_quickstart_vitpose_is_the_probe_model(mmpose_scope):
    import torch
    from mmpose.registry import MODELS

    import mmpose_ext  # noqa: F401
    cfg = Config.fromfile(QUICKSTART)
    assert cfg.model.backbone.init_cfg.type == 'Pretrained'
    assert cfg.train_cfg.max_iters == 1500
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.optim_wrapper.paramwise_cfg.num_layers == 6
    assert cfg.codec.type == 'UDPCodec'
    assert 'TrainProgressHook' in [h.type for h in cfg.custom_hooks]
    cfg.model.backbone.init_cfg = None
    model = MODELS.build(cfg.model).eval()
    backbone = model.backbone
    assert backbone.patch_embed.projection.kernel_size == (8, 8)
    assert backbone.patch_grid == (16, 12)
    assert (backbone.embed_dims, backbone.num_layers) == (192, 6)
    assert round(sum(p.numel() for p in model.parameters()) / 1e6, 1) == 3.1
    torch.manual_seed(0)
    with torch.no_grad():
        heatmaps = model(torch.randn(2, 3, 128, 96), None, mode='tensor')
    assert heatmaps.shape == (2, 17, 32, 24)


def test_quickstart_mae_follows_mae_and_fits_the_pose_backbone(
        mmpose_scope, tmp_path):
    import torch
    from mmpose.registry import MODELS

    import mmpose_ext  # noqa: F401
    from mmpose_ext.models.pretrainers.mae_decoder import sincos_pos_embed_2d
    cfg = Config.fromfile(QUICKSTART_MAE)
    model = cfg.model
    assert model.fixed_pos_embed is True and model.init_scheme == 'mae'
    assert model.mask_ratio == 0.75 and model.norm_pix_loss is True
    optimizer = cfg.optim_wrapper.optimizer
    assert optimizer.type == 'AdamW'
    assert tuple(optimizer.betas) == (0.9, 0.95)
    assert optimizer.weight_decay == 0.05
    assert optimizer.lr == 1.5e-3 * cfg.train_dataloader.batch_size / 256
    assert [s.type for s in cfg.param_scheduler] == [
        'LinearLR', 'CosineAnnealingLR']
    assert 'TrainProgressHook' in [h.type for h in cfg.custom_hooks]

    torch.manual_seed(0)
    mae = MODELS.build(model)
    mae.init_weights()
    assert mae.backbone.patch_grid == (16, 12)
    assert mae.backbone.patch_embed.projection.kernel_size == (8, 8)
    assert not mae.backbone.pos_embed.requires_grad
    torch.testing.assert_close(
        mae.backbone.pos_embed,
        sincos_pos_embed_2d((16, 12), 192).view_as(mae.backbone.pos_embed))
    loss = mae(torch.randn(2, 3, 128, 96), mode='loss')['loss_mae']
    assert torch.isfinite(loss)

    # its checkpoint is what the pose config's backbone loads, every tensor
    path = tmp_path / 'mae.pth'
    torch.save(dict(state_dict=mae.state_dict()), path)
    pose = Config.fromfile(QUICKSTART)
    pose.model.backbone.init_cfg.checkpoint = str(path)
    backbone = MODELS.build(pose.model.backbone)
    backbone.init_weights()
    for name, tensor in backbone.state_dict().items():
        if not name.startswith('last_norm.'):
            torch.testing.assert_close(
                tensor, mae.backbone.state_dict()[name], rtol=0, atol=0)
