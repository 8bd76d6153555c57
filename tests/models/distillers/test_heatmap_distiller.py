"""Output distillation: the loss is MSE(student, teacher) beside the pose
loss; the teacher is frozen and outside the student's state."""
import pytest
import torch
import torch.nn.functional as F
from mmengine.optim import build_optim_wrapper

from mmpose.registry import MODELS
from tests.helpers.distillation import (TINY, batch, model_cfg,
                                        trained_checkpoint)

# the estimators' data preprocessors are built through MMPose's scope
pytestmark = pytest.mark.usefixtures('mmpose_scope')


def student_cfg(path, teacher_head='simple', arch=TINY, **kwargs):
    cfg = model_cfg('simple', arch=arch, **kwargs)
    cfg.update(type='HeatmapDistillPoseEstimator',
               teacher_config=model_cfg(teacher_head),
               teacher_checkpoint=str(path))
    return cfg


def test_distill_loss_is_mse_to_the_teacher_heatmaps(tmp_path):
    path = tmp_path / 'teacher.pth'
    teacher_state = trained_checkpoint(path, head='classic')
    narrow = dict(TINY, embed_dims=32, feedforward_channels=128)
    model = MODELS.build(student_cfg(path, teacher_head='classic',
                                     arch=narrow))
    model.init_weights()
    model.train()
    data = model.data_preprocessor(batch(), True)
    losses = model.loss(**data)
    assert set(losses) == {'loss_kpt', 'loss_distill', 'acc_pose'}

    teacher = MODELS.build(model_cfg('classic'))
    teacher.load_state_dict(teacher_state)
    teacher.eval()
    with torch.no_grad():
        t_heatmaps = teacher(data['inputs'], None, mode='tensor')
        s_heatmaps = model.head.forward(model.extract_feat(data['inputs']))
    torch.testing.assert_close(losses['loss_distill'],
                               F.mse_loss(s_heatmaps, t_heatmaps))
    gt = torch.stack([d.gt_fields.heatmaps for d in data['data_samples']])
    torch.testing.assert_close(losses['loss_kpt'], F.mse_loss(s_heatmaps, gt))
    # the teacher is no part of the student
    assert not any(k.startswith('_teacher') for k in model.state_dict())
    assert all(not n.startswith('_teacher')
               for n, _ in model.named_parameters())


@pytest.mark.parametrize('use_target_weight', [False, True])
def test_distill_loss_weights_keypoints_only_when_asked(tmp_path,
                                                        use_target_weight):
    # Eq. 4 distils every keypoint: an unlabelled keypoint (weight 0) still
    # gets the teacher's heatmap unless the loss asks for target weights
    path = tmp_path / 'teacher.pth'
    trained_checkpoint(path, head='simple')
    cfg = student_cfg(path, distill_loss=dict(
        type='KeypointMSELoss', use_target_weight=use_target_weight))
    model = MODELS.build(cfg)
    model.init_weights()
    model.train()
    data = model.data_preprocessor(batch(), True)
    for sample in data['data_samples']:
        sample.gt_instance_labels.keypoint_weights[:, :2] = 0
    losses = model.loss(**data)
    with torch.no_grad():
        teacher = model.teacher(data['inputs'].device)
        t_heatmaps = teacher.head.forward(teacher.extract_feat(
            data['inputs']))
        s_heatmaps = model.head.forward(model.extract_feat(data['inputs']))
    squared = (s_heatmaps - t_heatmaps)**2
    if use_target_weight:
        squared[:, :2] = 0
    torch.testing.assert_close(losses['loss_distill'], squared.mean())


def test_building_the_teacher_leaves_the_random_stream(tmp_path):
    path = tmp_path / 'teacher.pth'
    trained_checkpoint(path, head='simple')
    model = MODELS.build(student_cfg(path))
    torch.manual_seed(3)
    model.teacher(torch.device('cpu'))
    after = torch.rand(4)
    torch.manual_seed(3)
    torch.testing.assert_close(torch.rand(4), after)


def test_a_copy_of_the_teacher_has_zero_distill_loss(tmp_path):
    path = tmp_path / 'teacher.pth'
    state = trained_checkpoint(path, head='simple')
    model = MODELS.build(student_cfg(path))
    model.load_state_dict(state)
    model.train()  # drop path 0 and no BN: train forward == eval forward
    losses = model.loss(**model.data_preprocessor(batch(), True))
    assert losses['loss_distill'].item() == 0.


def test_training_moves_the_student_not_the_teacher(tmp_path):
    path = tmp_path / 'teacher.pth'
    teacher_state = trained_checkpoint(path, head='simple')
    model = MODELS.build(student_cfg(path))
    model.init_weights()
    before = {k: v.clone() for k, v in model.state_dict().items()}
    optim = build_optim_wrapper(model, dict(
        optimizer=dict(type='AdamW', lr=1e-3)))
    model.train()
    model.train_step(batch(), optim)
    changed = [k for k, v in model.state_dict().items()
               if not torch.equal(v, before[k])]
    assert len(changed) == len(before)
    teacher = model._teacher
    assert not teacher.training
    for k, v in teacher.state_dict().items():
        assert torch.equal(v, teacher_state[k]), k


def test_heatmap_sizes_must_agree(tmp_path):
    path = tmp_path / 'teacher.pth'
    trained_checkpoint(path, head='classic')  # 16x12 heatmaps
    cfg = student_cfg(path, teacher_head='classic')
    cfg['neck']['scale_factor'] = 2.0  # 8x6 student heatmaps
    model = MODELS.build(cfg)
    with pytest.raises(ValueError, match='same codec'):
        model.loss(**model.data_preprocessor(batch(), True))


def test_teacher_must_normalise_like_the_student(tmp_path):
    path = tmp_path / 'teacher.pth'
    trained_checkpoint(path, head='simple')
    cfg = student_cfg(path)
    cfg['teacher_config']['data_preprocessor'] = dict(
        cfg['data_preprocessor'], mean=[0., 0., 0.])
    model = MODELS.build(cfg)
    with pytest.raises(ValueError, match='normalises images differently'):
        model.loss(**model.data_preprocessor(batch(), True))
