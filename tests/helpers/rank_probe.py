"""A hook for the distributed test: each rank writes what it trained on."""
import json
import os.path as osp

from mmengine.dist import get_dist_info
from mmengine.hooks import Hook
from mmpose.registry import HOOKS


@HOOKS.register_module()
class RankProbeHook(Hook):
    """Writes ``rank{r}.json`` into the work dir after training: world size,
    iterations run, instance ids seen and the sum of the model parameters."""

    def before_run(self, runner):
        self.ids = []
        self.iters = 0

    def after_train_iter(self, runner, batch_idx, data_batch=None,
                         outputs=None):
        self.iters += 1
        self.ids += [int(s.metainfo['id']) for s in data_batch['data_samples']]

    def after_train(self, runner):
        rank, world_size = get_dist_info()
        model = getattr(runner.model, 'module', runner.model)
        param_sum = sum(float(p.detach().double().sum())
                        for p in model.parameters())
        with open(osp.join(runner.work_dir, f'rank{rank}.json'), 'w') as f:
            json.dump(dict(world_size=world_size, iters=self.iters,
                           ids=self.ids, param_sum=param_sum), f)
