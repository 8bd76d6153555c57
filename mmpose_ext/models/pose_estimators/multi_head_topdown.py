"""One backbone, one head per dataset: ViTPose's multi-dataset training.

ViTPose (Xu et al., 2022, "multi-task flexibility") trains a single ViT
backbone on several datasets at once (COCO, AI Challenger, MPII, ...), each
with its own decoder and keypoint definition, the batch mixing the datasets.
:class:`MultiHeadTopdownPoseEstimator` is MMPose's
``TopdownPoseEstimator`` with a dict of heads keyed by dataset name
(``metainfo['dataset_name']`` of MMPose's datasets: ``'coco'``, ``'aic'``,
``'mpii'`` ...). Every sample goes to the head of the dataset it came from
(``data_sample.metainfo['dataset_name']``, which MMPose's ``PackPoseInputs``
keeps), so each head sees only its own dataset's targets, encoded by its own
codec in that dataset's pipeline.
"""
from typing import Dict, List, Optional, Tuple, Union

import torch
import torch.nn as nn
from mmengine.model import BaseModel, ModuleDict
from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.registry import MODELS
from mmpose.utils.typing import ConfigType, OptConfigType, OptMultiConfig
from torch import Tensor

__all__ = ['MultiHeadTopdownPoseEstimator', 'head_num_keypoints']

# attributes under which MMPose's heads keep their number of keypoints
_KEYPOINT_COUNT_ATTRS = ('out_channels', 'num_keypoints', 'num_joints')


def head_num_keypoints(head: nn.Module) -> Optional[int]:
    """The number of keypoints ``head`` predicts (``out_channels`` of
    heatmap/SimCC heads, ``num_joints`` of regression heads), or None when
    the head does not say."""
    for attr in _KEYPOINT_COUNT_ATTRS:
        value = getattr(head, attr, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
    return None


def _select(feats, index: Optional[Tensor]):
    """The rows ``index (n,)`` of every tensor of ``feats`` (a tensor, or a
    tuple/list of tensors ``(B, ...)``, or a list of such for flip test);
    ``index=None`` keeps everything."""
    if index is None:
        return feats
    if isinstance(feats, Tensor):
        return feats.index_select(0, index)
    return type(feats)(_select(f, index) for f in feats)


@MODELS.register_module()
class MultiHeadTopdownPoseEstimator(TopdownPoseEstimator):
    """Top-down estimator with a shared backbone (and neck) and one head per
    dataset.

    Args:
        backbone (dict): the backbone config (``PlainViT`` or any MMPose
            backbone).
        heads (dict[str, dict]): head configs keyed by dataset name (the
            ``dataset_name`` of the dataset's metainfo), each with its own
            ``out_channels`` (keypoint count) and ``decoder`` (codec).
        neck (dict, optional): shared neck config.
        train_cfg (dict, optional): passed to every head's ``loss``.
        test_cfg (dict, optional): passed to every head's ``predict``
            (``flip_test`` ...); ``head='aic'`` makes every sample use that
            head (inference on images of no dataset, ``mode='tensor'``,
            ONNX export); without it each sample uses the head of its
            ``dataset_name``.
        data_preprocessor (dict, optional): as in MMPose.
        init_cfg (dict, optional): as in MMPose.
        loss_weighting (str): How the heads' losses add up in a batch of
            ``B`` samples of which ``B_d`` belong to dataset ``d``.
            ``'sample'`` (default, as the official multi-task code, which
            runs every head over the whole batch with the other datasets'
            targets zeroed): head ``d``'s loss is its mean over its own
            samples times ``B_d / B``, so every sample counts alike and the
            sampler's ``source_ratio`` sets each dataset's share of the
            gradient. ``'head_mean'``: each head's mean over its own samples,
            unscaled, so a sample of a rare dataset weighs more.
        init_from (dict, optional): ``dict(checkpoint=PATH, head=NAME)``:
            after the usual initialisation, load a single-dataset top-down
            checkpoint (``backbone.*``, ``head.*``; official ViTPose and
            MMPose 1.x layouts are converted) into the backbone (and neck)
            and head ``NAME``; the other heads keep their initialisation.

    Note:
        Shapes: inputs ``(B, 3, H, W)``; the backbone features are shared;
        head ``d`` gets the ``B_d`` rows of its dataset's samples and returns
        its dataset's ``K_d`` keypoints. Losses are logged per head as
        ``'<dataset>/<loss name>'`` (``coco/loss_kpt``, ``aic/acc_pose``);
        the total is their sum, each weighted as ``loss_weighting`` says
        (accuracies are not weighted). A head with no sample in a batch gets
        no gradient (its ``.grad`` stays None).
    """

    LOSS_WEIGHTINGS = ('sample', 'head_mean')

    def __init__(self,
                 backbone: ConfigType,
                 heads: Dict[str, ConfigType],
                 neck: OptConfigType = None,
                 train_cfg: OptConfigType = None,
                 test_cfg: OptConfigType = None,
                 data_preprocessor: OptConfigType = None,
                 init_cfg: OptMultiConfig = None,
                 loss_weighting: str = 'sample',
                 init_from: Optional[dict] = None):
        name = type(self).__name__
        if loss_weighting not in self.LOSS_WEIGHTINGS:
            raise ValueError(
                f'{name}: loss_weighting must be one of '
                f'{self.LOSS_WEIGHTINGS}, got {loss_weighting!r}')
        if not isinstance(heads, dict) or not heads:
            raise ValueError(
                f'{name}: `heads` must be a non-empty dict of head configs '
                'keyed by dataset name (e.g. heads=dict(coco=dict(type='
                f"'HeatmapHead', ...), aic=...)), got {heads!r}")
        for key in heads:
            if not isinstance(key, str) or not key or '.' in key:
                raise ValueError(
                    f'{name}: head name {key!r} must be a dataset name, a '
                    'non-empty string without dots')
        # BasePoseEstimator.__init__ without its single head (it cannot take
        # head=None: MMPose 1.3.2 runs its legacy-config check on the head)
        BaseModel.__init__(
            self, data_preprocessor=data_preprocessor, init_cfg=init_cfg)
        self.metainfo = None
        self.loss_weighting = loss_weighting
        self.train_cfg = train_cfg if train_cfg else {}
        self.test_cfg = test_cfg if test_cfg else {}
        self.backbone = MODELS.build(backbone)
        if neck is not None:
            self.neck = MODELS.build(neck)
        self._register_load_state_dict_pre_hook(self._load_state_dict_pre_hook)
        # MMEngine's ModuleDict, not torch's: BaseModule.init_weights only
        # reaches children that have init_weights, so in a torch ModuleDict
        # the heads would keep PyTorch's default initialisation instead of
        # their init_cfg (HeatmapHead: normal std 0.001)
        self.heads = ModuleDict()
        for key, cfg in heads.items():
            head = MODELS.build(cfg)
            head.test_cfg = self.test_cfg.copy()
            self.heads[key] = head
        if self.test_cfg.get('head') is not None:
            self.check_head_name(self.test_cfg['head'], 'test_cfg.head')
        if init_from is not None:
            if not isinstance(init_from, dict) or set(init_from) != {
                    'checkpoint', 'head'}:
                raise ValueError(
                    f'{name}: init_from must be dict(checkpoint=PATH, '
                    f'head=NAME), got {init_from!r}')
            self.check_head_name(init_from['head'], 'init_from.head')
        self.init_from = init_from

    # -- heads by name -------------------------------------------------
    @property
    def head_names(self) -> List[str]:
        """The dataset names with a head, in config order."""
        return list(self.heads.keys())

    @property
    def with_head(self) -> bool:
        return len(self.heads) > 0

    def check_head_name(self, dataset_name, what: str = 'dataset') -> str:
        """Return ``dataset_name`` if there is a head for it; otherwise raise
        ``KeyError`` naming it and listing the known heads."""
        if dataset_name not in self.heads:
            raise KeyError(
                f'{type(self).__name__}: no head for {what} '
                f'{dataset_name!r}; known heads: '
                f'{", ".join(map(repr, self.heads))}. Add '
                f'model.heads.{dataset_name} to the config, or pick one of '
                'the known heads (model.test_cfg.head)')
        return dataset_name

    def select_head(self, dataset_name: Optional[str]) -> None:
        """Make every sample use head ``dataset_name`` (None: each sample
        uses its own dataset's head again)."""
        if dataset_name is not None:
            self.check_head_name(dataset_name, 'test_cfg.head')
        self.test_cfg['head'] = dataset_name
        for head in self.heads.values():
            head.test_cfg = self.test_cfg.copy()

    def _default_head(self) -> str:
        """The head of ``test_cfg.head``, or the only head."""
        chosen = self.test_cfg.get('head')
        if chosen is not None:
            return chosen
        if len(self.heads) == 1:
            return self.head_names[0]
        raise ValueError(
            f'{type(self).__name__}: which head? The input has no dataset '
            f'name; set model.test_cfg.head to one of '
            f'{", ".join(map(repr, self.heads))} (or call select_head)')

    def _route(self, data_samples, chosen: Optional[str] = None
               ) -> Dict[str, Optional[Tensor]]:
        """Group the batch by head: ``{name: row indices (n,)}`` (None when
        all rows go to that head). ``chosen`` overrides the samples' dataset
        names."""
        names = []
        for sample in data_samples:
            name = chosen or sample.metainfo.get('dataset_name')
            if name is None:
                name = self._default_head()
            names.append(self.check_head_name(name))
        groups: Dict[str, List[int]] = {}
        for i, name in enumerate(names):
            groups.setdefault(name, []).append(i)
        if len(groups) == 1:
            return {names[0]: None}
        return {name: torch.tensor(rows, dtype=torch.long)
                for name, rows in groups.items()}

    def _check_keypoints(self, name: str, samples) -> None:
        """The samples' keypoint definition (their ``flip_indices``) must
        have as many keypoints as head ``name`` predicts."""
        expected = head_num_keypoints(self.heads[name])
        if expected is None:
            return
        for sample in samples:
            flip = sample.metainfo.get('flip_indices')
            if flip is not None and len(flip) != expected:
                dataset = sample.metainfo.get('dataset_name', name)
                raise ValueError(
                    f'{type(self).__name__}: dataset {dataset!r} has '
                    f'{len(flip)} keypoints but head {name!r} predicts '
                    f'{expected} (its out_channels); give model.heads.{name} '
                    f'{len(flip)} output channels, or route the dataset to '
                    'a head of its keypoint definition')

    # -- training and inference ------------------------------------------
    def init_weights(self):
        super().init_weights()
        if self.init_from is not None:
            from mmpose_ext.checkpoints import load_single_dataset_checkpoint
            load_single_dataset_checkpoint(self, self.init_from['checkpoint'],
                                           self.init_from['head'])

    def loss(self, inputs: Tensor, data_samples) -> dict:
        """Losses of every head on its own samples.

        Args:
            inputs (Tensor): ``(B, 3, H, W)``.
            data_samples (list[PoseDataSample]): ``B`` samples with
                ``metainfo['dataset_name']`` and their dataset's targets.

        Returns:
            dict: ``'<dataset>/<name>'``: each head's losses (weighted as
            ``loss_weighting`` says) and accuracy.
        """
        feats = self.extract_feat(inputs)
        losses = dict()
        for name, rows in self._route(data_samples).items():
            samples = data_samples if rows is None else [
                data_samples[i] for i in rows.tolist()]
            self._check_keypoints(name, samples)
            head_losses = self.heads[name].loss(
                _select(feats, rows), samples, train_cfg=self.train_cfg)
            share = len(samples) / len(data_samples)
            for key, value in head_losses.items():
                # MMEngine sums the keys holding 'loss'; only those are
                # weighted (an accuracy is a statistic, not a loss term)
                if self.loss_weighting == 'sample' and 'loss' in key:
                    value = [v * share for v in value] if isinstance(
                        value, (list, tuple)) else value * share
                losses[f'{name}/{key}'] = value
        return losses

    def predict(self, inputs: Tensor, data_samples):
        """Each sample predicted by the head of its dataset (or
        ``test_cfg.head``), with flip test as configured.

        Returns:
            list[PoseDataSample]: ``pred_instances.keypoints (1, K_d, 2)``
            in image pixels, ``keypoint_scores (1, K_d)``.
        """
        if self.test_cfg.get('flip_test', False):
            feats = [self.extract_feat(inputs),
                     self.extract_feat(inputs.flip(-1))]
        else:
            feats = self.extract_feat(inputs)
        instances = [None] * len(data_samples)
        fields = [None] * len(data_samples)
        any_fields = False
        for name, rows in self._route(data_samples,
                                      self.test_cfg.get('head')).items():
            order = list(range(len(data_samples))) if rows is None \
                else rows.tolist()
            samples = [data_samples[i] for i in order]
            self._check_keypoints(name, samples)
            preds = self.heads[name].predict(
                _select(feats, rows), samples, test_cfg=self.test_cfg)
            if isinstance(preds, tuple):
                preds, pred_fields = preds
                any_fields = True
            else:
                pred_fields = [None] * len(order)
            for i, inst, field in zip(order, preds, pred_fields):
                instances[i], fields[i] = inst, field
        return self.add_pred_to_datasample(
            instances, fields if any_fields else None, data_samples)

    def _forward(self, inputs: Tensor, data_samples=None
                 ) -> Union[Tensor, Tuple[Tensor]]:
        """Raw outputs of the head of ``test_cfg.head`` (or the only head):
        what ONNX export and FLOP counting see."""
        return self.heads[self._default_head()].forward(
            self.extract_feat(inputs))

