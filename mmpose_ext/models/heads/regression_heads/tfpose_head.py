"""The TFPose head: deformable transformer encoder over multi-level features,
keypoint-query decoder with layer-wise refinement, auxiliary heatmap branch
on the C5 part of the memory (paper Sec. 3)."""
from typing import List, Optional, Sequence, Tuple

import numpy as np
import torch
from mmcv.ops import MultiScaleDeformableAttention
from mmdet.models.layers.positional_encoding import SinePositionalEncoding
from mmpose.codecs import UDPHeatmap
from mmpose.evaluation.functional import keypoint_pck_accuracy
from mmpose.models.heads.base_head import BaseHead
from mmpose.models.heads.transformer_heads.transformers import \
    DeformableDetrTransformerEncoder
from mmpose.models.utils.tta import flip_coordinates
from mmpose.registry import KEYPOINT_CODECS, MODELS
from mmpose.utils.tensor_utils import to_numpy
from mmpose.utils.typing import (ConfigType, OptConfigType, OptSampleList,
                                 Predictions)
from torch import Tensor, nn

from ...layers.deformable_sampling import CPU_SAMPLINGS, use_cpu_sampling
from ...layers.tfpose_decoder import FFN_ACTIVATION, TFPoseDecoder

__all__ = ['TFPoseHead']

# The query decoder's attribute name before it was renamed ``query_decoder``
# (``keypoint_decoder`` read like the codec, ``decoder``); state dicts saved
# then carry it in their keys.
_LEGACY_QUERY_DECODER = 'keypoint_decoder.'
_QUERY_DECODER = 'query_decoder.'

# How to make the auxiliary branch's heatmaps the codec's size: said by the
# training loss and by the readout, which both compare the two.
_AUX_SIZE_HINT = (
    'with the paper\'s branch (3 x2 deconvolutions) the last level must be '
    'C5 (stride 32) and the codec\'s heatmap_size a quarter of its '
    'input_size; for another aux_level give the branch as many '
    'deconvolutions as take that level to heatmap_size')


def _rename_legacy_query_decoder_keys(module, state_dict, prefix, *args):
    """Load-state-dict pre-hook of :class:`TFPoseHead`: rename the keys
    ``{prefix}keypoint_decoder.*`` of an older state dict to
    ``{prefix}query_decoder.*``, in place, before torch matches keys (the
    remaining hook arguments are not needed). A key whose new name is also
    present is left alone, so the strict check reports it."""
    legacy = prefix + _LEGACY_QUERY_DECODER
    for key in [k for k in state_dict if k.startswith(legacy)]:
        new_key = prefix + _QUERY_DECODER + key[len(legacy):]
        if new_key not in state_dict:
            state_dict[new_key] = state_dict.pop(key)


@MODELS.register_module()
class TFPoseHead(BaseHead):
    """TFPose (`Mao et al. 2021`_): direct keypoint regression with a
    deformable transformer.

    The input feature maps (one per level, already mapped to C channels, e.g.
    by ``ChannelMapper``) are flattened and concatenated into N tokens, given
    a learned level embedding plus a 2-D sine pixel embedding, and encoded by
    ``num_encoder_layers`` deformable layers (pixel-to-pixel attention) into
    the memory M. The query decoder (``query_decoder``, a
    :class:`TFPoseDecoder`) turns K keypoint queries into the coordinates
    ``y_1 ... y_{N_D}``; ``decoder`` is the codec, as in every MMPose head.
    In training, every layer's coordinates get the regression loss
    (``loss_reg_dec1`` ... ``loss_reg_dec{N_D}``) and, with ``aux_head``, the
    tokens of level ``aux_level`` (the paper's: the last, C5) are reshaped to
    their map and decoded to heatmaps for the auxiliary loss (``loss_aux``).
    The auxiliary branch never runs in :meth:`forward`, nor in
    :meth:`predict` unless ``test_cfg=dict(readout='aux_heatmaps')`` asks for
    the keypoints decoded from its heatmaps instead of the regression.

    State dicts saved when the query decoder was called ``keypoint_decoder``
    still load: a load hook renames their ``keypoint_decoder.*`` keys.

    Note:
        - batch size: B
        - keypoint number: K
        - feature levels: L (the last one is C5 in the paper's setting)
        - embedding dimension: C
        - memory tokens: N = sum over levels of h_l * w_l
        - decoder layers: N_D

        Coordinates are normalized ``(x / w, y / h)`` of the input image, as
        :class:`~mmpose_ext.codecs.TFPoseLabel` encodes them.

    Args:
        num_keypoints (int): K.
        num_feature_levels (int): L, number of input feature maps.
        embed_dims (int): C, channels of every input feature map.
        num_encoder_layers (int): N_E.
        num_decoder_layers (int): N_D.
        num_heads (int): Attention heads (encoder and decoder).
        num_points (int): Deformable sampling points per head and level.
        feedforward_channels (int): FFN hidden width.
        dropout (float): Dropout in attentions and FFNs.
        with_q2q (bool): Query-to-query attention in the decoder layers.
        detach_refinement (bool): See :class:`TFPoseDecoder`.
        initial_coords (str | Sequence): Initialization of ``y_0``, see
            :class:`TFPoseDecoder`.
        cpu_sampling (str, optional): How the deformable attention
            (encoder and decoder) samples where MMCV has no compiled kernel
            (the CPU) and nothing is traced
            (:class:`~mmpose_ext.models.layers.CPUDeformableAttention`, same
            result as MMCV's ``grid_sample`` path to 1e-5, no per-level
            copies): ``'kernel'`` (default), this package's compiled CPU
            kernel, or MMCV's path where it cannot be built; ``'gather'``,
            all levels in one ``embedding_bag`` (pure PyTorch); ``None``
            keeps MMCV's module everywhere.
        aux_level (int): The feature level whose memory tokens the
            auxiliary branch reads: -1, the last (C5), is the paper's; a
            finer level (e.g. 0 = C3, stride 8, with one x2 deconvolution)
            supervises the tokens the p2q attention samples most finely (an
            option departing from the paper, measured in docs/tfpose.md).
        loss (dict): Regression loss applied to every decoder layer's
            coordinates, called as ``loss(pred (B, K, 2), target (B, K, 2),
            weights (B, K, 1))``.
        aux_head (dict, optional): Auxiliary heatmap branch, a head whose
            ``forward((level_map,))`` (the (B, C, h_l, w_l) tokens of
            ``aux_level``) returns (B, K, H, W) heatmaps and whose
            ``loss_module`` compares them with the target heatmaps (MMPose's
            ``HeatmapHead``: 3 deconvolutions, x8). ``in_channels`` and
            ``out_channels`` default to C and K. ``None`` trains without it.
        decoder (dict, optional): The codec, for :meth:`predict`.
        init_cfg (dict, optional): Initialization config.

    .. _`Mao et al. 2021`: https://arxiv.org/abs/2103.15320
    """

    # what predict() reads the keypoints out of (test_cfg's ``readout``)
    READOUTS = ('regression', 'aux_heatmaps')

    def __init__(self,
                 num_keypoints: int,
                 num_feature_levels: int = 3,
                 embed_dims: int = 256,
                 num_encoder_layers: int = 4,
                 num_decoder_layers: int = 6,
                 num_heads: int = 8,
                 num_points: int = 4,
                 feedforward_channels: int = 1024,
                 dropout: float = 0.1,
                 with_q2q: bool = True,
                 detach_refinement: bool = True,
                 initial_coords='normal',
                 cpu_sampling: Optional[str] = 'kernel',
                 aux_level: int = -1,
                 loss: ConfigType = dict(type='L1Loss', use_target_weight=True),
                 aux_head: OptConfigType = dict(
                     type='HeatmapHead',
                     loss=dict(
                         type='KeypointMSELoss',
                         use_target_weight=True,
                         loss_weight=50.)),
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        super().__init__(init_cfg)
        name = self.__class__.__name__
        if num_feature_levels < 1:
            raise ValueError(f'{name}: num_feature_levels must be at least 1, '
                             f'got {num_feature_levels}')
        if num_encoder_layers < 1:
            raise ValueError(f'{name}: num_encoder_layers must be at least 1, '
                             f'got {num_encoder_layers}')
        if cpu_sampling is not None and cpu_sampling not in CPU_SAMPLINGS:
            raise ValueError(f'{name}: cpu_sampling must be one of '
                             f'{CPU_SAMPLINGS} or None, got {cpu_sampling!r}')
        if embed_dims % 2:
            raise ValueError(f'{name}: embed_dims must be even (half of it '
                             f'encodes x, half y), got {embed_dims}')
        if not -num_feature_levels <= aux_level < num_feature_levels:
            raise ValueError(f'{name}: aux_level must index one of the '
                             f'{num_feature_levels} feature levels, got '
                             f'{aux_level}')
        self.num_keypoints = num_keypoints
        self.num_feature_levels = num_feature_levels
        self.aux_level = aux_level % num_feature_levels
        self.embed_dims = embed_dims

        self.level_embed = nn.Parameter(
            torch.empty(num_feature_levels, embed_dims))
        self.positional_encoding = SinePositionalEncoding(
            num_feats=embed_dims // 2, normalize=True, offset=-0.5)
        self.encoder = DeformableDetrTransformerEncoder(
            num_layers=num_encoder_layers,
            layer_cfg=dict(
                self_attn_cfg=dict(
                    embed_dims=embed_dims,
                    num_heads=num_heads,
                    num_levels=num_feature_levels,
                    num_points=num_points,
                    dropout=dropout,
                    batch_first=True),
                ffn_cfg=dict(
                    embed_dims=embed_dims,
                    feedforward_channels=feedforward_channels,
                    ffn_drop=dropout,
                    act_cfg=FFN_ACTIVATION)))
        self.query_decoder = TFPoseDecoder(
            num_keypoints=num_keypoints,
            num_layers=num_decoder_layers,
            embed_dims=embed_dims,
            num_heads=num_heads,
            num_levels=num_feature_levels,
            num_points=num_points,
            feedforward_channels=feedforward_channels,
            dropout=dropout,
            with_q2q=with_q2q,
            detach_refinement=detach_refinement,
            initial_coords=initial_coords)
        if cpu_sampling is not None:
            use_cpu_sampling(self.encoder, cpu_sampling)
            use_cpu_sampling(self.query_decoder, cpu_sampling)
        self.register_load_state_dict_pre_hook(
            _rename_legacy_query_decoder_keys)

        self.loss_module = MODELS.build(loss)
        if aux_head is not None:
            aux_head = dict(aux_head)
            aux_head.setdefault('in_channels', embed_dims)
            aux_head.setdefault('out_channels', num_keypoints)
            self.aux_head = MODELS.build(aux_head)
        else:
            self.aux_head = None
        self.decoder = KEYPOINT_CODECS.build(decoder) if decoder else None
        nn.init.normal_(self.level_embed)

    def init_weights(self) -> None:
        """Children's own initialization, then Deformable DETR's for the
        encoder: Xavier for its matrices, MMCV's for the deformable
        attention, normal for the level embedding."""
        super().init_weights()
        for p in self.encoder.parameters():
            if p.dim() > 1:
                nn.init.xavier_uniform_(p)
        for m in self.encoder.modules():
            if isinstance(m, MultiScaleDeformableAttention):
                m.init_weights()
        nn.init.normal_(self.level_embed)

    def encode(self, feats: Sequence[Tensor]) -> Tuple[Tensor, ...]:
        """Run the encoder on the flattened feature levels.

        Args:
            feats (Sequence[Tensor]): L feature maps, level l in shape
                (B, C, h_l, w_l), finest first.

        Returns:
            tuple:
            - memory (Tensor): M in shape (B, N, C), levels concatenated in
              input order, each flattened row-major.
            - spatial_shapes (Tensor): (h_l, w_l) per level, shape (L, 2).
            - level_start_index (Tensor): First token of each level, (L,).
            - valid_ratios (Tensor): Ones in shape (B, L, 2): top-down crops
              have no padding.
        """
        if len(feats) != self.num_feature_levels:
            raise ValueError(
                f'{self.__class__.__name__} was built for '
                f'num_feature_levels={self.num_feature_levels} but got '
                f'{len(feats)} feature maps; make the backbone\'s out_indices, '
                'the neck\'s in_channels and the head\'s num_feature_levels '
                'agree')
        tokens, token_pos, shapes = [], [], []
        for lvl, feat in enumerate(feats):
            batch_size, channels, h, w = feat.shape
            if channels != self.embed_dims:
                raise ValueError(
                    f'{self.__class__.__name__}: feature level {lvl} has '
                    f'{channels} channels, expected embed_dims='
                    f'{self.embed_dims} (map them with a neck such as '
                    'ChannelMapper)')
            # the same for every crop (no padding): made once, (1, C, h, w)
            pos = self.positional_encoding(None, feat[:1])
            # (B, C, h, w) -> (B, h*w, C)
            tokens.append(feat.flatten(2).transpose(1, 2))
            token_pos.append(
                pos.flatten(2).transpose(1, 2) + self.level_embed[lvl])
            shapes.append((h, w))
        spatial_shapes = torch.as_tensor(
            shapes, dtype=torch.long, device=feats[0].device)
        level_start_index = torch.cat((spatial_shapes.new_zeros(
            (1, )), spatial_shapes.prod(1).cumsum(0)[:-1]))
        valid_ratios = feats[0].new_ones(batch_size, len(feats), 2)
        memory = self.encoder(
            query=torch.cat(tokens, 1),
            # a view of one crop's table (B, N, C): no per-crop copy
            query_pos=torch.cat(token_pos, 1).expand(batch_size, -1, -1),
            key_padding_mask=None,
            spatial_shapes=spatial_shapes,
            level_start_index=level_start_index,
            valid_ratios=valid_ratios)
        return memory, spatial_shapes, level_start_index, valid_ratios

    def forward_all_layers(self,
                           feats: Sequence[Tensor]) -> Tuple[Tensor, Tensor]:
        """Coordinates of every decoder layer and the memory.

        Returns:
            tuple:
            - coords (Tensor): (N_D, B, K, 2), normalized, inside (0, 1).
            - memory (Tensor): (B, N, C).
        """
        memory, spatial_shapes, level_start_index, valid_ratios = \
            self.encode(feats)
        coords = self.query_decoder(memory, spatial_shapes,
                                    level_start_index, valid_ratios)
        return coords, memory

    def forward(self, feats: Sequence[Tensor]) -> Tensor:
        """The last decoder layer's coordinates, (B, K, 2), normalized,
        inside (0, 1). The inference graph: no auxiliary branch."""
        return self.forward_all_layers(feats)[0][-1]

    def predict(self,
                feats: Tuple[Tensor],
                batch_data_samples: OptSampleList,
                test_cfg: ConfigType = {}) -> Predictions:
        """Keypoints in input-image pixels, read out as ``test_cfg``'s
        ``readout`` says: ``'regression'`` (default), the last decoder
        layer's coordinates (:meth:`forward`); ``'aux_heatmaps'``, the
        keypoints decoded from the auxiliary heatmaps
        (:meth:`aux_heatmap_coords`), which measures how well the features
        localize the keypoints apart from how well the decoder reads them
        out. Either way the scores are ones. With ``flip_test``, the mean of
        the coordinates of the image and of its mirror (flipped back with
        the dataset's flip indices)."""
        readout = test_cfg.get('readout', 'regression')
        if readout not in self.READOUTS:
            raise ValueError(f'{self.__class__.__name__}: test_cfg readout '
                             f'must be one of {self.READOUTS}, got '
                             f'{readout!r}')
        read = (self.forward
                if readout == 'regression' else self.aux_heatmap_coords)
        if test_cfg.get('flip_test', False):
            # TTA: feats = [features of the image, of its mirror]
            _feats, _feats_flip = feats
            flip_indices = batch_data_samples[0].metainfo['flip_indices']
            input_size = batch_data_samples[0].metainfo['input_size']
            coords = read(_feats)
            coords_flip = flip_coordinates(
                read(_feats_flip),
                flip_indices=flip_indices,
                shift_coords=test_cfg.get('shift_coords', True),
                input_size=input_size)
            coords = (coords + coords_flip) * 0.5
        else:
            coords = read(feats)  # (B, K, 2)
        # (B, K, 2) -> (B, 1, K, 2): one instance per sample
        return self.decode(coords.unsqueeze(1))

    def aux_heatmap_coords(self, feats: Sequence[Tensor]) -> Tensor:
        """The keypoints read out of the auxiliary heatmaps instead of the
        regression: :meth:`aux_heatmaps` decoded one crop at a time by
        MMPose's ``UDPHeatmap`` with the codec's heatmap settings (the
        targets the branch was trained on are UDP heatmaps), then mapped to
        input pixels with the scale the heatmap codec encoded at
        (``scale_factor``: ``(w - 1) / (W - 1)`` for UDP), so a heatmap
        equal to its target reads back the codec's ``keypoint_labels``.

        Args:
            feats (Sequence[Tensor]): L feature maps, level l in shape
                (B, C, h_l, w_l).

        Returns:
            Tensor: (B, K, 2), normalized ``(x / w, y / h)`` of the input
            image, as :meth:`forward` returns them.
        """
        name = self.__class__.__name__
        if self.aux_head is None:
            raise ValueError(
                f"{name}: readout='aux_heatmaps' decodes the auxiliary "
                'heatmaps, but this head was built with aux_head=None')
        heatmap_codec = getattr(self.decoder, 'heatmap_codec', None)
        if heatmap_codec is None:
            raise ValueError(
                f"{name}: readout='aux_heatmaps' takes the heatmap size and "
                'sigma from the codec\'s heatmap settings; give the head a '
                'decoder with a heatmap codec (TFPoseLabel), got '
                f'{type(self.decoder).__name__}')
        # the settings UDPHeatmap shares with the codec (UDPCodec has them
        # all; another heatmap codec may lack some: UDPHeatmap's defaults)
        settings = {
            key: getattr(heatmap_codec, key)
            for key in ('heatmap_type', 'sigma', 'radius_factor',
                        'blur_kernel_size') if hasattr(heatmap_codec, key)
        }
        udp = UDPHeatmap(
            input_size=self.decoder.input_size,
            heatmap_size=heatmap_codec.heatmap_size,
            **settings)
        memory = self.encode(feats)[0]
        heatmaps = self.aux_heatmaps(memory, feats)  # (B, K, H, W)
        W, H = heatmap_codec.heatmap_size
        if tuple(heatmaps.shape[-2:]) != (H, W):
            # UDPHeatmap would decode any size at the wrong scale, silently
            raise ValueError(
                f'{name}: the auxiliary branch predicts heatmaps of size '
                f'{tuple(heatmaps.shape[-2:])} (h, w) from feature level '
                f'{self.aux_level} ({tuple(feats[self.aux_level].shape[-2:])})'
                f' but the codec\'s heatmap_size is {(W, H)} (w, h); '
                + _AUX_SIZE_HINT)
        # UDPHeatmap.decode: (1, K, 2) as x_heatmap * w / (W - 1), the
        # units of UDP's affine transform, which this pipeline's
        # TopdownAffine (no UDP) does not use
        keypoints = np.concatenate(
            [udp.decode(h)[0] for h in to_numpy(heatmaps)])
        # Back to heatmap pixels ((W - 1) / w), then to input pixels with the
        # scale the codec encoded the targets at (scale_factor, (w - 1) /
        # (W - 1) for UDP): a target for pixel x then reads back x, not
        # x * w / (w - 1) (70.74 for 70 at w = 96), as the regression labels
        # measure it; last, normalized by the input size as they are.
        input_size = np.asarray(udp.input_size, dtype=np.float32)
        to_input = heatmap_codec.scale_factor * np.asarray(
            [W - 1, H - 1], dtype=np.float32) / input_size
        coords = keypoints * to_input / input_size
        return torch.as_tensor(
            coords, dtype=memory.dtype, device=memory.device)

    def loss(self,
             feats: Tuple[Tensor],
             batch_data_samples: OptSampleList,
             train_cfg: ConfigType = {}) -> dict:
        """L_reg for every decoder layer, L_aux (already weighted by the aux
        loss' ``loss_weight``, the paper's lambda) and ``acc_pose`` (PCK@0.05
        of the last layer, in normalized coordinates, like MMPose's
        RegressionHead)."""
        all_coords, memory = self.forward_all_layers(feats)
        labels = torch.cat([
            d.gt_instance_labels.keypoint_labels for d in batch_data_samples
        ])  # (B, K, 2)
        weights = torch.cat([
            d.gt_instance_labels.keypoint_weights for d in batch_data_samples
        ])  # (B, K)

        losses = dict()
        for d, coords in enumerate(all_coords, start=1):
            losses[f'loss_reg_dec{d}'] = self.loss_module(
                coords, labels, weights.unsqueeze(-1))
        if self.aux_head is not None:
            losses['loss_aux'] = self._aux_loss(memory, feats,
                                                batch_data_samples)

        _, avg_acc, _ = keypoint_pck_accuracy(
            pred=to_numpy(all_coords[-1]),
            gt=to_numpy(labels),
            mask=to_numpy(weights) > 0,
            thr=0.05,
            norm_factor=np.ones((labels.size(0), 2), dtype=np.float32))
        losses['acc_pose'] = torch.tensor(avg_acc, device=labels.device)
        return losses

    def level_map(self, memory: Tensor, feats: Sequence[Tensor],
                  level: int) -> Tensor:
        """The memory tokens of one feature level as a map.

        Args:
            memory (Tensor): (B, N, C), levels concatenated in input order.
            feats (Sequence[Tensor]): The L input maps (for their shapes).
            level (int): Which level.

        Returns:
            Tensor: (B, C, h_l, w_l).
        """
        start = sum(f.shape[-2] * f.shape[-1] for f in feats[:level])
        h, w = feats[level].shape[-2:]
        # (B, h*w, C) -> (B, C, h*w) -> (B, C, h, w)
        return memory[:, start:start + h * w].transpose(1, 2).reshape(
            memory.size(0), -1, h, w)

    def aux_heatmaps(self, memory: Tensor,
                     feats: Sequence[Tensor]) -> Tensor:
        """The auxiliary branch's heatmaps from the memory tokens of
        ``aux_level``: (B, K, H, W)."""
        return self.aux_head(
            (self.level_map(memory, feats, self.aux_level), ))

    def _aux_loss(self, memory: Tensor, feats: Sequence[Tensor],
                  batch_data_samples: List) -> Tensor:
        level = self.aux_level
        heatmaps = self.aux_heatmaps(memory, feats)
        samples = batch_data_samples
        if 'heatmaps' not in samples[0].gt_fields or \
                'heatmap_weights' not in samples[0].gt_instance_labels:
            raise KeyError(
                f'{self.__class__.__name__} with aux_head needs target '
                '`heatmaps` and `heatmap_weights`; encode with TFPoseLabel '
                '(GenerateTarget(encoder=codec)) or set aux_head=None')
        gt_heatmaps = torch.stack([d.gt_fields.heatmaps for d in samples])
        heatmap_weights = torch.cat(
            [d.gt_instance_labels.heatmap_weights for d in samples])
        if heatmaps.shape != gt_heatmaps.shape:
            raise ValueError(
                f'{self.__class__.__name__}: the auxiliary branch predicts '
                f'heatmaps of shape {tuple(heatmaps.shape)} from feature '
                f'level {level} ({tuple(feats[level].shape[-2:])}) but the '
                f'targets have shape {tuple(gt_heatmaps.shape)}; '
                + _AUX_SIZE_HINT)
        return self.aux_head.loss_module(heatmaps, gt_heatmaps,
                                         heatmap_weights)
