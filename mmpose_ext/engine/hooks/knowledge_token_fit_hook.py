"""Fit the teacher-to-student knowledge-token map on the first batch."""
from typing import List, Optional

from mmengine.dist import broadcast
from mmengine.hooks import Hook
from mmengine.model import is_model_wrapper

from mmpose.registry import HOOKS


@HOOKS.register_module()
class KnowledgeTokenFitHook(Hook):
    """Stage 2 of knowledge-token distillation with ``transfer='fit'``: on
    the first training iteration, before the step, fit the affine map from
    the teacher's input-token space to the student's on that batch and set
    the student's frozen tokens (see
    :mod:`mmpose_ext.models.layers.knowledge_tokens`).

    The batch goes through the model's ``data_preprocessor`` as in training;
    every :class:`PlainViT` of the model whose knowledge tokens still need
    the fit gets it. Tokens already set (verbatim tokens, or a resumed
    stage-2 checkpoint) are left alone. With several processes, rank 0's
    tokens are broadcast, so that all ranks train with the same ones.
    """

    priority = 'VERY_HIGH'

    def before_train_iter(self,
                          runner,
                          batch_idx: int,
                          data_batch: Optional[dict] = None) -> None:
        model = runner.model.module if is_model_wrapper(
            runner.model) else runner.model
        backbones = _backbones_to_fit(model)
        if not backbones:
            return
        data = model.data_preprocessor(data_batch, True)
        images = data['inputs']  # (B, c, H_img, W_img)
        for backbone in backbones:
            student, hw = backbone.embed(images)  # (B, N, C)
            tokens = backbone.knowledge_tokens
            weight, bias = tokens.fit(images, student.detach(), hw)
            broadcast(tokens.tokens, 0)
            runner.logger.info(
                f'KnowledgeTokenFitHook: {tokens.num_tokens} knowledge '
                f'token(s) of width {weight.shape[1]} mapped to width '
                f'{weight.shape[0]} by an affine map fitted on '
                f'{student.shape[0] * student.shape[1]} patch tokens; token '
                f'norms {tokens.tokens[0].norm(dim=-1).tolist()}')


def _backbones_to_fit(model) -> List:
    found = []
    for module in model.modules():
        tokens = getattr(module, 'knowledge_tokens', None)
        if tokens is not None and getattr(tokens, 'needs_fit', False):
            found.append(module)
    return found
