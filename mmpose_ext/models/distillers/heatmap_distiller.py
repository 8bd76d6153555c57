"""Output (heatmap) distillation from a frozen teacher, ViTPose Eq. 4 and 6."""
from typing import Optional, Union

import torch
from mmengine.config import Config
from torch import Tensor

from mmpose.evaluation.functional import pose_pck_accuracy
from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.registry import MODELS
from mmpose.utils.tensor_utils import to_numpy
from mmpose_ext.checkpoints import load_pose_checkpoint


@MODELS.register_module()
class HeatmapDistillPoseEstimator(TopdownPoseEstimator):
    """A top-down heatmap student trained with the ground truth and a
    teacher's heatmaps: ``L = MSE(K_s, K_gt) + w * MSE(K_s, K_t)``.

    With a plain student this is the paper's output distillation (Eq. 4 plus
    the pose loss); with a student whose :class:`PlainViT` carries frozen
    knowledge tokens it is Eq. 6, token and output distillation together.
    (MMPose's ``DWPoseDistiller`` distils SimCC heads only, so it does not
    apply to heatmaps.)

    The teacher sees the same augmented, normalised input as the student
    (both must normalise alike; this is checked), runs in eval
    mode without gradients, and is kept out of this module's parameters and
    ``state_dict``: checkpoints hold only the student, which the plain student
    config loads for testing. It is built and loaded on the first training
    step, so testing with this config does not need the teacher files.

    Note:
        Heatmaps are ``(B, K, h, w)``; teacher and student must predict the
        same K and heatmap size (same codec).

    Args:
        teacher_config (str | dict): The teacher's config file (its ``model``
            is used) or model dict.
        teacher_checkpoint (str): The teacher's weights (this package's or an
            official ViTPose checkpoint).
        distill_loss (dict): Loss between student and teacher heatmaps;
            default plain MSE over all keypoints, as Eq. 4.
        Others: as :class:`~mmpose.models.TopdownPoseEstimator`; ``head`` must
            be a heatmap head with a ``loss_module``.
    """

    def __init__(self,
                 backbone: dict,
                 teacher_config: Union[str, dict],
                 teacher_checkpoint: str,
                 distill_loss: dict = dict(
                     type='KeypointMSELoss', use_target_weight=False),
                 neck=None,
                 head=None,
                 train_cfg=None,
                 test_cfg=None,
                 data_preprocessor=None,
                 init_cfg=None,
                 metainfo=None):
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
            metainfo=metainfo)
        if not hasattr(self.head, 'loss_module'):
            raise ValueError(f'{type(self).__name__}: the head '
                             f'{type(self.head).__name__} has no loss_module; '
                             'use a heatmap head such as HeatmapHead')
        self.teacher_config = teacher_config
        self.teacher_checkpoint = teacher_checkpoint
        self.distill_loss = MODELS.build(distill_loss)
        # MMPose's heatmap losses mask by any weights they are given,
        # whatever their use_target_weight says; Eq. 4 (and the default)
        # distils every keypoint, the ones without a label included, which
        # is where the teacher adds to the ground truth
        self._distill_weighted = bool(
            getattr(self.distill_loss, 'use_target_weight', False))
        self._teacher: Optional[TopdownPoseEstimator] = None

    def teacher(self, device: torch.device) -> TopdownPoseEstimator:
        """The frozen teacher on ``device``, built and loaded once."""
        if self._teacher is None:
            cfg = self.teacher_config
            if isinstance(cfg, str):
                cfg = Config.fromfile(cfg)['model']
            # built at the first training step: its initialisation must not
            # consume the global torch random numbers the student's
            # training draws after it (a run with and one without a
            # teacher then see the same stream)
            with torch.random.fork_rng(devices=[]):
                teacher = MODELS.build(cfg)
            self._check_same_preprocessing(teacher)
            load_pose_checkpoint(teacher, self.teacher_checkpoint)
            teacher.requires_grad_(False)
            # a plain attribute on purpose: not a submodule, so the teacher
            # stays out of state_dict, the optimizer and DDP
            self.__dict__['_teacher'] = teacher.eval()
        return self._teacher.to(device)

    def _check_same_preprocessing(self, teacher):
        # the teacher gets the student's normalised images
        ours, theirs = self.data_preprocessor, teacher.data_preprocessor
        for attr in ('mean', 'std', '_channel_conversion'):
            a, b = getattr(ours, attr, None), getattr(theirs, attr, None)
            same = torch.equal(a, b) if isinstance(a, Tensor) and isinstance(
                b, Tensor) else a == b
            if not same:
                raise ValueError(
                    f'{type(self).__name__}: the teacher normalises images '
                    f'differently ({attr}: {b} vs {a}); give it the '
                    "student's data_preprocessor")

    def loss(self, inputs: Tensor, data_samples) -> dict:
        """Pose loss against the ground truth (``loss_kpt``, as the head
        computes it), distillation loss (``loss_distill``) and ``acc_pose``.

        Args:
            inputs (Tensor): Images ``(B, 3, H, W)``.
            data_samples (list[PoseDataSample]): With ``gt_fields.heatmaps``
                ``(K, h, w)`` and ``gt_instance_labels.keypoint_weights``.
        """
        teacher = self.teacher(inputs.device)
        with torch.no_grad():
            teacher_heatmaps = teacher.head.forward(
                teacher.extract_feat(inputs))  # (B, K, h, w)
        heatmaps = self.head.forward(self.extract_feat(inputs))
        if heatmaps.shape != teacher_heatmaps.shape:
            raise ValueError(
                f'{type(self).__name__}: student heatmaps '
                f'{tuple(heatmaps.shape)} and teacher heatmaps '
                f'{tuple(teacher_heatmaps.shape)} differ; give both the same '
                'codec')
        gt_heatmaps = torch.stack(
            [d.gt_fields.heatmaps for d in data_samples])
        keypoint_weights = torch.cat(
            [d.gt_instance_labels.keypoint_weights for d in data_samples])
        losses = dict(
            loss_kpt=self.head.loss_module(heatmaps, gt_heatmaps,
                                           keypoint_weights),
            loss_distill=self.distill_loss(
                heatmaps, teacher_heatmaps,
                keypoint_weights if self._distill_weighted else None))
        if self.train_cfg.get('compute_acc', True):
            _, avg_acc, _ = pose_pck_accuracy(
                output=to_numpy(heatmaps),
                target=to_numpy(gt_heatmaps),
                mask=to_numpy(keypoint_weights) > 0)
            losses['acc_pose'] = torch.tensor(avg_acc, device=inputs.device)
        return losses
