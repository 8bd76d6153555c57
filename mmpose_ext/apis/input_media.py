"""What the demo reads: an image, a folder of images or a video, with a
clear error for files that cannot be read."""
import os
import os.path as osp
from typing import List, Tuple

import cv2
import mmcv
import numpy as np

__all__ = [
    'IMAGE_SUFFIXES', 'VIDEO_SUFFIXES', 'UnreadableInputError', 'input_kind',
    'list_images', 'open_video', 'read_image'
]

IMAGE_SUFFIXES = ('.jpg', '.jpeg', '.png', '.bmp', '.tif', '.tiff', '.webp')
VIDEO_SUFFIXES = ('.mp4', '.avi', '.mov', '.mkv', '.webm', '.mpg', '.mpeg',
                  '.m4v', '.wmv')


class UnreadableInputError(ValueError):
    """An input path is missing, of an unknown kind, or cannot be decoded."""


def input_kind(path: str) -> str:
    """``'folder'``, ``'image'`` or ``'video'`` (by the file's suffix)."""
    if osp.isdir(path):
        return 'folder'
    if not osp.isfile(path):
        raise UnreadableInputError(f'input {path!r} does not exist')
    suffix = osp.splitext(path)[1].lower()
    if suffix in IMAGE_SUFFIXES:
        return 'image'
    if suffix in VIDEO_SUFFIXES:
        return 'video'
    raise UnreadableInputError(
        f'input {path!r} is neither an image ({", ".join(IMAGE_SUFFIXES)}) '
        f'nor a video ({", ".join(VIDEO_SUFFIXES)}) by its suffix, nor a '
        'folder')


def read_image(path: str) -> np.ndarray:
    """The image as a ``(H, W, 3)`` BGR uint8 array.

    Raises:
        UnreadableInputError: the file is missing, empty or not a decodable
            image.
    """
    if not osp.isfile(path):
        raise UnreadableInputError(f'image {path!r} does not exist')
    img = mmcv.imread(path) if osp.getsize(path) else None
    if img is None:
        raise UnreadableInputError(
            f'cannot read image {path!r}: the file is empty, corrupt or not '
            'in an image format OpenCV decodes')
    return img


def list_images(folder: str) -> Tuple[List[str], List[str]]:
    """The image files of ``folder`` (not recursive) by suffix, sorted, and
    the other files (which are not images by their suffix)."""
    images, others = [], []
    for name in sorted(os.listdir(folder)):
        path = osp.join(folder, name)
        if not osp.isfile(path):
            continue
        is_image = osp.splitext(name)[1].lower() in IMAGE_SUFFIXES
        (images if is_image else others).append(path)
    return images, others


def open_video(path: str) -> mmcv.VideoReader:
    """An ``mmcv.VideoReader`` whose first frame has been checked.

    Raises:
        UnreadableInputError: OpenCV cannot open the file or decode a
            frame of it.
    """
    if not osp.isfile(path):
        raise UnreadableInputError(f'video {path!r} does not exist')
    capture = cv2.VideoCapture(path)
    readable = capture.isOpened() and capture.read()[0]
    capture.release()
    if not readable:
        raise UnreadableInputError(
            f'cannot read video {path!r}: OpenCV cannot open it or decode a '
            'frame (corrupt file, or a codec this OpenCV build lacks)')
    return mmcv.VideoReader(path)
