"""The demo's inputs: unreadable images and videos give a clear error."""
import shutil

import cv2
import numpy as np
import pytest

from mmpose_ext.apis import (UnreadableInputError, input_kind, list_images,
                             open_video, read_image)


def test_input_kinds(tmp_path, coco_tiny):
    assert input_kind(coco_tiny) == 'folder'
    assert input_kind(f'{coco_tiny}/000000000785.jpg') == 'image'
    video = tmp_path / 'clip.MP4'
    video.write_bytes(b'')
    assert input_kind(str(video)) == 'video'
    with pytest.raises(UnreadableInputError, match='does not exist'):
        input_kind(str(tmp_path / 'missing.jpg'))
    with pytest.raises(UnreadableInputError, match='neither an image'):
        input_kind(f'{coco_tiny}/person_keypoints_tiny.json')


@pytest.mark.parametrize('content', [b'', b'not a jpeg at all' * 10])
def test_unreadable_image(tmp_path, content):
    path = tmp_path / 'broken.jpg'
    path.write_bytes(content)
    with pytest.raises(UnreadableInputError) as err:
        read_image(str(path))
    assert f"cannot read image '{path}'" in str(err.value)
    with pytest.raises(UnreadableInputError, match='does not exist'):
        read_image(str(tmp_path / 'missing.png'))


def test_read_image_is_bgr(coco_tiny):
    img = read_image(f'{coco_tiny}/000000000785.jpg')
    assert img.shape == (425, 640, 3) and img.dtype == np.uint8
    assert np.array_equal(img, cv2.imread(f'{coco_tiny}/000000000785.jpg'))


def test_list_images_sorts_and_separates(tmp_path, coco_tiny):
    for name in ('b.jpg', 'a.PNG', 'notes.txt'):
        shutil.copy(f'{coco_tiny}/000000000785.jpg', tmp_path / name)
    (tmp_path / 'sub').mkdir()
    images, others = list_images(str(tmp_path))
    assert [p.split('/')[-1] for p in images] == ['a.PNG', 'b.jpg']
    assert [p.split('/')[-1] for p in others] == ['notes.txt']


def test_unreadable_video(tmp_path):
    path = tmp_path / 'broken.mp4'
    path.write_bytes(b'\x00\x01garbage' * 100)
    with pytest.raises(UnreadableInputError) as err:
        open_video(str(path))
    assert f"cannot read video '{path}'" in str(err.value)


def test_video_frames(tmp_path):
    path = str(tmp_path / 'clip.mp4')
    writer = cv2.VideoWriter(path, cv2.VideoWriter_fourcc(*'mp4v'), 5,
                             (64, 48))
    for i in range(3):
        writer.write(np.full((48, 64, 3), 60 * i, np.uint8))
    writer.release()
    reader = open_video(path)
    frames = list(reader)
    assert len(frames) == 3 and frames[0].shape == (48, 64, 3)
