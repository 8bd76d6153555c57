"""The ViTPose workflow through the command-line tools on coco_tiny, 2
iterations each: a tiny ViTPose (mim train / mim test), stage 1 of token
distillation on it as the frozen teacher, the token export, stage 2 with a
narrower student using the tokens and the teacher's heatmaps, mim test of
that student."""
import pytest
import torch

from mmpose_ext.checkpoints import safe_torch_load

TINY = 'configs/vitpose/td-hm_vitpose-tiny_coco-tiny-128x96.py'
# the two distillation stages at test size exist for this test only
FIXTURES = 'tests/fixtures/configs/'
STAGE1 = FIXTURES + 'td-hm_vitpose-tiny-token-teacher_coco-tiny-128x96.py'
STAGE2 = FIXTURES + ('td-hm_vitpose-tiny-token-heatmap-student_coco-tiny-'
                     '128x96.py')
TOKENS = 'backbone.knowledge_tokens.tokens'


def weights(path):
    # weights-only, with the package's allowlist for MMEngine's message hub
    return safe_torch_load(str(path))['state_dict']


@pytest.fixture(scope='module')
def workflow(tmp_path_factory, cli):
    root = tmp_path_factory.mktemp('vitpose_workflow')
    runs = {}
    cli(['mim', 'train', 'mmpose_ext', TINY, '--work-dir', root / 'teacher'])
    teacher = root / 'teacher' / 'iter_2.pth'
    runs['teacher_test'] = cli(['mim', 'test', 'mmpose_ext', TINY,
                                '--checkpoint', teacher, '--work-dir',
                                root / 'teacher_test']).stdout
    cli(['mim', 'train', 'mmpose_ext', STAGE1, '--work-dir', root / 'stage1',
         '--cfg-options', f'model.teacher_checkpoint={teacher}'])
    runs['stage1_test'] = cli([
        'mim', 'test', 'mmpose_ext', STAGE1, '--checkpoint',
        root / 'stage1' / 'iter_2.pth', '--work-dir', root / 'stage1_test',
        '--cfg-options', f'model.teacher_checkpoint={teacher}'
    ]).stdout
    tokens = root / 'knowledge_tokens.pth'
    cli(['python', '-m', 'mmpose_ext.tools.export_knowledge_tokens',
         root / 'stage1' / 'iter_2.pth', tokens])
    options = ['--cfg-options', f'model.teacher_checkpoint={teacher}',
               f'model.backbone.knowledge_tokens.token_file={tokens}']
    cli(['mim', 'train', 'mmpose_ext', STAGE2, '--work-dir', root / 'stage2',
         *options])
    runs['stage2_log'] = '\n'.join(
        p.read_text() for p in (root / 'stage2').rglob('*.log'))
    # testing the stage-2 checkpoint needs no token file (the tokens are in
    # the checkpoint)
    tokens.rename(root / 'knowledge_tokens.moved.pth')
    runs['stage2_test'] = cli([
        'mim', 'test', 'mmpose_ext', STAGE2, '--checkpoint',
        root / 'stage2' / 'iter_2.pth', '--work-dir', root / 'stage2_test',
        *options
    ]).stdout
    runs['root'] = root
    return runs


@pytest.mark.parametrize('run', ['teacher_test', 'stage1_test',
                                 'stage2_test'])
def test_mim_test_evaluates(workflow, run):
    assert 'coco/AP:' in workflow[run]


def test_stage1_trains_only_the_tokens(workflow):
    root = workflow['root']
    teacher = weights(root / 'teacher' / 'iter_2.pth')
    first = weights(root / 'stage1' / 'iter_1.pth')
    last = weights(root / 'stage1' / 'iter_2.pth')
    assert set(last) == set(teacher) | {TOKENS}
    for k, v in teacher.items():  # parameters and BN statistics
        assert torch.equal(first[k], v) and torch.equal(last[k], v), k
    assert not torch.equal(first[TOKENS], last[TOKENS])


def test_stage2_keeps_the_tokens_and_trains_the_student(workflow):
    root = workflow['root']
    exported = torch.load(root / 'knowledge_tokens.moved.pth',
                          weights_only=True)
    stage1 = weights(root / 'stage1' / 'iter_2.pth')
    assert torch.equal(exported['knowledge_tokens'], stage1[TOKENS][0])
    embedding = exported['teacher_embedding']
    assert torch.equal(embedding['weight'],
                       stage1['backbone.patch_embed.projection.weight'])
    assert embedding['grid'] == [8, 6] and embedding['stride'] == [16, 16]
    assert embedding['padding'] == [2, 2]
    # teacher width 64 -> student width 32, fitted on the first batch by the
    # hook, then frozen
    assert 'KnowledgeTokenFitHook: 2 knowledge token(s) of width 64 mapped ' \
        'to width 32' in workflow['stage2_log']
    first = weights(root / 'stage2' / 'iter_1.pth')
    last = weights(root / 'stage2' / 'iter_2.pth')
    assert first[TOKENS].shape == (1, 2, 32)
    assert bool(first['backbone.knowledge_tokens.ready'])
    assert first[TOKENS].abs().sum() > 0
    assert torch.equal(last[TOKENS], first[TOKENS])
    moved = [k for k in last if k != TOKENS and k.endswith(
        ('weight', 'bias', 'pos_embed')) and not torch.equal(first[k],
                                                             last[k])]
    trainable = [k for k in last if k != TOKENS and k.endswith(
        ('weight', 'bias', 'pos_embed'))]
    assert moved == trainable
    # the teacher stays outside the student's checkpoint
    assert all(k.startswith(('backbone.', 'head.')) for k in last)
