"""Stand-in models whose outputs are known, for testing top-down inference
end to end: a person "detector" that returns the ground-truth boxes and a pose
head that returns the encoded ground-truth keypoints.

Not imported by ``import mmpose_ext``; a config that uses them imports them
with ``custom_imports = dict(imports=['mmpose_ext.testing'])``.
"""
from .coco_ground_truth import CocoGroundTruth
from .ground_truth_detector import GroundTruthPersonDetector
from .ground_truth_pose_head import GroundTruthPoseHead

__all__ = ['CocoGroundTruth', 'GroundTruthPersonDetector',
           'GroundTruthPoseHead']
