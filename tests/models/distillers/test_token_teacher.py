"""Stage 1 in process: only the knowledge tokens learn; every teacher
parameter and buffer stays bitwise as in the teacher checkpoint."""
import pytest
import torch
from mmengine.optim import build_optim_wrapper

from mmpose.registry import MODELS
from tests.helpers.distillation import batch, model_cfg, trained_checkpoint

# the estimators' data preprocessors are built through MMPose's scope
pytestmark = pytest.mark.usefixtures('mmpose_scope')


def teacher_cfg(path, **kwargs):
    cfg = model_cfg('classic', tokens=dict(type='KnowledgeTokens',
                                           num_tokens=2), **kwargs)
    cfg.update(type='KnowledgeTokenTeacher', teacher_checkpoint=str(path))
    return cfg


def test_only_the_tokens_change(tmp_path):
    path = tmp_path / 'teacher.pth'
    teacher_state = trained_checkpoint(path)
    model = MODELS.build(teacher_cfg(path))
    model.init_weights()
    tokens0 = model.backbone.knowledge_tokens.tokens.detach().clone()
    assert [n for n, p in model.named_parameters() if p.requires_grad] == [
        'backbone.knowledge_tokens.tokens']
    model.train()
    assert not any(m.training for m in model.modules())  # frozen = eval mode
    optim = build_optim_wrapper(model, dict(
        optimizer=dict(type='AdamW', lr=1e-2, weight_decay=0.1),
        clip_grad=dict(max_norm=1., norm_type=2)))
    for step in range(2):
        losses = model.train_step(batch(seed=step), optim)
        assert torch.isfinite(losses['loss']).all()
    state = model.state_dict()
    assert set(state) == set(teacher_state) | {
        'backbone.knowledge_tokens.tokens'}
    for k, v in teacher_state.items():
        assert torch.equal(state[k], v), k
    assert (state['backbone.knowledge_tokens.tokens'] - tokens0).abs().max(
    ) > 1e-3


def test_needs_learnable_tokens(tmp_path):
    cfg = model_cfg('classic')
    cfg.update(type='KnowledgeTokenTeacher', teacher_checkpoint='x.pth')
    with pytest.raises(ValueError, match='needs learnable knowledge tokens'):
        MODELS.build(cfg)


def test_teacher_checkpoint_must_fit(tmp_path):
    path = tmp_path / 'teacher.pth'
    trained_checkpoint(path, head='simple')
    model = MODELS.build(teacher_cfg(path))
    with pytest.raises(ValueError, match='(?s)does not match the '
                       'KnowledgeTokenTeacher.*missing'):
        model.init_weights()


def test_missing_teacher_checkpoint_says_what_to_set(tmp_path):
    model = MODELS.build(teacher_cfg(tmp_path / 'absent.pth'))
    with pytest.raises(FileNotFoundError, match='model.teacher_checkpoint'):
        model.init_weights()


def test_official_vitpose_checkpoint_can_be_the_teacher(tmp_path):
    from tests.helpers.vitpose_reference import official_state_dict

    from mmpose_ext.checkpoints import convert_vitpose_checkpoint
    official = official_state_dict(64, 2, (4, 3), head='classic',
                                   deconv=(16, 16))
    path = tmp_path / 'vitpose_official.pth'
    torch.save({'state_dict': official}, path)
    model = MODELS.build(teacher_cfg(path))
    model.init_weights()
    state = model.state_dict()
    for k, v in convert_vitpose_checkpoint(official).items():
        assert torch.equal(state[k], v), k


def test_the_tokens_alone_lower_the_teacher_loss(tmp_path):
    path = tmp_path / 'teacher.pth'
    trained_checkpoint(path, head='simple')
    cfg = teacher_cfg(path)
    cfg['neck'] = dict(type='FeatureMapProcessor', scale_factor=4.0,
                       apply_relu=True)
    cfg['head'].update(deconv_out_channels=[], deconv_kernel_sizes=[],
                       final_layer=dict(kernel_size=3, padding=1))
    model = MODELS.build(cfg)
    model.init_weights()
    model.train()
    optim = build_optim_wrapper(model, dict(
        optimizer=dict(type='AdamW', lr=5e-2, weight_decay=0.)))
    data = batch(seed=7)
    # a target the tokens can reach only by changing the teacher's features:
    # half its own heatmaps
    with torch.no_grad():
        inputs = model.data_preprocessor(data, False)['inputs']
        target = 0.5 * model(inputs, None, mode='tensor')
    for sample, heatmaps in zip(data['data_samples'], target):
        sample.gt_fields.heatmaps = heatmaps
    first = model.train_step(data, optim)['loss_kpt'].item()
    for _ in range(30):
        last = model.train_step(data, optim)['loss_kpt'].item()
    # the tokens reach the features only through attention: a small but
    # steady descent (2.4% in 30 steps here)
    assert last < 0.99 * first
