"""The ViTPose claim and design experiments (configs/experiments/vitpose_*,
issue 17) run the quickstart ViTPose: every pose arm trains 1,500
iterations with the quickstart's schedule and is evaluated once at the end
with its CocoMetric on the detected boxes; the runs the experiments share
are one run (same config file and identity); the p8w96 students take the
p8w192 teacher's knowledge token through the fitted width map and its
heatmaps, and predict the same 32x24 heatmaps."""
import pytest
import torch
from mmengine import Config

from mmpose_ext.tools import experiment as ex

EXPERIMENTS = ['vitpose_mae', 'vitpose_decoder', 'vitpose_partial_finetune',
               'vitpose_token', 'vitpose_token_control',
               'vitpose_heatmap_distill', 'vitpose_design',
               'vitpose_distill_mae']
METRICS = ['coco/AP', 'coco/AP .5', 'coco/AR']
# (experiment, arm) pairs that must be one run
SHARED = [
    (('vitpose_mae', 'mae-finetune'), ('vitpose_decoder', 'classic')),
    (('vitpose_mae', 'mae-finetune'),
     ('vitpose_partial_finetune', 'all-trainable')),
    (('vitpose_mae', 'scratch'), ('vitpose_design', 'scratch')),
    (('vitpose_token', 'no-token'), ('vitpose_heatmap_distill', 'none')),
    (('vitpose_token', 'token'), ('vitpose_token_control', 'token')),
    (('vitpose_token', 'random'), ('vitpose_token_control', 'random')),
]


def arm_cfg(name, arm):
    spec = ex.load_spec(name)
    return Config.fromfile(f'{ex.REPO}/{ex.arm_config(spec, arm)}')


def pose_arms():
    return [(name, arm) for name in EXPERIMENTS
            for arm, a in ex.load_spec(name)['arm_specs'].items()
            if a['metrics']]


@pytest.mark.parametrize('name', EXPERIMENTS)
def test_specs(name):
    spec = ex.load_spec(name)
    assert spec['seeds'] == [0, 1]
    assert spec['metrics'] == METRICS


@pytest.mark.parametrize('name,arm', pose_arms())
def test_pose_arms_run_the_quickstart_schedule_and_evaluator(name, arm):
    cfg = arm_cfg(name, arm)
    iters = 100 if arm == 'stage1' else 1500  # stage 1 keeps its length
    assert cfg.train_cfg.max_iters == iters
    assert cfg.train_cfg.val_interval == iters
    # a checkpoint every third of the run: a killed run resumes
    assert cfg.default_hooks.checkpoint.interval == iters // 3
    assert cfg.param_scheduler[-1].type == 'CosineAnnealingLR'
    assert cfg.param_scheduler[-1].T_max == iters
    if iters == 1500:
        assert cfg.param_scheduler[0].type == 'LinearLR'
        assert cfg.param_scheduler[0].end == 40
    assert cfg.train_dataloader.batch_size == 16
    assert cfg.val_evaluator.type == 'CocoMetric'
    assert cfg.val_evaluator.ann_file.endswith(
        'annotations/person_keypoints_val.json')
    assert cfg.val_dataloader.dataset.bbox_file.endswith(
        'person_detection_results/person_detections_val.json')
    assert cfg.model.backbone.patch_size in (8, 16)


@pytest.mark.parametrize('name', ['vitpose_mae', 'vitpose_distill_mae'])
def test_mae_arm_restates_the_quickstart_pretraining(name):
    cfg = arm_cfg(name, 'mae')
    assert cfg.train_cfg.max_iters == 1800
    assert cfg.train_dataloader.batch_size == 64
    assert cfg.param_scheduler[-1].end == 1800


def test_mae_students_differ_from_the_scratch_ones_only_in_their_start(
        mmpose_scope, tmp_path):
    """vitpose_distill_mae's students are vitpose_token's and
    vitpose_heatmap_distill's with the backbone loaded from the MAE
    pre-training of their own width (the `mae` arm: same recipe as
    vitpose_mae's, width 96)."""
    from mmpose.registry import MODELS

    import mmpose_ext  # noqa: F401

    mae_cfg = arm_cfg('vitpose_distill_mae', 'mae')
    ref_cfg = arm_cfg('vitpose_mae', 'mae')
    assert mae_cfg.model.backbone.arch.embed_dims == 96
    mae_cfg.model.backbone.arch.embed_dims = 192
    mae_cfg.model.backbone.arch.feedforward_channels = 192 * 4
    assert mae_cfg.model == ref_cfg.model
    assert mae_cfg.optim_wrapper == ref_cfg.optim_wrapper
    torch.manual_seed(0)
    mae = MODELS.build(arm_cfg('vitpose_distill_mae', 'mae').model)
    mae.init_weights()
    ckpt = tmp_path / 'mae.pth'
    torch.save(dict(state_dict=mae.state_dict()), ckpt)

    scratch = dict(
        (('no-token', ('vitpose_token', 'no-token')),
         ('token', ('vitpose_token', 'token')),
         ('random', ('vitpose_token', 'random')),
         ('teacher-heatmaps',
          ('vitpose_heatmap_distill', 'teacher-heatmaps'))))
    for arm, (name, ref_arm) in scratch.items():
        cfg, ref = arm_cfg('vitpose_distill_mae', arm), arm_cfg(name, ref_arm)
        assert cfg.model.backbone.init_cfg.type == 'Pretrained'
        assert ref.model.backbone.init_cfg is None
        cfg.model.backbone.init_cfg = None
        assert cfg.model == ref.model and cfg.train_cfg == ref.train_cfg
        assert cfg.optim_wrapper == ref.optim_wrapper

    cfg = arm_cfg('vitpose_distill_mae', 'no-token')
    cfg.model.backbone.init_cfg.checkpoint = str(ckpt)
    student = MODELS.build(cfg.model)
    student.init_weights()
    encoder = {k[len('backbone.'):]: v for k, v in mae.state_dict().items()
               if k.startswith('backbone.')}
    loaded = student.backbone.state_dict()
    shared = [k for k in encoder if k in loaded]
    assert 'patch_embed.projection.weight' in shared
    assert len(shared) > 50
    for key in shared:
        if key != 'pos_embed':  # fixed sin-cos in MAE, learned after
            torch.testing.assert_close(loaded[key], encoder[key], msg=key)


@pytest.mark.parametrize('first,second', SHARED)
def test_shared_arms_are_one_run(first, second):
    spec1, spec2 = ex.load_spec(first[0]), ex.load_spec(second[0])
    assert ex.arm_config(spec1, first[1]) == ex.arm_config(spec2, second[1])
    assert ex.arm_digest(spec1, first[1], 0) == \
        ex.arm_digest(spec2, second[1], 0)


def test_students_take_the_teachers_token_and_heatmaps(
        mmpose_scope, tmp_path):
    from mmpose.registry import MODELS

    import mmpose_ext  # noqa: F401
    from mmpose_ext.tools.export_knowledge_tokens import \
        export_knowledge_tokens

    x = torch.randn(2, 3, 128, 96)

    def heatmaps(model):
        with torch.no_grad():
            return model.eval()(x, None, mode='tensor')

    # a stand-in for the trained teacher (vitpose_mae's mae-finetune)
    cfg = arm_cfg('vitpose_mae', 'mae-finetune')
    cfg.model.backbone.init_cfg = None
    torch.manual_seed(0)
    teacher = MODELS.build(cfg.model)
    teacher.init_weights()
    assert teacher.backbone.embed_dims == 192
    assert heatmaps(teacher).shape == (2, 17, 32, 24)
    teacher_ckpt = tmp_path / 'teacher.pth'
    torch.save(dict(state_dict=teacher.state_dict()), teacher_ckpt)

    # stage 1 on it, exported as the runner does
    stage1_config = f'{ex.REPO}/' + ex.arm_config(
        ex.load_spec('vitpose_token'), 'stage1')
    cfg = Config.fromfile(stage1_config)
    cfg.model.teacher_checkpoint = str(teacher_ckpt)
    stage1 = MODELS.build(cfg.model)
    stage1.init_weights()
    stage1_ckpt, tokens = tmp_path / 'stage1.pth', tmp_path / 'tokens.pth'
    torch.save(dict(state_dict=stage1.state_dict()), stage1_ckpt)
    export_knowledge_tokens(str(stage1_ckpt), str(tokens), stage1_config)

    for arm in ('no-token', 'token', 'random'):
        cfg = arm_cfg('vitpose_token', arm)
        if arm != 'no-token':
            cfg.model.backbone.knowledge_tokens.token_file = str(tokens)
        student = MODELS.build(cfg.model)
        student.init_weights()
        assert student.backbone.embed_dims == 96
        assert student.backbone.patch_grid == teacher.backbone.patch_grid
        if arm != 'no-token':
            student_tokens, hw = student.backbone.embed(x)
            weight, _ = student.backbone.knowledge_tokens.fit(
                x, student_tokens, hw)
            assert tuple(weight.shape) == (96, 192)
        assert heatmaps(student).shape == (2, 17, 32, 24)

    cfg = arm_cfg('vitpose_heatmap_distill', 'teacher-heatmaps')
    cfg.model.teacher_checkpoint = str(teacher_ckpt)
    student = MODELS.build(cfg.model)
    torch.testing.assert_close(
        heatmaps(student.teacher(x.device)), heatmaps(teacher))


def test_design_arms_change_one_thing(mmpose_scope):
    from mmpose.registry import MODELS

    import mmpose_ext  # noqa: F401
    base = arm_cfg('vitpose_design', 'scratch')
    assert base.model.backbone.init_cfg is None
    no_decay = arm_cfg('vitpose_design', 'no-layer-decay').optim_wrapper
    assert no_decay.paramwise_cfg.layer_decay_rate == 1.0
    # one change: weight decay stays the baseline's
    assert no_decay.optimizer.weight_decay == \
        base.optim_wrapper.optimizer.weight_decay == 0.1
    assert arm_cfg('vitpose_design',
                   'drop-path').model.backbone.drop_path_rate == 0.1
    assert arm_cfg('vitpose_design',
                   'lr2e-3').optim_wrapper.optimizer.lr == 2e-3
    cfg = arm_cfg('vitpose_design', 'patch16-w384')
    model = MODELS.build(cfg.model).eval()
    assert model.backbone.patch_grid == (8, 6)
    assert model.backbone.embed_dims == 384
    with torch.no_grad():
        out = model(torch.randn(1, 3, 128, 96), None, mode='tensor')
    assert out.shape == (1, 17, 32, 24)
