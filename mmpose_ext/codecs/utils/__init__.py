"""Helpers of the codecs: target generation (NumPy) and batched decoding
steps (torch)."""
from .batch_maximum import (check_heatmap_shape, first_argmax,
                            first_argmax_numpy,
                            get_heatmap_maximum_torch,
                            get_vector_maximum_torch, split_instances,
                            warn_nan_maxima)
from .gaussian_targets import (gaussian_heatmaps, gaussian_labels_1d,
                               offset_heatmaps)
from .inputs import as_float_tensor
from .modulation import (blurred_maximum, blurred_values, gaussian_blur_maps,
                         gaussian_kernel1d, modulated_log_values)
from .taylor_refinement import (DARK_STENCIL, REACH, SIMCC_STENCIL,
                                UDP_STENCIL, dark_derivatives, limit_to_map,
                                mmpose_maxima, refine_maxima,
                                refine_maxima_mmpose, taylor_step,
                                taylor_step_1d, udp_derivatives)

__all__ = [
    'check_heatmap_shape', 'first_argmax', 'first_argmax_numpy',
    'get_heatmap_maximum_torch',
    'get_vector_maximum_torch', 'split_instances', 'warn_nan_maxima',
    'gaussian_heatmaps', 'gaussian_labels_1d', 'offset_heatmaps',
    'blurred_maximum', 'blurred_values', 'gaussian_blur_maps',
    'gaussian_kernel1d', 'as_float_tensor', 'REACH', 'mmpose_maxima',
    'refine_maxima_mmpose',
    'modulated_log_values', 'DARK_STENCIL', 'SIMCC_STENCIL', 'UDP_STENCIL',
    'dark_derivatives', 'limit_to_map', 'refine_maxima',
    'taylor_step', 'taylor_step_1d', 'udp_derivatives'
]
