"""Write the synthetic set to disk in COCO's person keypoint format.

Layout under ``out_dir`` (what ``configs/_base_/data/synthetic.py`` reads)::

    annotations/person_keypoints_train.json
    annotations/person_keypoints_val.json
    images/train/000001.jpg ...
    images/val/000001.jpg ...
    person_detection_results/person_detections_val.json

and, with ``extra_formats=('aic',)`` (``--extra-formats aic``), the same
people with AI Challenger's 14 keypoints in MMPose's COCO-style AIC files
(see :mod:`.aic_person`; the COCO files stay the same bytes)::

    annotations/aic_keypoints_train.json
    annotations/aic_keypoints_val.json

and with ``'mpii'`` (``--extra-formats mpii``) with MPII's 16 keypoints in
MMPose's MPII json layout, and the head boxes of val for PCKh (see
:mod:`.mpii_person`)::

    annotations/mpii_train.json
    annotations/mpii_val.json
    annotations/mpii_gt_val.mat

Every image is drawn from its own random generator seeded by ``(seed, split,
index)``, so the output is the same bytes for the same arguments (nothing
depends on global random state, the clock or the order of a hash), and image
``i`` of a split does not change when the number of images does.
"""
import io
import json
import os
import os.path as osp
from typing import Dict

import cv2
import numpy as np
from scipy.io import savemat
from xtcocotools import mask as mask_utils

from .aic_person import aic_category, annotate_aic
from .coco_person import PERSON_CATEGORY_ID, person_category
from .detections import simulate_detections
from .figure import NUM_PARTS
from .mpii_person import annotate_mpii
from .scene import PersonAnnotation, make_scene

SPLITS = {'train': 0, 'val': 1}
DEFAULTS = dict(num_train=1800, num_val=150, seed=0, width=256, height=256,
                max_people=3, jpeg_quality=92)
MIN_SIDE = 64
# the other keypoint definitions the same scenes can be written in
EXTRA_FORMATS = ('aic', 'mpii')
# the text part of a MAT-file header (116 bytes): fixed, so that the same
# arguments give the same bytes (scipy writes the creation time there)
MAT_HEADER = b'MATLAB 5.0 MAT-file, written by mmpose_ext synthetic data'


def _rng(seed: int, split: str, index: int, stream: int):
    """The generator of one image (``stream`` 0: the picture, 1: the
    detector)."""
    return np.random.default_rng(
        np.random.SeedSequence([seed, SPLITS[split], index, stream]))


def _annotation(person: PersonAnnotation, ann_id: int, image_id: int) -> dict:
    kps = []
    for x, y, v in person.keypoints:
        kps += [round(float(x), 2), round(float(y), 2), int(v)] if v > 0 \
            else [0, 0, 0]
    rle = mask_utils.encode(np.asfortranarray(person.mask.astype(np.uint8)))
    return {
        'id': ann_id,
        'image_id': image_id,
        'category_id': PERSON_CATEGORY_ID,
        'iscrowd': 0,
        'num_keypoints': person.num_keypoints,
        'keypoints': kps,
        'bbox': [int(v) for v in person.bbox],
        'area': int(person.area),
        'segmentation': {'size': [int(s) for s in rle['size']],
                         'counts': rle['counts'].decode('ascii')},
    }


def _aic_annotation(person: dict, ann_id: int, image_id: int) -> dict:
    kps = []
    for x, y, v in person['keypoints']:
        kps += [round(float(x), 2), round(float(y), 2), int(v)] if v > 0 \
            else [0, 0, 0]
    return {
        'id': ann_id,
        'image_id': image_id,
        'category_id': PERSON_CATEGORY_ID,
        'iscrowd': 0,
        'num_keypoints': int((person['keypoints'][:, 2] > 0).sum()),
        'keypoints': kps,
        'bbox': [int(v) for v in person['bbox']],
        'area': int(person['area']),
    }


def check_extra_formats(extra_formats) -> tuple:
    """The requested extra formats as a tuple; ``ValueError`` naming an
    unknown one."""
    extra_formats = tuple(extra_formats or ())
    for name in extra_formats:
        if name not in EXTRA_FORMATS:
            raise ValueError(
                f'synthetic data: unknown extra format {name!r} '
                f'(--extra-formats); known: {", ".join(EXTRA_FORMATS)}')
    return extra_formats


def _write_json(path: str, obj) -> None:
    with open(path, 'w') as f:
        json.dump(obj, f, separators=(',', ':'))
        f.write('\n')


def _write_headboxes(path: str, boxes) -> None:
    """Write ``boxes`` (``N`` arrays ``(2, 2)``, corner x coordinate) as
    the ``headboxes_src`` array ``(2, 2, N)`` that MMPose's ``MpiiDataset``
    reads from its ``headbox_file``."""
    array = np.zeros((2, 2, len(boxes)))
    if boxes:
        array = np.stack(boxes).transpose(1, 2, 0)
    buf = io.BytesIO()
    savemat(buf, {'headboxes_src': array})
    data = buf.getvalue()
    with open(path, 'wb') as f:
        f.write(MAT_HEADER.ljust(116) + data[116:])


def check_arguments(num_train: int, num_val: int, seed: int, width: int,
                    height: int, max_people: int, jpeg_quality: int) -> None:
    """Raise ``ValueError`` naming the first bad argument."""
    for name, value, low, high in (
            ('num_train', num_train, 0, None), ('num_val', num_val, 0, None),
            ('seed', seed, 0, 2**63 - 1), ('width', width, MIN_SIDE, None),
            ('height', height, MIN_SIDE, None),
            ('max_people', max_people, 1, None),
            ('jpeg_quality', jpeg_quality, 1, 100)):
        # the Python name and the command-line option
        what = f'synthetic data: {name} (--{name.replace("_", "-")})'
        if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
            raise ValueError(f'{what} must be an integer, got {value!r}')
        if value < low or (high is not None and value > high):
            bounds = f'>= {low}' if high is None else f'in [{low}, {high}]'
            raise ValueError(f'{what} must be {bounds}, got {value}')
    if num_train + num_val == 0:
        raise ValueError('synthetic data: num_train and num_val are both 0, '
                         'nothing to generate')


def _make_dirs(out_dir: str) -> None:
    for sub in ('annotations', 'images/train', 'images/val',
                'person_detection_results'):
        path = osp.join(out_dir, sub)
        try:
            os.makedirs(path, exist_ok=True)
        except OSError as e:
            raise OSError(f'synthetic data: cannot create {path!r} under '
                          f'--out {out_dir!r}: {e.strerror or e}') from e
        if not os.access(path, os.W_OK):
            raise PermissionError(f'synthetic data: {path!r} (under --out '
                                  f'{out_dir!r}) is not writable')


def write_split(out_dir: str, split: str, num_images: int, seed: int,
                width: int, height: int, max_people: int,
                jpeg_quality: int, extra_formats=()) -> Dict[str, int]:
    """Render ``num_images`` images of ``split`` (``'train'`` or ``'val'``)
    and write them with their annotation file (and, for ``'val'``, the
    detection results; with ``extra_formats`` the files of those formats
    too).
    Returns counts of images, people and detections."""
    images, annotations, detections, aic = [], [], [], []
    mpii, head_boxes = [], []
    for index in range(num_images):
        image_id = index + 1
        file_name = f'{image_id:06d}.jpg'
        scene, image, labels, all_people = make_scene(
            _rng(seed, split, index, 0), width, height, max_people)
        people = [p for p in all_people if p is not None]
        if 'aic' in extra_formats:
            for person in annotate_aic(scene.figures, all_people, labels,
                                       NUM_PARTS):
                if person is not None:
                    aic.append(_aic_annotation(person, len(aic) + 1,
                                               image_id))
        if 'mpii' in extra_formats:
            for item in annotate_mpii(scene.figures, all_people, file_name,
                                      width, height):
                if item is not None:
                    mpii.append(item[0])
                    head_boxes.append(item[1])
        ok, jpeg = cv2.imencode('.jpg', image,
                                [cv2.IMWRITE_JPEG_QUALITY, jpeg_quality])
        if not ok:
            raise RuntimeError(f'synthetic data: JPEG encoding of {split} '
                               f'image {file_name} failed')
        with open(osp.join(out_dir, 'images', split, file_name), 'wb') as f:
            f.write(jpeg.tobytes())
        images.append({'id': image_id, 'file_name': file_name,
                       'width': width, 'height': height})
        for person in people:
            annotations.append(_annotation(person, len(annotations) + 1,
                                           image_id))
        if split == 'val':
            dets = simulate_detections(
                _rng(seed, split, index, 1), [p.bbox for p in people],
                [p.visible_fraction for p in people], width, height)
            detections += [{
                'image_id': image_id,
                'category_id': PERSON_CATEGORY_ID,
                'bbox': [round(float(v), 2) for v in box],
                'score': round(score, 4),
            } for box, score in dets]
    coco = {
        'info': {'description': 'mmpose_ext synthetic person keypoints',
                 'version': '1.0', 'seed': seed, 'split': split},
        'licenses': [],
        'images': images,
        'annotations': annotations,
        'categories': [person_category()],
    }
    _write_json(osp.join(out_dir, 'annotations',
                         f'person_keypoints_{split}.json'), coco)
    if split == 'val':
        _write_json(osp.join(out_dir, 'person_detection_results',
                             'person_detections_val.json'), detections)
    if 'aic' in extra_formats:
        _write_json(osp.join(out_dir, 'annotations',
                             f'aic_keypoints_{split}.json'), {
            **coco,
            'info': {**coco['info'],
                     'description': 'mmpose_ext synthetic person keypoints, '
                     'AI Challenger keypoints'},
            'annotations': aic,
            'categories': [aic_category()],
        })
    if 'mpii' in extra_formats:
        _write_json(osp.join(out_dir, 'annotations', f'mpii_{split}.json'),
                    mpii)
        if split == 'val':
            _write_headboxes(
                osp.join(out_dir, 'annotations', 'mpii_gt_val.mat'),
                head_boxes)
    return dict(images=len(images), people=len(annotations),
                detections=len(detections))


def generate_dataset(out_dir: str, num_train: int = DEFAULTS['num_train'],
                     num_val: int = DEFAULTS['num_val'],
                     seed: int = DEFAULTS['seed'],
                     width: int = DEFAULTS['width'],
                     height: int = DEFAULTS['height'],
                     max_people: int = DEFAULTS['max_people'],
                     jpeg_quality: int = DEFAULTS['jpeg_quality'],
                     extra_formats=()) -> Dict[str, Dict[str, int]]:
    """Write the whole synthetic set under ``out_dir`` (see the module doc);
    ``extra_formats`` (a subset of :data:`EXTRA_FORMATS`) adds the same
    people in other keypoint definitions.

    Returns:
        dict: per split, the counts from :func:`write_split`.
    """
    check_arguments(num_train, num_val, seed, width, height, max_people,
                    jpeg_quality)
    extra_formats = check_extra_formats(extra_formats)
    _make_dirs(out_dir)
    counts = {}
    for split, num in (('train', num_train), ('val', num_val)):
        counts[split] = write_split(out_dir, split, num, seed, width, height,
                                    max_people, jpeg_quality, extra_formats)
    return counts

