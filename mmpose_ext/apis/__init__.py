"""Top-down inference around MMPose's and MMDetection's APIs: models built
with strict checkpoint checks, person detection, demo inputs and COCO
results files.

``CheckpointMismatchError`` and ``load_checkpoint_strict`` live in
:mod:`mmpose_ext.checkpoints` and are re-exported here, where the README
shows them."""
from mmpose_ext.checkpoints import (CheckpointMismatchError,
                                    load_checkpoint_strict)
from .coco_results import instances_to_coco_results
from .init_models import (ModelConfigError, init_person_detector,
                          init_pose_model)
from .onnx_topdown import OnnxTopdownEstimator
from .input_media import (UnreadableInputError, input_kind, list_images,
                          open_video, read_image)
from .person_detection import detect_people
from .topdown_inference import estimate_poses

__all__ = [
    'CheckpointMismatchError', 'ModelConfigError', 'OnnxTopdownEstimator',
    'UnreadableInputError',
    'detect_people', 'estimate_poses', 'init_person_detector',
    'init_pose_model', 'input_kind', 'instances_to_coco_results',
    'list_images', 'load_checkpoint_strict', 'open_video', 'read_image'
]
