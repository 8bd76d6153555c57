"""Checkpoint files: reading them safely, checking that they fit a model,
and converting published layouts.

One concept per module:

* :mod:`.weights_only`: reading with the weights-only allowlist
  (:func:`safe_torch_load`), and routing MMEngine's own local loads through
  it on request (:func:`install_weights_only_loader`; never on import).
* :mod:`.strict_loading`: whether a state dict fits a model
  (:func:`state_dict_mismatches`, :class:`CheckpointMismatchError`) and
  loading only one that does (:func:`load_state_dict_strict`).
* :mod:`.pose_checkpoint`: a whole pose model's checkpoint, strictly
  (:func:`load_checkpoint_strict`, :func:`load_pose_checkpoint`).
* :mod:`.vit_layout`: where a state dict holds a ViT and in which layout
  (official ViTPose / MAE, MMPose 1.x, this package's).
* :mod:`.vit_conversion`: renaming ViT / ViTPose weights between layouts.
* :mod:`.multi_head`: single-dataset <-> multi-head checkpoints.
* :mod:`.knowledge_token_file`: the knowledge-token files of ViTPose's token
  distillation.

This package is on the lowest floor with ``utils`` and ``codecs``: it imports
nothing else of mmpose_ext, so models, hooks and tools can all use it.
"""
from .knowledge_token_file import (load_knowledge_tokens, read_token_file,
                                   save_knowledge_tokens)
from .multi_head import (export_single_head_checkpoint, head_names_of,
                         load_single_dataset_checkpoint, multi_head_to_single,
                         single_to_multi_head)
from .pose_checkpoint import load_checkpoint_strict, load_pose_checkpoint
from .strict_loading import (CheckpointMismatchError,
                             apply_load_state_dict_pre_hooks,
                             load_state_dict_strict, state_dict_mismatches,
                             state_dict_of)
from .vit_conversion import (convert_vit_backbone, convert_vitpose_checkpoint,
                             fold_cls_slot, grid_tokens,
                             vit_backbone_to_official,
                             vitpose_checkpoint_to_official)
from .vit_layout import LAYOUTS, backbone_of, find_vit, locate_vit, vit_layout
from .weights_only import (SAFE_GLOBALS, CheckpointRefusedError,
                           install_weights_only_loader, load_local_checkpoint,
                           safe_torch_load, uninstall_weights_only_loader,
                           weights_only_loader_installed)

__all__ = [
    'CheckpointMismatchError', 'CheckpointRefusedError', 'LAYOUTS',
    'SAFE_GLOBALS', 'apply_load_state_dict_pre_hooks', 'backbone_of', 'convert_vit_backbone',
    'convert_vitpose_checkpoint', 'export_single_head_checkpoint', 'find_vit',
    'fold_cls_slot', 'grid_tokens', 'head_names_of',
    'install_weights_only_loader', 'load_checkpoint_strict',
    'load_knowledge_tokens', 'load_local_checkpoint', 'load_pose_checkpoint',
    'load_single_dataset_checkpoint', 'load_state_dict_strict', 'locate_vit',
    'multi_head_to_single', 'read_token_file', 'safe_torch_load',
    'save_knowledge_tokens', 'single_to_multi_head', 'state_dict_mismatches',
    'state_dict_of', 'uninstall_weights_only_loader', 'vit_backbone_to_official',
    'vit_layout', 'vitpose_checkpoint_to_official',
    'weights_only_loader_installed'
]
