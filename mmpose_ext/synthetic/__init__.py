"""The embedded synthetic person keypoint set (COCO format, 17 keypoints).

Articulated 3D figures (:mod:`.body_model`) dressed as solid shaded shapes
(:mod:`.figure`, :mod:`.primitives`) are placed with occluding objects
(:mod:`.props`) over textured backgrounds (:mod:`.background`); each image's
annotations are read back from what was drawn (:mod:`.scene`), validation gets
simulated person detections (:mod:`.detections`), and :mod:`.writer` lays it
all out like COCO; :mod:`.aic_person` annotates the same people with AI
Challenger's 14 keypoints (``--extra-formats aic``) and :mod:`.mpii_person`
with MPII's 16 (``--extra-formats mpii``). Command line::

    python -m mmpose_ext.synthetic --out data/synthetic \\
        [--num-train N] [--num-val M] [--seed S] [--extra-formats aic mpii]
"""
from .coco_person import KEYPOINT_NAMES, SKELETON, person_category
from .writer import DEFAULTS, generate_dataset

__all__ = ['generate_dataset', 'DEFAULTS', 'KEYPOINT_NAMES', 'SKELETON',
           'person_category']
