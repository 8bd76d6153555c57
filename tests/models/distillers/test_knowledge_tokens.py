"""Knowledge tokens: the teacher-to-student map is fitted on data (not a
random rotation), the token file round-trips weights-only, learned vs frozen
tokens, the random-token control, and stage-2 checkpoints without the file."""
import pytest
import torch
import torch.nn.functional as F

from mmpose.registry import MODELS
from mmpose.utils import register_all_modules
from mmpose_ext.models.backbones import PlainViT
from mmpose_ext.checkpoints import (load_knowledge_tokens,
                                    save_knowledge_tokens)
from mmpose_ext.models.layers import KnowledgeTokens, random_like_tokens
from mmpose_ext.models.utils import fit_token_map, teacher_patch_tokens

IMG = (64, 48)  # 4x3 tokens with patch 16, padding 2


def build(cfg):
    # MMPose's scope: models build their data preprocessor through
    # MMEngine's root registry (conftest undoes it after each test)
    register_all_modules()
    return MODELS.build(cfg)


def vit(width, seed, tokens=None):
    torch.manual_seed(seed)
    model = PlainViT(arch=dict(embed_dims=width, num_layers=1, num_heads=2,
                               feedforward_channels=2 * width),
                     img_size=IMG, knowledge_tokens=tokens)
    model.init_weights()
    return model


def embedding_of(teacher):
    conv = teacher.patch_embed.projection
    return dict(weight=conv.weight.detach().clone(),
                bias=conv.bias.detach().clone(),
                pos_embed=teacher.pos_embed.detach().clone(),
                grid=list(teacher.patch_grid), stride=list(conv.stride),
                padding=list(conv.padding))


def _isometry_map(tokens, width, seed=0):
    """The former transfer (fit_tokens_to_width): span coordinates,
    zero-padded, turned by a fixed seeded rotation."""
    t64 = tokens.double()
    _, r = torch.linalg.qr(t64.T)
    coords = t64.new_zeros((len(tokens), width))
    coords[:, :len(tokens)] = r.T
    gen = torch.Generator().manual_seed(seed)
    rot, _ = torch.linalg.qr(torch.randn((width, width), generator=gen,
                                         dtype=torch.float64))
    return (coords @ rot.T).to(tokens.dtype)


def related_student(teacher, width, seed):
    """A student whose input tokens are a known affine function of the
    teacher's: e_s(x) = A e_t(x) + c, for every image x."""
    gen = torch.Generator().manual_seed(seed)
    c_t = teacher.embed_dims
    A = torch.randn(width, c_t, generator=gen) / c_t ** 0.5
    c = torch.randn(width, generator=gen)
    student = vit(width, seed)
    conv_t, conv_s = teacher.patch_embed.projection, \
        student.patch_embed.projection
    with torch.no_grad():
        conv_s.weight.copy_(torch.einsum('st,tcij->scij', A, conv_t.weight))
        # the bias and the constant c go in the position table
        conv_s.bias.copy_(A @ conv_t.bias)
        student.pos_embed.copy_(teacher.pos_embed @ A.T + c)
    return student, A, c


@pytest.mark.parametrize('c_t,c_s', [(64, 32), (32, 64), (48, 48)])
def test_fitted_map_recovers_the_relation_between_token_spaces(c_t, c_s):
    """When the student's patch tokens are A e_t + c, the fit gives exactly
    the student token A t* + c: the teacher's token keeps its place among
    the patch tokens. The former isometry (a random rotation, even at equal
    widths) does not."""
    teacher = vit(c_t, seed=1)
    student, A, c = related_student(teacher, c_s, seed=2)
    images = torch.randn(6, 3, *IMG,
                         generator=torch.Generator().manual_seed(3))
    source, hw = teacher_patch_tokens(images, embedding_of(teacher))
    target, hw_s = student.embed(images)
    assert hw == hw_s == (4, 3)
    ref, _ = teacher.embed(images)
    torch.testing.assert_close(source, ref, rtol=1e-5, atol=1e-5)
    weight, bias = fit_token_map(source.flatten(0, 1),
                                 target.detach().flatten(0, 1))
    assert weight.shape == (c_s, c_t) and bias.shape == (c_s, )
    tokens = torch.randn(2, c_t, generator=torch.Generator().manual_seed(4))
    mapped = (tokens.double() @ weight.T + bias).float()
    expected = tokens @ A.T + c
    torch.testing.assert_close(mapped, expected, rtol=1e-4, atol=1e-4)
    # deterministic: the same data gives the same map, bitwise
    w2, b2 = fit_token_map(source.flatten(0, 1), target.detach().flatten(0, 1))
    assert torch.equal(w2, weight) and torch.equal(b2, bias)
    # not a random rotation: the former map misses the relation entirely
    old = _isometry_map(tokens, c_s) if c_s != c_t else tokens
    assert (old - expected).norm() > 0.5 * expected.norm()


def test_fit_is_minimum_norm_for_a_teacher_wider_than_its_patches():
    # 40 samples of width 64: rank 40 < 65 unknowns; lstsq still fits the
    # samples exactly, with the minimum-norm map
    gen = torch.Generator().manual_seed(5)
    source = torch.randn(40, 64, generator=gen, dtype=torch.float64)
    target = torch.randn(40, 8, generator=gen, dtype=torch.float64)
    weight, bias = fit_token_map(source, target)
    torch.testing.assert_close(source @ weight.T + bias, target, rtol=1e-8,
                               atol=1e-8)
    design = torch.cat([source, torch.ones(40, 1, dtype=torch.float64)], 1)
    ref = torch.linalg.pinv(design) @ target
    torch.testing.assert_close(torch.cat([weight.T, bias[None]]), ref,
                               rtol=1e-8, atol=1e-8)
    with pytest.raises(ValueError, match='fit_token_map: expected'):
        fit_token_map(source, target[:3])


def test_random_control_keeps_the_norms_and_nothing_else():
    tokens = torch.randn(3, 32, generator=torch.Generator().manual_seed(6))
    control = random_like_tokens(tokens)
    torch.testing.assert_close(control.norm(dim=1), tokens.norm(dim=1))
    assert torch.equal(control, random_like_tokens(tokens.clone()))
    cos = F.cosine_similarity(control, tokens, dim=1)
    assert cos.abs().max() < 0.6


def test_token_file_round_trip_and_errors(tmp_path):
    tokens = torch.randn(1, 2, 16)
    path = str(tmp_path / 'tokens.pth')
    save_knowledge_tokens(tokens, path, source='stage1.pth')
    data = torch.load(path, weights_only=True)
    assert set(data) == {'knowledge_tokens', 'source'}
    assert torch.equal(load_knowledge_tokens(path), tokens[0])

    with pytest.raises(FileNotFoundError, match='export_knowledge_tokens'):
        load_knowledge_tokens(str(tmp_path / 'absent.pth'))
    torch.save({'tokens': tokens}, tmp_path / 'wrong.pth')
    with pytest.raises(ValueError, match='not a knowledge token file'):
        load_knowledge_tokens(str(tmp_path / 'wrong.pth'))
    save_knowledge_tokens(torch.full((2, 16), float('nan')),
                          str(tmp_path / 'nan.pth'))
    with pytest.raises(ValueError, match='not finite'):
        load_knowledge_tokens(str(tmp_path / 'nan.pth'))
    with pytest.raises(ValueError, match=r'expected tokens \(T, C\)'):
        save_knowledge_tokens(torch.zeros(16), path)


def stage2_tokens(tmp_path, c_t=64, c_s=32, **kwargs):
    teacher = vit(c_t, seed=1)
    tokens = torch.randn(2, c_t, generator=torch.Generator().manual_seed(7))
    path = str(tmp_path / 'tokens.pth')
    save_knowledge_tokens(tokens, path, source='stage1.pth',
                          teacher_embedding=embedding_of(teacher))
    cfg = dict(type='KnowledgeTokens', num_tokens=2, token_file=path,
               **kwargs)
    return teacher, tokens, path, cfg


def test_learned_tokens_are_a_parameter_file_tokens_a_buffer(tmp_path):
    learned = KnowledgeTokens(embed_dims=16, num_tokens=2)
    assert learned.trainable and learned.num_tokens == 2
    assert [n for n, _ in learned.named_parameters()] == ['tokens']
    assert learned(3).shape == (3, 2, 16)

    _, tokens, path, cfg = stage2_tokens(tmp_path)
    frozen = build(dict(cfg, embed_dims=32))
    assert not frozen.trainable and list(frozen.parameters()) == []
    assert set(frozen.state_dict()) == {'tokens', 'ready'}
    # nothing is read before init_weights, and tokens are refused until set
    with pytest.raises(RuntimeError, match='KnowledgeTokenFitHook'):
        frozen(1)
    frozen.init_weights()
    assert frozen.needs_fit
    for bad, match in [(dict(num_tokens=0), 'num_tokens must be >= 1'),
                       (dict(transfer='rotate'), 'transfer must be one of'),
                       (dict(control='zero'), 'control must be one of'),
                       (dict(control='random', token_file=None),
                        'needs the token_file')]:
        with pytest.raises(ValueError, match=match):
            build(dict(cfg, embed_dims=8, **bad))


def test_student_backbone_fits_its_tokens_and_keeps_them_frozen(tmp_path):
    teacher, tokens, path, cfg = stage2_tokens(tmp_path)
    student, A, c = related_student(teacher, 32, seed=2)
    # 8 x 12 patch tokens: more samples than the 65 unknowns per channel
    images = torch.randn(8, 3, *IMG,
                         generator=torch.Generator().manual_seed(8))
    student.knowledge_tokens = build(dict(cfg, embed_dims=32))
    student.knowledge_tokens.init_weights()
    embedded, hw = student.embed(images)
    student.knowledge_tokens.fit(images, embedded.detach(), hw)
    kt = student.knowledge_tokens
    assert not kt.needs_fit and bool(kt.ready)
    torch.testing.assert_close(kt.tokens[0], tokens @ A.T + c, rtol=1e-4,
                               atol=1e-4)
    assert 'knowledge_tokens.tokens' not in dict(student.named_parameters())
    out = student(images)[0]
    assert out.shape == (8, 32, 4, 3)

    control = build(dict(cfg, embed_dims=32, control='random'))
    control.init_weights()
    control.fit(images, embedded.detach(), hw)
    # the control is drawn in the teacher's space with t*'s norms and sent
    # through the same map as t*
    torch.testing.assert_close(control.tokens[0],
                               random_like_tokens(tokens) @ A.T + c,
                               rtol=1e-4, atol=1e-4)
    assert not torch.allclose(control.tokens, kt.tokens, atol=1e-2)


def test_verbatim_transfer_and_file_errors(tmp_path):
    _, tokens, path, cfg = stage2_tokens(tmp_path)
    same = build(dict(cfg, embed_dims=64, transfer='verbatim'))
    same.init_weights()
    assert torch.equal(same.tokens[0], tokens) and not same.needs_fit
    narrow = build(dict(cfg, embed_dims=32, transfer='verbatim'))
    with pytest.raises(ValueError, match="use transfer='fit'"):
        narrow.init_weights()
    three = build(dict(cfg, embed_dims=32, num_tokens=3))
    with pytest.raises(ValueError, match='holds 2 tokens.*num_tokens=2'):
        three.init_weights()
    bare = str(tmp_path / 'bare.pth')
    save_knowledge_tokens(tokens, bare)
    no_embedding = build(dict(cfg, embed_dims=32, token_file=bare))
    with pytest.raises(ValueError, match='export the tokens again'):
        no_embedding.init_weights()


def test_stage2_checkpoint_loads_without_the_token_file(tmp_path):
    """Testing a stage-2 checkpoint never reads the token file: the tokens
    are in the checkpoint."""
    from mmengine.runner import load_checkpoint

    from tests.helpers.distillation import model_cfg
    teacher, tokens, path, tcfg = stage2_tokens(tmp_path)
    cfg = model_cfg(arch=dict(embed_dims=32, num_layers=1, num_heads=2,
                              feedforward_channels=64), tokens=tcfg)
    trained = build(cfg)
    trained.init_weights()
    images = torch.randn(2, 3, *IMG,
                         generator=torch.Generator().manual_seed(9))
    embedded, hw = trained.backbone.embed(images)
    trained.backbone.knowledge_tokens.fit(images, embedded.detach(), hw)
    ckpt = tmp_path / 'stage2.pth'
    torch.save({'state_dict': trained.state_dict()}, ckpt)
    (tmp_path / 'tokens.pth').unlink()  # the token file is gone

    restored = build(cfg)  # no init_weights: as mim test / init_model
    from mmpose_ext.apis import load_checkpoint_strict
    load_checkpoint_strict(restored, str(ckpt))
    assert torch.equal(restored.backbone.knowledge_tokens.tokens,
                       trained.backbone.knowledge_tokens.tokens)
    restored.eval()
    trained.eval()
    torch.testing.assert_close(restored.extract_feat(images)[0],
                               trained.extract_feat(images)[0])
    # MMEngine's own loader (what mim test uses) too
    again = build(cfg)
    load_checkpoint(again, str(ckpt))
    assert bool(again.backbone.knowledge_tokens.ready)
