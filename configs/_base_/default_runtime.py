# MMPose's runtime defaults (hooks, visualizer, logging, default_scope='mmpose')
# plus the plugin import that registers mmpose_ext's modules.
_base_ = ['mmpose::_base_/default_runtime.py']

custom_imports = dict(imports=['mmpose_ext'], allow_failed_imports=False)

# MMPose's SyncBuffersHook, plus: stop at the first NaN/inf loss term, naming
# it, before a checkpoint with NaN weights can be written.
custom_hooks = [
    dict(type='SyncBuffersHook'),
    dict(type='CheckInvalidLossTermHook', interval=1),
]

# MMPose's visualizer with keypoint drawing fixed for NumPy >= 2.4
# (mmpose_ext.visualization.PoseLocalVisualizerNumpy2).
visualizer = dict(type='PoseLocalVisualizerNumpy2')
