"""MAE pre-training of :class:`PlainViT` (He et al., "Masked Autoencoders
Are Scalable Vision Learners", CVPR 2022), as ViTPose pre-trains its backbone
on person crops (Sec. 3.2 / 4.3 of the ViTPose paper).

A random ``mask_ratio`` of the patches (75 %) is dropped per image; the
encoder (the pose backbone itself) sees only the kept patches; a light
decoder (:class:`MAEDecoder`) predicts the pixels of every patch; the loss is
the mean squared error against the per-patch normalised pixels, averaged
over the masked patches only.

A "patch" is exactly what the backbone's patch embedding sees: with ViTPose's
padding the kernels overlap the border, so the targets are taken from the
image zero-padded the same way (``patchify``), and token ``i`` reconstructs
the pixels under its own kernel.
"""
from typing import Dict, List, Optional, Sequence, Tuple, Union

import torch
import torch.nn.functional as F
from mmengine.model import BaseModel
from torch import Tensor, nn

from mmpose.registry import MODELS
from ..layers.vit_layer import init_vit_weights
from .mae_decoder import sincos_pos_embed_2d


def patchify(images: Tensor, kernel: Sequence[int], stride: Sequence[int],
             padding: Sequence[int]) -> Tensor:
    """The pixels under each patch kernel, row-major like the patch
    embedding's tokens.

    Args:
        images (Tensor): ``(B, c, H_img, W_img)``.

    Returns:
        Tensor: ``(B, N, c * kh * kw)``; each row is channel-major
        (``c, kh, kw``).
    """
    cols = F.unfold(images, tuple(kernel), padding=tuple(padding),
                    stride=tuple(stride))  # (B, c*kh*kw, N)
    return cols.transpose(1, 2)


def unpatchify(patches: Tensor, image_hw: Sequence[int],
               kernel: Sequence[int], stride: Sequence[int],
               padding: Sequence[int]) -> Tensor:
    """Inverse of :func:`patchify` for non-overlapping patches
    (``stride == kernel``): ``(B, N, c*kh*kw) -> (B, c, H_img, W_img)``;
    pixels under no kernel are zero."""
    if tuple(stride) != tuple(kernel):
        raise ValueError('unpatchify: overlapping patches (stride '
                         f'{tuple(stride)} < kernel {tuple(kernel)}) cannot '
                         'be put back into one image')
    return F.fold(patches.transpose(1, 2), tuple(image_hw), tuple(kernel),
                  padding=tuple(padding), stride=tuple(stride))


def mae_target(patches: Tensor, norm_pix: bool = True,
               eps: float = 1e-6) -> Tensor:
    """MAE's target: with ``norm_pix`` the pixels of each patch normalised
    by their own mean and (unbiased) variance, ``(p - mean) / sqrt(var +
    eps)``; else the pixels. ``(B, N, P) -> (B, N, P)``."""
    if not norm_pix:
        return patches
    mean = patches.mean(dim=-1, keepdim=True)
    var = patches.var(dim=-1, keepdim=True)
    return (patches - mean) / (var + eps)**.5


def masked_patch_loss(pred: Tensor, target: Tensor, mask: Tensor) -> Tensor:
    """Mean over the masked patches of the per-patch mean squared error.

    Args:
        pred, target (Tensor): ``(B, N, P)``.
        mask (Tensor): ``(B, N)``, 1 for masked (reconstructed) patches, 0
            for visible ones, which do not count.
    """
    per_patch = ((pred - target)**2).mean(dim=-1)  # (B, N)
    return (per_patch * mask).sum() / mask.sum().clamp(min=1)


def random_masking(batch: int, num_patches: int, mask_ratio: float,
                   device=None,
                   generator: Optional[torch.Generator] = None
                   ) -> Tuple[Tensor, Tensor]:
    """Per image, keep ``int(N * (1 - mask_ratio))`` patches drawn uniformly
    without replacement (MAE's argsort of uniform noise).

    Returns:
        tuple: ``keep`` ``(B, L)`` kept patch indices (ascending) and
        ``mask`` ``(B, N)``, 1 where a patch is masked.
    """
    num_keep = int(num_patches * (1 - mask_ratio))
    noise = torch.rand(batch, num_patches, device=device, generator=generator)
    keep = noise.argsort(dim=1)[:, :num_keep].sort(dim=1).values  # (B, L)
    mask = torch.ones(batch, num_patches, device=device)
    mask.scatter_(1, keep, 0.)
    return keep, mask


@MODELS.register_module()
class MAEPretrainer(BaseModel):
    """MAE pre-training of a :class:`PlainViT` on crops from a pose dataset.

    It trains with ``mim train`` like any config: the dataset and pipeline
    are MMPose's top-down ones (``PackPoseInputs``; keypoints are not used).
    Its checkpoints hold the backbone under ``backbone.`` in
    :class:`PlainViT`'s own layout, so a ViTPose config loads them with
    ``backbone.init_cfg=dict(type='Pretrained', checkpoint=...)`` (every
    backbone tensor is required) or ``load_from``.

    Note:
        - B: batch; N = H * W patches; L = ``int(N * (1 - mask_ratio))``
          visible patches; P = ``in_channels * k * k`` pixels per patch

    Args:
        backbone (dict): The :class:`PlainViT` to pre-train; full attention,
            no knowledge tokens.
        decoder (dict): :class:`MAEDecoder` arguments besides ``in_dims``,
            ``grid`` and ``patch_dims`` (filled in from the backbone).
        mask_ratio (float): Fraction of patches masked (0.75 in MAE and
            ViTPose).
        norm_pix_loss (bool): Normalise each target patch (MAE's best).
        fixed_pos_embed (bool): Give the backbone's position table MAE's
            fixed 2-D sine-cosine values and no gradient during
            pre-training (MAE's ``pos_embed``, ``requires_grad=False``);
            the checkpoint carries the table, and fine-tuning starts from it
            as a learned table. False keeps the backbone's learned table.
        init_scheme (str): ``'mae'``: MAE's initialisation of the backbone
            (Xavier-uniform linears and attention in-projections, the patch
            kernel Xavier-uniform as a ``(C, c*k*k)`` linear); ``'vit'``: the
            backbone's own (truncated normal, std 0.02). Ignored when the
            backbone starts from published weights (its ``init_cfg``).
        data_preprocessor (dict): MMPose's ``PoseDataPreprocessor`` config.
    """

    def __init__(self,
                 backbone: dict,
                 decoder: dict = dict(),
                 mask_ratio: float = 0.75,
                 norm_pix_loss: bool = True,
                 fixed_pos_embed: bool = True,
                 init_scheme: str = 'mae',
                 data_preprocessor: Optional[dict] = None,
                 init_cfg=None):
        if isinstance(data_preprocessor, dict):
            data_preprocessor = MODELS.build(data_preprocessor)
        super().__init__(data_preprocessor=data_preprocessor,
                         init_cfg=init_cfg)
        name = type(self).__name__
        if not 0. < mask_ratio < 1.:
            raise ValueError(f'{name}: mask_ratio must be in (0, 1), got '
                             f'{mask_ratio}')
        if init_scheme not in ('mae', 'vit'):
            raise ValueError(f"{name}: init_scheme must be 'mae' or 'vit', "
                             f'got {init_scheme!r}')
        self.backbone = MODELS.build(backbone)
        if getattr(self.backbone, 'num_extra_tokens', 0):
            raise ValueError(f'{name}: pre-train the backbone without '
                             'knowledge_tokens')
        self.fixed_pos_embed = fixed_pos_embed
        self.init_scheme = init_scheme
        if fixed_pos_embed:
            # frozen before the optimizer is built, so it never moves
            self._set_sincos_positions()
            self.backbone.pos_embed.requires_grad_(False)
        conv = self.backbone.patch_embed.projection
        self.kernel, self.stride = conv.kernel_size, conv.stride
        self.padding = conv.padding
        self.decoder = MODELS.build(
            dict(
                type='MAEDecoder',
                in_dims=self.backbone.embed_dims,
                grid=self.backbone.patch_grid,
                patch_dims=conv.in_channels * self.kernel[0] *
                self.kernel[1],
                **decoder))
        self.mask_ratio = mask_ratio
        self.norm_pix_loss = norm_pix_loss

    def _set_sincos_positions(self):
        """The backbone's position table ``(1, N, C)`` := MAE's 2-D sin-cos
        table of its patch grid."""
        table = sincos_pos_embed_2d(self.backbone.patch_grid,
                                    self.backbone.embed_dims)
        with torch.no_grad():
            self.backbone.pos_embed.copy_(table)

    def init_weights(self):
        """The backbone's initialisation (published weights for a
        ``Pretrained`` ``init_cfg``), replaced by MAE's for
        ``init_scheme='mae'``; the decoder's; the fixed position table."""
        self.backbone.init_weights()
        cfg = self.backbone.init_cfg
        pretrained = isinstance(cfg, dict) and cfg.get('type') == 'Pretrained'
        if self.init_scheme == 'mae' and not pretrained:
            init_vit_weights(self.backbone, self.backbone.layers,
                             scheme='mae')
            # MAE initialises the patch kernel as the linear map it is
            weight = self.backbone.patch_embed.projection.weight
            with torch.no_grad():
                flat = torch.empty(weight.shape[0], weight[0].numel())
                nn.init.xavier_uniform_(flat)
                weight.copy_(flat.view_as(weight))
        if self.fixed_pos_embed:
            self._set_sincos_positions()
        self.decoder.init_weights()
        self._is_init = True

    def reconstruct(self, images: Tensor,
                    generator: Optional[torch.Generator] = None
                    ) -> Dict[str, Tensor]:
        """Mask, encode, decode.

        Args:
            images (Tensor): Normalised images ``(B, c, H_img, W_img)`` at
                the backbone's ``img_size``.

        Returns:
            dict: ``pred`` ``(B, N, P)`` (in target space), ``target``
            ``(B, N, P)``, ``patches`` ``(B, N, P)`` (pixels), ``mask``
            ``(B, N)`` and ``keep`` ``(B, L)``.
        """
        patches = patchify(images, self.kernel, self.stride, self.padding)
        B, N = patches.shape[:2]
        if N != self.decoder.num_patches:
            raise ValueError(
                f'{type(self).__name__}: images of size '
                f'{tuple(images.shape[-2:])} give {N} patches, the decoder '
                f'expects the {self.decoder.grid} grid of the backbone\'s '
                'img_size; make the pipeline\'s input_size match it')
        keep, mask = random_masking(B, N, self.mask_ratio, images.device,
                                    generator)
        visible = self.backbone.forward_visible(images, keep)  # (B, L, C)
        pred = self.decoder(visible, keep)  # (B, N, P)
        return dict(pred=pred, target=mae_target(patches, self.norm_pix_loss),
                    patches=patches, mask=mask, keep=keep)

    def forward(self,
                inputs: Tensor,
                data_samples: Optional[List] = None,
                mode: str = 'tensor') -> Union[Dict[str, Tensor], Tensor]:
        """``mode='loss'``: ``{'loss_mae': ...}``; ``'tensor'``: the
        predictions ``(B, N, P)``; ``'predict'``: the :meth:`reconstruct`
        dict."""
        if mode == 'loss':
            out = self.reconstruct(inputs)
            return dict(loss_mae=masked_patch_loss(out['pred'],
                                                   out['target'],
                                                   out['mask']))
        if mode == 'tensor':
            return self.reconstruct(inputs)['pred']
        if mode == 'predict':
            return self.reconstruct(inputs)
        raise ValueError(f'{type(self).__name__}: unknown mode {mode!r}; '
                         "use 'loss', 'tensor' or 'predict'")

    def to_pixels(self, out: Dict[str, Tensor],
                  image_hw: Sequence[int]) -> Dict[str, Tensor]:
        """Images for display (normalised like the inputs), ``(B, c,
        H_img, W_img)`` each: ``masked`` (masked patches zeroed),
        ``reconstruction`` (visible patches from the input, masked ones
        predicted; a normalised prediction is brought back to each patch's
        own mean and variance, as MAE's visualisation) and ``original``."""
        patches, mask, pred = out['patches'], out['mask'][..., None], \
            out['pred']
        if self.norm_pix_loss:
            mean = patches.mean(dim=-1, keepdim=True)
            std = (patches.var(dim=-1, keepdim=True) + 1e-6)**.5
            pred = pred * std + mean
        args = (image_hw, self.kernel, self.stride, self.padding)
        return dict(
            masked=unpatchify(patches * (1 - mask), *args),
            reconstruction=unpatchify(
                patches * (1 - mask) + pred * mask, *args),
            original=unpatchify(patches, *args))
