"""Pictures of MAE reconstructions of a few validation crops."""
import os.path as osp
from typing import Optional

import mmcv
import numpy as np
import torch
from mmengine.dataset import pseudo_collate
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmpose.registry import DATASETS, HOOKS


@HOOKS.register_module()
class MAEReconstructionHook(Hook):
    """Write, for the first ``num_crops`` crops of ``dataset``, a picture
    with one row per crop: masked input | reconstruction | original (MAE's
    Fig. 2), to ``{work_dir}/mae_reconstructions/iter_{N}.png`` after
    training (and every ``interval`` iterations if given).

    The mask is drawn from a generator seeded with ``seed``, so pictures of
    different iterations show the same masks.

    Args:
        dataset (dict): A top-down dataset config with a validation pipeline
            (``TopdownAffine`` to the backbone's input size,
            ``PackPoseInputs``).
        num_crops (int): Crops in the picture.
        interval (int, optional): Also write every this many iterations.
        seed (int): Seed of the masks.
    """

    def __init__(self,
                 dataset: dict,
                 num_crops: int = 4,
                 interval: Optional[int] = None,
                 seed: int = 0):
        if num_crops < 1:
            raise ValueError(f'{type(self).__name__}: num_crops must be >= '
                             f'1, got {num_crops}')
        self.dataset_cfg = dataset
        self.num_crops = num_crops
        self.interval = interval
        self.seed = seed
        self._dataset = None

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        if self.interval and self.every_n_train_iters(runner, self.interval):
            self.write(runner)

    def after_train(self, runner):
        self.write(runner)

    @torch.no_grad()
    def write(self, runner) -> str:
        """Write the picture of the current model; returns its path."""
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        if self._dataset is None:
            self._dataset = DATASETS.build(self.dataset_cfg)
        count = min(self.num_crops, len(self._dataset))
        batch = pseudo_collate([self._dataset[i] for i in range(count)])
        data = model.data_preprocessor(batch, False)
        images = data['inputs']  # (B, c, H_img, W_img), normalised
        was_training = model.training
        model.eval()
        gen = torch.Generator(device=images.device).manual_seed(self.seed)
        out = model.reconstruct(images, generator=gen)
        pictures = model.to_pixels(out, images.shape[-2:])
        model.train(was_training)
        prep = model.data_preprocessor
        columns = [
            _to_uint8(pictures[k], prep.mean, prep.std)
            for k in ('masked', 'reconstruction', 'original')
        ]  # (B, H, W, 3) RGB each
        rows = [np.concatenate([c[i] for c in columns], 1)
                for i in range(count)]
        path = osp.join(runner.work_dir, 'mae_reconstructions',
                        f'iter_{runner.iter}.png')
        picture = np.concatenate(rows, 0)
        if getattr(prep, '_channel_conversion', False):
            picture = picture[..., ::-1]  # the model's RGB -> BGR for cv2
        mmcv.imwrite(np.ascontiguousarray(picture), path)
        runner.logger.info(f'MAEReconstructionHook: wrote {path} (rows: '
                           'masked input | reconstruction | original)')
        return path


def _to_uint8(images, mean, std):
    """Normalised ``(B, 3, H, W)`` -> ``(B, H, W, 3)`` uint8 in the
    preprocessor's channel order."""
    pixels = images * std.to(images) + mean.to(images)
    return pixels.clamp(0, 255).round().byte().permute(0, 2, 3,
                                                       1).cpu().numpy()
