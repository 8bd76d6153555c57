"""Decoder inputs as MMPose's codecs take them.

MMPose's decoders work on any NumPy array: views with negative strides (a
flipped heatmap ``hm[..., ::-1]``), read-only arrays (``np.broadcast_to``, a
memory map), float32 or float64, and tensors. ``torch.from_numpy`` refuses
negative strides and non-native byte order and warns about read-only memory,
so arrays are copied (C order, native byte order) only in those cases.
"""
from typing import Union

import numpy as np
import torch
from torch import Tensor


def as_float_tensor(values: Union[np.ndarray, Tensor]) -> Tensor:
    """A float32 or float64 tensor with the values of ``values``, detached
    from autograd (decoding is never differentiated; a detached input spares
    each decoder a ``torch.no_grad`` context).

    Args:
        values (np.ndarray | Tensor): Any shape, strides and memory layout;
            float64 stays float64 (decoded in that precision), every other
            dtype becomes float32

    Returns:
        Tensor: On the tensor's device (CPU for arrays); shares memory with
        a C-contiguous, writeable, native-order array
    """
    if not isinstance(values, Tensor):
        array = np.asarray(values)
        native = array.dtype.newbyteorder('=')
        if not (array.flags.c_contiguous and array.flags.writeable
                and array.dtype == native):
            array = np.array(array, dtype=native, order='C', copy=True)
        values = torch.from_numpy(array)
    if values.dtype not in (torch.float32, torch.float64):
        values = values.float()
    return values.detach() if values.requires_grad else values
