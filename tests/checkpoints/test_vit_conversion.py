"""Converters and loaders of published ViT / ViTPose weights, on state dicts
built with the official key names and shapes (no downloads); the official
forward (tests/helpers/vitpose_reference.py) is the oracle of the converted
models."""
import pickle

import pytest
import torch
import torch.nn.functional as F

from mmpose.registry import MODELS
from mmpose_ext.checkpoints import (CheckpointMismatchError,
                                    CheckpointRefusedError,
                                    convert_vit_backbone,
                                    convert_vitpose_checkpoint, find_vit,
                                    load_pose_checkpoint,
                                    locate_vit, vit_layout,
                                    vitpose_checkpoint_to_official)
from mmpose_ext.models.backbones import PlainViT
from mmpose_ext.models.utils import fit_patch_kernel, fit_pos_embed
from mmpose_ext.tools.convert_vitpose import main as convert_main
from tests.helpers.vitpose_reference import (official_backbone, official_head,
                                             official_state_dict,
                                             vitpose_estimator_cfg)

TINY = dict(embed_dims=64, num_layers=2, num_heads=4, feedforward_channels=256)
GRID = (4, 3)  # 64x48 inputs


def estimator(head):
    return MODELS.build(vitpose_estimator_cfg(head, TINY, (64, 48),
                                              64)).eval()


@pytest.mark.parametrize('head', ['classic', 'simple'])
def test_official_checkpoint_round_trip(head):
    sd = official_state_dict(64, 2, GRID, head=head)
    back = vitpose_checkpoint_to_official(convert_vitpose_checkpoint(sd))
    assert set(back) == set(sd)
    for k in sd:
        if k != 'backbone.pos_embed':
            assert torch.equal(back[k], sd[k]), k
    # pos_embed: the official forward adds slot + patch part; that sum is
    # kept bitwise (the slot comes back as zeros)
    pos, pos_back = sd['backbone.pos_embed'], back['backbone.pos_embed']
    assert torch.equal(pos_back[:, :1], torch.zeros_like(pos[:, :1]))
    assert torch.equal(pos_back[:, 1:] + pos_back[:, :1],
                       pos[:, 1:] + pos[:, :1])


@pytest.mark.parametrize('head', ['classic', 'simple'])
def test_converted_official_model_matches_official_forward(head):
    sd = official_state_dict(64, 2, GRID, head=head, seed=3)
    model = estimator(head)
    model.load_state_dict(convert_vitpose_checkpoint(sd), strict=True)
    x = torch.randn(2, 3, 64, 48, generator=torch.Generator().manual_seed(4))
    ours = model(x, None, mode='tensor')
    ref = official_head(sd, official_backbone(sd, x, num_heads=4), head)
    assert ours.shape == (2, 17, 16, 12)
    torch.testing.assert_close(ours, ref, rtol=1e-4, atol=1e-5)


def mae_state_dict(seed=0, side=5, patch=14):
    """An MAE encoder checkpoint: cls_token, a side x side + 1 sin-cos-like
    position table with a zero class slot, 14x14 patches (as ViT-H), the
    encoder norm, decoder keys and the mask token."""
    sd = official_state_dict(64, 2, GRID, seed=seed)
    out = {k[len('backbone.'):]: v for k, v in sd.items()}
    gen = torch.Generator().manual_seed(seed + 1)
    out['pos_embed'] = torch.cat(
        [torch.zeros(1, 1, 64), torch.randn(1, side * side, 64,
                                            generator=gen)], 1)
    out['patch_embed.proj.weight'] = torch.randn(64, 3, patch, patch,
                                                 generator=gen)
    out['norm.weight'] = out.pop('last_norm.weight')
    out['norm.bias'] = out.pop('last_norm.bias')
    out['cls_token'] = torch.randn(1, 1, 64, generator=gen)
    out['mask_token'] = torch.randn(1, 1, 32, generator=gen)
    out['decoder_embed.weight'] = torch.randn(32, 64, generator=gen)
    return out


def test_mae_checkpoint_initialises_the_backbone(tmp_path):
    mae = mae_state_dict()
    path = tmp_path / 'mae_pretrain_vit_tiny.pth'
    torch.save({'model': mae}, path)
    model = PlainViT(arch=TINY, img_size=(64, 48),
                     init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    model.init_weights()
    state = model.state_dict()
    assert torch.equal(state['layers.1.attn.attn.in_proj_weight'],
                       mae['blocks.1.attn.qkv.weight'])
    assert torch.equal(state['layers.0.ffn.layers.1.bias'],
                       mae['blocks.0.mlp.fc2.bias'])
    # 5x5 table (zero class slot dropped) resized bicubically to 4x3
    grid = mae['pos_embed'][:, 1:].reshape(1, 5, 5, 64).permute(0, 3, 1, 2)
    expected = F.interpolate(grid, size=GRID, mode='bicubic',
                             align_corners=False).flatten(2).transpose(1, 2)
    torch.testing.assert_close(state['pos_embed'], expected)
    # 14x14 kernel zero-padded to 16x16 around the centre
    kernel = state['patch_embed.projection.weight']
    assert torch.equal(kernel[..., 1:15, 1:15],
                       mae['patch_embed.proj.weight'])
    assert kernel[..., 0, :].abs().sum() == 0 and kernel[..., :, 15].abs(
    ).sum() == 0
    # MAE's encoder norm is not the pose backbone's last_norm (as official)
    assert torch.equal(state['last_norm.weight'], torch.ones(64))


def test_mmpretrain_layout_converts_to_the_same_weights():
    sd = official_state_dict(64, 2, GRID, seed=5)
    backbone = {k[len('backbone.'):]: v for k, v in sd.items()}
    names = {'norm1': 'ln1', 'norm2': 'ln2', 'mlp.fc1': 'ffn.layers.0.0',
             'mlp.fc2': 'ffn.layers.1', 'patch_embed.proj.':
             'patch_embed.projection.', 'last_norm': 'ln1'}
    mmpretrain = {}
    for k, v in backbone.items():
        new = k.replace('blocks.', 'layers.')
        for old, rep in names.items():
            new = new.replace(old, rep)
        mmpretrain[new] = v
    mmpretrain['pos_embed'] = backbone['pos_embed'][:, 1:] + \
        backbone['pos_embed'][:, :1]
    assert vit_layout(mmpretrain) == 'mmpretrain'
    ours_a, _ = convert_vit_backbone(mmpretrain)
    ours_b = {k[len('backbone.'):]: v
              for k, v in convert_vitpose_checkpoint(sd).items()}
    assert set(ours_a) == set(ours_b)
    for k in ours_a:
        assert torch.equal(ours_a[k], ours_b[k]), k


def test_convert_tool_writes_a_loadable_checkpoint(tmp_path):
    sd = official_state_dict(64, 2, GRID, head='classic', seed=6)
    src, dst = tmp_path / 'vitpose_tiny.pth', tmp_path / 'converted.pth'
    torch.save({'state_dict': sd, 'meta': {'epoch': 210}}, src)
    convert_main([str(src), str(dst)])
    converted = torch.load(dst, weights_only=True)['state_dict']
    model = estimator('classic')
    model.load_state_dict(converted, strict=True)


def test_wrong_size_checkpoint_is_refused_with_a_clear_message(tmp_path):
    sd = official_state_dict(32, 2, GRID)  # width 32 for a width-64 model
    path = tmp_path / 'vit_narrow.pth'
    torch.save({'state_dict': sd}, path)
    model = PlainViT(arch=TINY, img_size=(64, 48),
                     init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    with pytest.raises(CheckpointMismatchError,
                       match='(?s)does not match this PlainViT '
                       r'\(embed_dims=64.*different shapes'):
        model.init_weights()


def test_missing_checkpoint_file_says_so(tmp_path):
    model = PlainViT(arch=TINY, img_size=(64, 48), init_cfg=dict(
        type='Pretrained', checkpoint=str(tmp_path / 'absent.pth')))
    with pytest.raises(FileNotFoundError, match='absent.pth.*init_cfg=None'):
        model.init_weights()


class _Payload:

    def __reduce__(self):
        return (print, ('code ran',))


def test_checkpoints_load_weights_only(tmp_path):
    path = tmp_path / 'evil.pth'
    with open(path, 'wb') as f:
        pickle.dump({'model': {'pos_embed': _Payload()}}, f)
    model = PlainViT(arch=TINY, img_size=(64, 48),
                     init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    with pytest.raises(CheckpointRefusedError):
        model.init_weights()


def test_layout_and_grid_errors():
    with pytest.raises(ValueError, match='not a ViT state dict'):
        vit_layout({'conv1.weight': torch.zeros(1)})
    backbone = {k[len('backbone.'):]: v
                for k, v in official_state_dict(64, 2, GRID).items()}
    with pytest.raises(ValueError, match='no counterpart in PlainViT'):
        convert_vit_backbone({**backbone,
                              'blocks.0.extra.weight': torch.zeros(1)})
    with pytest.raises(ValueError, match='pass src_hw'):
        fit_pos_embed(torch.zeros(1, 10, 8), 10, (4, 3))
    assert fit_pos_embed(torch.zeros(1, 10, 8), 10, (4, 3),
                         src_hw=(5, 2)).shape == (1, 12, 8)
    with pytest.raises(ValueError, match='does not fit a 16x16'):
        fit_patch_kernel(torch.zeros(4, 3, 18, 18), (16, 16))


@pytest.mark.parametrize('prefix', ['', 'encoder.', 'model.encoder.'])
def test_mae_weights_are_found_under_any_prefix(tmp_path, prefix):
    """MAE weights under an ``encoder.`` prefix (beside a decoder with
    blocks of its own) load exactly like the bare MAE file; the old
    key-substring test took them for the mmpretrain layout."""
    mae = mae_state_dict(seed=7)
    sd = {prefix + k: v for k, v in mae.items()}
    # a decoder with transformer blocks of the same layout but no patch
    # embedding: not a backbone
    for k, v in official_state_dict(32, 1, GRID, seed=8).items():
        if '.blocks.' in k:
            sd['decoder.' + k[len('backbone.'):]] = v
    assert locate_vit(sd) == [(prefix, 'timm')]
    path = tmp_path / 'mae.pth'
    torch.save({'model': sd}, path)
    model = PlainViT(arch=TINY, img_size=(64, 48),
                     init_cfg=dict(type='Pretrained', checkpoint=str(path)))
    model.init_weights()
    bare_path = tmp_path / 'bare.pth'
    torch.save({'model': mae}, bare_path)
    bare = PlainViT(arch=TINY, img_size=(64, 48), init_cfg=dict(
        type='Pretrained', checkpoint=str(bare_path)))
    bare.init_weights()
    ours, theirs = model.state_dict(), bare.state_dict()
    for k in ours:
        if not k.startswith('last_norm'):  # freshly initialised in both
            assert torch.equal(ours[k], theirs[k]), k


@pytest.mark.parametrize('layout', ['timm', 'mmpretrain', 'mmpose_ext'])
def test_layouts_are_told_by_content(layout):
    sd = official_state_dict(64, 2, GRID, seed=9)
    backbone = {k[len('backbone.'):]: v for k, v in sd.items()}
    if layout == 'mmpose_ext':
        backbone, _ = convert_vit_backbone(backbone)
    elif layout == 'mmpretrain':
        backbone = {k.replace('blocks.', 'layers.').replace(
            'norm1', 'ln1').replace('norm2', 'ln2').replace(
                'mlp.fc1', 'ffn.layers.0.0').replace(
                    'mlp.fc2', 'ffn.layers.1').replace(
                        'patch_embed.proj.', 'patch_embed.projection.'): v
                    for k, v in backbone.items()}
    assert vit_layout(backbone) == layout
    assert find_vit({'backbone.' + k: v for k, v in backbone.items()}) == (
        'backbone.', layout)
    # names alone are not a ViT: the keys of layer 0 without the patch
    # embedding, or with tensors of the wrong shapes
    no_patch = {k: v for k, v in backbone.items()
                if not k.startswith('patch_embed')}
    with pytest.raises(ValueError, match='not a ViT state dict'):
        vit_layout(no_patch)
    wrong = {k: torch.zeros(3) for k in backbone}
    assert locate_vit(wrong) == []


def test_two_backbones_must_be_chosen_by_prefix():
    sd = official_state_dict(64, 2, GRID, seed=10)
    both = {**sd, **{'teacher.' + k: v for k, v in sd.items()}}
    with pytest.raises(ValueError, match='holds 2 ViT backbones'):
        find_vit(both)
    assert find_vit(both, prefix='teacher.backbone.') == (
        'teacher.backbone.', 'timm')


def test_pose_checkpoints_load_through_the_one_strict_check(tmp_path):
    """The teacher loader and the PlainViT loader raise the same error as
    ``load_checkpoint_strict`` (one check); ``allow_missing`` is honoured."""
    from mmpose_ext.apis import CheckpointMismatchError as ApiError
    assert ApiError is CheckpointMismatchError
    model = estimator('classic')
    sd = convert_vitpose_checkpoint(official_state_dict(
        64, 2, GRID, head='classic', deconv=(256, 256), seed=11))
    path = tmp_path / 'pose.pth'
    torch.save({'state_dict': sd}, path)
    load_pose_checkpoint(model, str(path))
    assert torch.equal(model.state_dict()['backbone.pos_embed'],
                       sd['backbone.pos_embed'])
    partial = {k: v for k, v in sd.items() if not k.startswith('head.')}
    torch.save({'state_dict': partial}, path)
    with pytest.raises(CheckpointMismatchError,
                       match='(?s)does not match the TopdownPoseEstimator.*'
                       r'missing in the checkpoint \(\d+\)') as err:
        load_pose_checkpoint(model, str(path))
    assert all(k.startswith('head.') for k in err.value.missing_keys)
    load_pose_checkpoint(model, str(path), allow_missing=('head.', ))


def mmpretrain_vitpose_state_dict(embed_dims, num_layers, grid, seed=0):
    """An MMPose 1.x ViTPose checkpoint's keys and shapes
    (``mmpretrain.VisionTransformer`` with ``with_cls_token=False``,
    ``out_type='featmap'``, patch padding 2, final norm ``ln1``; classic
    ``HeatmapHead`` under ``head.``), every tensor drawn independently: no
    official dict renamed, so a swapped pair of names cannot hide."""
    c = embed_dims
    shapes = {
        'backbone.pos_embed': (1, grid[0] * grid[1], c),
        'backbone.patch_embed.projection.weight': (c, 3, 16, 16),
        'backbone.patch_embed.projection.bias': (c, ),
        'backbone.ln1.weight': (c, ),
        'backbone.ln1.bias': (c, ),
    }
    for i in range(num_layers):
        p = f'backbone.layers.{i}.'
        shapes.update({
            p + 'ln1.weight': (c, ), p + 'ln1.bias': (c, ),
            p + 'attn.qkv.weight': (3 * c, c), p + 'attn.qkv.bias': (3 * c, ),
            p + 'attn.proj.weight': (c, c), p + 'attn.proj.bias': (c, ),
            p + 'ln2.weight': (c, ), p + 'ln2.bias': (c, ),
            p + 'ffn.layers.0.0.weight': (4 * c, c),
            p + 'ffn.layers.0.0.bias': (4 * c, ),
            p + 'ffn.layers.1.weight': (c, 4 * c),
            p + 'ffn.layers.1.bias': (c, )})
    cin = c
    for j in (0, 3):
        shapes[f'head.deconv_layers.{j}.weight'] = (cin, 256, 4, 4)
        for name in ('weight', 'bias', 'running_mean', 'running_var'):
            shapes[f'head.deconv_layers.{j + 1}.{name}'] = (256, )
        cin = 256
    shapes['head.final_layer.weight'] = (17, 256, 1, 1)
    shapes['head.final_layer.bias'] = (17, )
    gen = torch.Generator().manual_seed(seed)
    return {k: torch.randn(s, generator=gen) for k, s in shapes.items()}


def test_mmpose_1x_layout_with_random_tensors_lands_every_tensor():
    mm = mmpretrain_vitpose_state_dict(64, 2, GRID, seed=11)
    converted = convert_vitpose_checkpoint(mm)
    model = estimator('classic')
    model.load_state_dict(converted, strict=True)
    state = model.state_dict()
    where = {  # ours <- MMPose 1.x
        'backbone.pos_embed': 'backbone.pos_embed',
        'backbone.patch_embed.projection.weight':
        'backbone.patch_embed.projection.weight',
        'backbone.last_norm.bias': 'backbone.ln1.bias',
        'head.final_layer.weight': 'head.final_layer.weight',
        'head.deconv_layers.4.running_var':
        'head.deconv_layers.4.running_var',
    }
    for i in range(2):
        ours, theirs = f'backbone.layers.{i}.', f'backbone.layers.{i}.'
        where.update({
            ours + 'ln1.weight': theirs + 'ln1.weight',
            ours + 'ln2.bias': theirs + 'ln2.bias',
            ours + 'attn.attn.in_proj_weight': theirs + 'attn.qkv.weight',
            ours + 'attn.attn.in_proj_bias': theirs + 'attn.qkv.bias',
            ours + 'attn.attn.out_proj.weight': theirs + 'attn.proj.weight',
            ours + 'ffn.layers.0.0.weight': theirs + 'ffn.layers.0.0.weight',
            ours + 'ffn.layers.1.bias': theirs + 'ffn.layers.1.bias'})
    for ours, theirs in where.items():
        assert torch.equal(state[ours], mm[theirs]), (ours, theirs)
    # every tensor of the file is used exactly once
    values = {id(v) for v in converted.values()}
    assert len(values) == len(mm) == len(converted)
