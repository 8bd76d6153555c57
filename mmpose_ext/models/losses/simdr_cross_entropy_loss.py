"""Cross-entropy of SimDR's x and y coordinate classifications."""
from typing import Tuple

import torch.nn.functional as F
from mmpose.registry import MODELS
from torch import Tensor, nn


@MODELS.register_module()
class SimDRCrossEntropyLoss(nn.Module):
    """Cross-entropy over the bins of the x and y vectors (SimDR's loss for
    one-hot labels).

    ``loss = loss_weight * sum_{axis in x, y} mean_{n, k}(w_nk *
    CE(softmax(pred_nk), target_nk))``. Targets are probability vectors
    (one-hot from :class:`SimDRLabel`, or smoothed). MMPose's
    ``KLDiscretLoss`` on one-hot labels computes ``CE / L`` per axis, summed
    over instances and divided by K, so x and y are weighted by 1/Lx and
    1/Ly; this loss weights both axes equally, as the paper's cross-entropy.

    Args:
        use_target_weight (bool): Weight each keypoint by its target weight.
            Defaults to ``True``
        loss_weight (float): Scale of the loss. Defaults to 1.0
    """

    def __init__(self,
                 use_target_weight: bool = True,
                 loss_weight: float = 1.0) -> None:
        super().__init__()
        self.use_target_weight = use_target_weight
        self.loss_weight = loss_weight

    def forward(self, pred_simcc: Tuple[Tensor, Tensor],
                gt_simcc: Tuple[Tensor, Tensor],
                target_weight: Tensor) -> Tensor:
        """Loss of a batch.

        Args:
            pred_simcc (tuple): Logits (N, K, Lx) and (N, K, Ly)
            gt_simcc (tuple): Target distributions of the same shapes
            target_weight (Tensor): Keypoint weights in shape (N, K)

        Returns:
            Tensor: The scalar loss
        """
        loss = 0.
        for pred, target in zip(pred_simcc, gt_simcc):
            if pred.shape != target.shape:
                raise ValueError(
                    f'{self.__class__.__name__}: predictions '
                    f'{tuple(pred.shape)} and targets {tuple(target.shape)} '
                    'differ; the head and the codec must use the same '
                    'input_size and split ratio')
            # (N, K, L) -> (N * K, L): classes along the last axis
            ce = F.cross_entropy(
                pred.flatten(0, 1), target.flatten(0, 1), reduction='none')
            if self.use_target_weight:
                ce = ce * target_weight.reshape(-1)
            loss = loss + ce.mean()
        return loss * self.loss_weight
