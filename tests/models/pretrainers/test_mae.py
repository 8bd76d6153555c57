"""MAE pre-training of PlainViT: the stated fraction of patches is masked,
the loss counts only masked patches and uses MAE's normalised-pixel target,
the encoder never sees a masked patch, every parameter learns, and the
pre-trained backbone loads into a ViTPose with every backbone tensor."""
import pytest
import torch
from mmengine.runner import load_checkpoint

import mmpose_ext  # noqa: F401
from mmpose.registry import MODELS
from mmpose.utils import register_all_modules
from mmpose_ext.models.pretrainers import (mae_target, masked_patch_loss,
                                           patchify, random_masking,
                                           sincos_pos_embed_2d, unpatchify)

IMG = (128, 96)  # 8 x 6 patches (patch 16, padding 2)
TINY = dict(embed_dims=64, num_layers=2, num_heads=4, feedforward_channels=256)
PREPROCESSOR = dict(type='PoseDataPreprocessor', mean=[123.675, 116.28,
                                                        103.53],
                    std=[58.395, 57.12, 57.375], bgr_to_rgb=True)


def build(cfg):
    # MMPose's scope: models build their data preprocessor through
    # MMEngine's root registry (conftest undoes it after each test)
    register_all_modules()
    return MODELS.build(cfg)


def mae(mask_ratio=0.75, **kwargs):
    torch.manual_seed(0)
    model = build(dict(
        type='MAEPretrainer', data_preprocessor=PREPROCESSOR,
        backbone=dict(type='PlainViT', arch=TINY, img_size=IMG),
        decoder=dict(embed_dims=32, num_layers=1, num_heads=2),
        mask_ratio=mask_ratio, **kwargs))
    model.init_weights()
    return model


def images(n=3, seed=1):
    return torch.randn(n, 3, *IMG, generator=torch.Generator().manual_seed(
        seed))


@pytest.mark.parametrize('ratio,num,keep', [(0.75, 48, 12), (0.75, 192, 48),
                                            (0.5, 48, 24), (0.9, 48, 4)])
def test_the_stated_fraction_of_patches_is_masked(ratio, num, keep):
    gen = torch.Generator().manual_seed(2)
    kept, mask = random_masking(5, num, ratio, generator=gen)
    assert kept.shape == (5, keep) and mask.shape == (5, num)
    assert torch.equal(mask.sum(1), torch.full((5, ), float(num - keep)))
    for b in range(5):
        assert kept[b].unique().numel() == keep  # no repeats
        assert torch.equal(mask[b, kept[b]], torch.zeros(keep))
    # a different draw per image
    assert not all(torch.equal(kept[0], kept[b]) for b in range(1, 5))


def test_model_masks_75_percent_and_the_encoder_sees_only_kept_patches():
    model = mae().eval()
    x = images()
    torch.manual_seed(3)
    out = model.reconstruct(x)
    assert out['mask'].shape == (3, 48) and out['keep'].shape == (3, 12)
    assert torch.equal(out['mask'].sum(1), torch.full((3, ), 36.))
    assert out['pred'].shape == out['target'].shape == (3, 48, 3 * 16 * 16)
    # the patches are disjoint (stride = kernel): changing the pixels of
    # masked patches does not change the encoded visible tokens
    visible = model.backbone.forward_visible(x, out['keep'])
    noisy = out['patches'] + out['mask'][..., None] * torch.randn_like(
        out['patches'])
    x2 = x.clone()
    covered = unpatchify(noisy, IMG, model.kernel, model.stride,
                         model.padding)
    rows, cols = 8 * 16 - 2, 6 * 16 - 2  # pixels under some kernel
    x2[..., :rows, :cols] = covered[..., :rows, :cols]
    torch.testing.assert_close(model.backbone.forward_visible(
        x2, out['keep']), visible)
    assert not torch.allclose(x2, x)


def test_loss_counts_only_masked_patches_with_normalised_pixels():
    gen = torch.Generator().manual_seed(4)
    pred = torch.randn(2, 10, 12, generator=gen)
    patches = torch.randn(2, 10, 12, generator=gen) * 3 + 1
    mask = torch.zeros(2, 10)
    mask[0, [1, 4, 5]] = 1
    mask[1, [0, 9]] = 1
    target = mae_target(patches)
    manual = (patches - patches.mean(-1, keepdim=True)) / torch.sqrt(
        patches.var(-1, unbiased=True, keepdim=True) + 1e-6)
    torch.testing.assert_close(target, manual)
    loss = masked_patch_loss(pred, target, mask)
    per_patch = ((pred - target)**2).mean(-1)
    expected = (per_patch[0, [1, 4, 5]].sum() + per_patch[1, [0, 9]].sum()
                ) / 5
    torch.testing.assert_close(loss, expected)
    # changing visible predictions changes nothing; a masked one does
    changed = pred.clone()
    changed[0, 0] += 10
    changed[1, 3] -= 5
    assert torch.equal(masked_patch_loss(changed, target, mask), loss)
    changed[0, 4] += 1
    assert masked_patch_loss(changed, target, mask) > loss
    assert torch.equal(mae_target(patches, norm_pix=False), patches)


def test_model_loss_is_the_masked_mean_and_every_parameter_learns():
    model = mae().train()
    x = images()
    torch.manual_seed(5)
    losses = model(x, None, mode='loss')
    torch.manual_seed(5)
    out = model.reconstruct(x)
    per_patch = ((out['pred'] - out['target'])**2).mean(-1)
    expected = per_patch[out['mask'].bool()].mean()
    torch.testing.assert_close(losses['loss_mae'], expected)
    losses['loss_mae'].backward()
    for name, p in model.named_parameters():
        if name == 'backbone.pos_embed':
            # MAE's encoder positions are fixed during pre-training
            assert not p.requires_grad and p.grad is None
            continue
        assert p.grad is not None and p.grad.abs().sum() > 0, name
        assert torch.isfinite(p.grad).all(), name


def test_encoder_positions_are_mae_fixed_sincos_table():
    model = mae()
    table = sincos_pos_embed_2d((8, 6), TINY['embed_dims'])
    pos = model.backbone.pos_embed
    assert torch.equal(pos.detach(), table) and not pos.requires_grad
    # an optimizer over all parameters (MMEngine's default) leaves it alone
    optim = torch.optim.AdamW(model.parameters(), lr=1e-2, weight_decay=0.05)
    model.train()(images(), None, mode='loss')['loss_mae'].backward()
    optim.step()
    assert torch.equal(pos.detach(), table)
    # the checkpoint carries the table, so fine-tuning starts from it
    assert torch.equal(model.state_dict()['backbone.pos_embed'], table)
    learned = mae(fixed_pos_embed=False).backbone.pos_embed
    assert learned.requires_grad and not torch.equal(learned.detach(), table)


def _xavier_bound(weight):
    fan_out, fan_in = weight.shape[0], weight[0].numel()
    return (6 / (fan_in + fan_out))**.5


@pytest.mark.parametrize('scheme', ['mae', 'vit'])
def test_mae_initialisation_is_xavier_uniform(scheme):
    """MAE's ``_init_weights``: Xavier-uniform linears (qkv as one
    ``(3C, C)`` matrix) and the patch kernel as a ``(C, 3*k*k)`` linear;
    ``init_scheme='vit'`` keeps ViT's truncated normal (std 0.02)."""
    model = mae(init_scheme=scheme)
    layer = model.backbone.layers[0]
    weights = [layer.attn.attn.in_proj_weight, layer.attn.attn.out_proj.weight,
               layer.ffn.layers[0][0].weight, layer.ffn.layers[1].weight,
               model.decoder.layers[0].attn.attn.in_proj_weight,
               model.decoder.pred.weight]
    kernel = model.backbone.patch_embed.projection.weight
    if scheme == 'vit':
        weights = weights[:4]  # the decoder keeps its own (MAE) scheme
    for w in weights:
        w = w.detach()
        if scheme == 'mae':
            bound = _xavier_bound(w)
            assert w.abs().max() <= bound
            # uniform on [-b, b]: std b / sqrt(3)
            assert abs(w.std() / (bound / 3**.5) - 1) < 0.1, w.shape
        else:
            assert abs(w.std() / 0.02 - 1) < 0.15, w.shape
    if scheme == 'mae':
        bound = _xavier_bound(kernel.detach())
        assert kernel.abs().max() <= bound
        assert abs(kernel.std() / (bound / 3**.5) - 1) < 0.1
    with pytest.raises(ValueError, match="init_scheme must be 'mae' or"):
        mae(init_scheme='xavier')


def test_patches_are_what_the_patch_embedding_sees():
    model = mae()
    x = images(2)
    conv = model.backbone.patch_embed.projection
    tokens, hw = model.backbone.patch_embed(x)  # (B, N, C)
    patches = patchify(x, model.kernel, model.stride, model.padding)
    as_linear = patches @ conv.weight.flatten(1).T + conv.bias
    assert hw == (8, 6)
    torch.testing.assert_close(as_linear, tokens, rtol=1e-4, atol=1e-4)
    back = unpatchify(patches, IMG, model.kernel, model.stride,
                      model.padding)
    assert torch.equal(back[..., :126, :94], x[..., :126, :94])


def test_sincos_table_follows_the_formula():
    table = sincos_pos_embed_2d((2, 3), 8)
    assert table.shape == (1, 6, 8)
    omega = torch.tensor([1., 0.01])  # 10000 ** -(i / 2)
    # patch (row 1, col 2) is index 5: [sin(2w), cos(2w), sin(1w), cos(1w)]
    expected = torch.cat([torch.sin(2 * omega), torch.cos(2 * omega),
                          torch.sin(1 * omega), torch.cos(1 * omega)])
    torch.testing.assert_close(table[0, 5], expected)
    with pytest.raises(ValueError, match='multiple of 4'):
        sincos_pos_embed_2d((2, 3), 6)


def test_bad_options_are_refused():
    with pytest.raises(ValueError, match=r'mask_ratio must be in \(0, 1\)'):
        mae(mask_ratio=1.0)
    model = build(dict(
        type='MAEPretrainer', data_preprocessor=PREPROCESSOR,
        backbone=dict(type='PlainViT', arch=TINY, img_size=IMG,
                      window_size=(4, 3)),
        decoder=dict(embed_dims=32, num_layers=1, num_heads=2)))
    with pytest.raises(ValueError, match='window attention needs the whole'):
        model.reconstruct(images(1))
    with pytest.raises(ValueError, match='give 12 patches.*make the '
                       "pipeline's input_size match"):
        mae().reconstruct(torch.zeros(1, 3, 64, 48))


def test_pretrained_backbone_loads_into_vitpose_with_every_tensor(tmp_path):
    model = mae()
    path = tmp_path / 'mae.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    own = {k[len('backbone.'):]: v for k, v in model.state_dict().items()
           if k.startswith('backbone.')}
    # init_cfg: strict, every backbone tensor
    vit = build(dict(type='PlainViT', arch=TINY, img_size=IMG,
                            init_cfg=dict(type='Pretrained',
                                          checkpoint=str(path))))
    vit.init_weights()
    assert set(vit.state_dict()) == set(own)
    for k, v in vit.state_dict().items():
        assert torch.equal(v, own[k]), k
    # load_from (MMEngine's loader): the backbone part of a pose model
    pose = build(dict(
        type='TopdownPoseEstimator', data_preprocessor=PREPROCESSOR,
        backbone=dict(type='PlainViT', arch=TINY, img_size=IMG),
        head=dict(type='HeatmapHead', in_channels=64, out_channels=17,
                  deconv_out_channels=(16, 16), deconv_kernel_sizes=(4, 4))))
    load_checkpoint(pose, str(path))
    for k, v in pose.backbone.state_dict().items():
        assert torch.equal(v, own[k]), k
