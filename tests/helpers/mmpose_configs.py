"""Files of the configs shipped inside the installed MMPose package."""
import os.path as osp

import mmpose

#: MMPose's own configs, as installed (``mmpose/.mim/configs``).
MMPOSE_CONFIGS = osp.join(osp.dirname(mmpose.__file__), '.mim', 'configs')


def dataset_info_file(name):
    """MMPose's dataset description ``_base_/datasets/{name}.py`` (keypoint
    names, flip pairs, sigmas), for ``parse_pose_metainfo(dict(from_file=
    ...))``. MMPose's own configs name it relative to the working directory
    and MMPose falls back to its installed copy; the absolute path reads the
    same file from any directory."""
    return osp.join(MMPOSE_CONFIGS, '_base_', 'datasets', f'{name}.py')
