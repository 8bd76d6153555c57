"""The COCO person category: 17 keypoints, their skeleton and left/right pairs.

Written out as in COCO's ``person_keypoints_val2017.json`` so that the
synthetic annotation files carry the very same ``categories`` entry, and MMPose's
COCO metainfo (``configs/_base_/datasets/coco.py``: flip indices, OKS sigmas)
applies to them unchanged.
"""

KEYPOINT_NAMES = (
    'nose', 'left_eye', 'right_eye', 'left_ear', 'right_ear',
    'left_shoulder', 'right_shoulder', 'left_elbow', 'right_elbow',
    'left_wrist', 'right_wrist', 'left_hip', 'right_hip', 'left_knee',
    'right_knee', 'left_ankle', 'right_ankle')
NUM_KEYPOINTS = len(KEYPOINT_NAMES)

# 1-based keypoint index pairs, COCO's order.
SKELETON = (
    (16, 14), (14, 12), (17, 15), (15, 13), (12, 13), (6, 12), (7, 13),
    (6, 7), (6, 8), (7, 9), (8, 10), (9, 11), (2, 3), (1, 2), (1, 3), (2, 4),
    (3, 5), (4, 6), (5, 7))

PERSON_CATEGORY_ID = 1


def person_category() -> dict:
    """The ``categories`` entry of a COCO person keypoint file (a new dict,
    lists instead of tuples, as json writes them)."""
    return {
        'supercategory': 'person',
        'id': PERSON_CATEGORY_ID,
        'name': 'person',
        'keypoints': list(KEYPOINT_NAMES),
        'skeleton': [list(pair) for pair in SKELETON],
    }
