"""SimDR head: x and y coordinate classification from CNN maps or tokens."""
from typing import Optional, Sequence, Tuple, Union

from mmpose.models.heads import SimCCHead
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType
from torch import Tensor, nn

OptIntSeq = Optional[Sequence[int]]


@MODELS.register_module()
class SimDRHead(SimCCHead):
    """SimDR head for CNN feature maps or per-keypoint tokens.

    See `SimCC: a Simple Coordinate Classification Perspective for Human Pose
    Estimation`_ (Li et al., ECCV 2022; first named SimDR). MMPose's
    ``SimCCHead`` already is the paper's CNN head: optional deconvolution
    layers, a 1x1 convolution to K channels, each channel flattened and
    projected linearly to ``round(w * k)`` x bins and ``round(h * k)`` y bins.
    This subclass changes only what the paper adds or SimCCHead lacks:

    - a token path for transformer features: ``in_featuremap_size=None``
      takes (B, K, C) keypoint tokens (``C = in_channels``) and projects each
      token linearly, as the paper does for TokenPose;
    - vector lengths rounded as the codec does (:class:`SimDRLabel`:
      ``round(w * k)``; SimCCHead truncates, which differs for fractional
      ``w * k``);
    - no deconvolution layers by default (the paper's plain CNN path: 1x1
      convolution, flatten, linear); set ``deconv_out_channels`` for the
      SimpleBaseline variant;
    - a clear error when the feature map does not have the configured size.

    ``forward`` returns ``(pred_x, pred_y)`` logits in shapes (B, K, Lx) and
    (B, K, Ly); ``loss``, ``predict`` (with flip test via MMPose's
    ``flip_vectors``) and the weight initialisation are SimCCHead's.

    Args:
        in_channels (int): Channels of the last feature map, or the token
            dimension C for token input
        out_channels (int): Number of keypoints K
        input_size (tuple): Input image size [w, h]
        in_featuremap_size (tuple, optional): Size [W', H'] of the last
            feature map; ``None`` for (B, K, C) token input
        simcc_split_ratio (float): Bins per input pixel k. Defaults to 2.0
        deconv_out_channels (sequence[int], optional): Deconvolution layers
            before the 1x1 convolution (maps only). Defaults to ``None``
        deconv_kernel_sizes (sequence[int], optional): Their kernel sizes.
            Defaults to ``(4, 4, 4)``
        final_layer (dict, optional): The 1x1 convolution to K channels
            (maps only). Defaults to ``dict(kernel_size=1)``
        loss (dict): The loss: ``KLDiscretLoss`` for Gaussian labels,
            :class:`SimDRCrossEntropyLoss` for one-hot labels. Defaults to
            ``dict(type='KLDiscretLoss', use_target_weight=True)``
        decoder (dict, optional): The codec, e.g. :class:`SimDRLabel`
        init_cfg (dict, optional): Initialisation; SimCCHead's default

    .. _`SimCC: a Simple Coordinate Classification Perspective for Human
       Pose Estimation`: https://arxiv.org/abs/2107.03332
    """

    def __init__(self,
                 in_channels: int,
                 out_channels: int,
                 input_size: Tuple[int, int],
                 in_featuremap_size: Optional[Tuple[int, int]] = None,
                 simcc_split_ratio: float = 2.0,
                 deconv_out_channels: OptIntSeq = None,
                 deconv_kernel_sizes: OptIntSeq = (4, 4, 4),
                 final_layer: Optional[dict] = dict(kernel_size=1),
                 loss: ConfigType = dict(
                     type='KLDiscretLoss', use_target_weight=True),
                 decoder: OptConfigType = None,
                 init_cfg: OptConfigType = None) -> None:
        name = self.__class__.__name__
        self.token_input = in_featuremap_size is None
        if self.token_input and (deconv_out_channels or
                                 final_layer is not None):
            raise ValueError(
                f'{name}: token input (in_featuremap_size=None) is projected '
                'directly; set deconv_out_channels=None and final_layer=None, '
                'or give in_featuremap_size for feature maps')
        if not simcc_split_ratio >= 1:
            raise ValueError(f'{name}: simcc_split_ratio must be >= 1, got '
                             f'{simcc_split_ratio}')
        super().__init__(
            in_channels=in_channels,
            out_channels=out_channels,
            input_size=input_size,
            # tokens: a (C, 1) "map" makes SimCCHead's linear layers C -> L
            in_featuremap_size=((in_channels, 1) if self.token_input else
                                in_featuremap_size),
            simcc_split_ratio=simcc_split_ratio,
            deconv_out_channels=deconv_out_channels,
            deconv_kernel_sizes=deconv_kernel_sizes,
            final_layer=final_layer,
            loss=loss,
            decoder=decoder,
            init_cfg=init_cfg)
        lengths = [round(s * simcc_split_ratio) for s in input_size]
        flatten_dims = self.mlp_head_x.in_features
        if self.mlp_head_x.out_features != lengths[0]:
            self.mlp_head_x = nn.Linear(flatten_dims, lengths[0])
        if self.mlp_head_y.out_features != lengths[1]:
            self.mlp_head_y = nn.Linear(flatten_dims, lengths[1])

    def forward(self, feats: Union[Tuple[Tensor], Tensor]
                ) -> Tuple[Tensor, Tensor]:
        """x and y logits.

        Args:
            feats (tuple[Tensor] | Tensor): Multi-scale feature maps (the last
                is used, (B, C, H', W')), or for token input the keypoint
                tokens (B, K, C) (alone or last in a tuple)

        Returns:
            tuple: ``pred_x`` (B, K, Lx) and ``pred_y`` (B, K, Ly)
        """
        last = feats[-1] if isinstance(feats, (tuple, list)) else feats
        name = self.__class__.__name__
        if self.token_input:
            if last.dim() != 3 or last.shape[1:] != (self.out_channels,
                                                     self.in_channels):
                raise ValueError(
                    f'{name}: expected keypoint tokens (B, {self.out_channels}'
                    f', {self.in_channels}), got {tuple(last.shape)}')
            return self.mlp_head_x(last), self.mlp_head_y(last)
        if not isinstance(feats, (tuple, list)):
            feats = (feats, )
        size = tuple(last.shape[-1:-3:-1])  # (W', H')
        if size != tuple(self.in_featuremap_size):
            raise ValueError(
                f'{name}: the feature map is {size[0]}x{size[1]} (W x H) but '
                f'in_featuremap_size={tuple(self.in_featuremap_size)}; set it '
                "to the backbone's output size (input size / stride)")
        return super().forward(feats)
