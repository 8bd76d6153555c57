"""Export the knowledge tokens learned in stage 1 to a token file.

    python -m mmpose_ext.tools.export_knowledge_tokens CHECKPOINT OUT \
        [--config STAGE1_CONFIG]

CHECKPOINT is a checkpoint of a ``KnowledgeTokenTeacher`` run (stage 1);
OUT receives ``{'knowledge_tokens': Tensor (T, C), 'source': CHECKPOINT,
'teacher_embedding': {...}}``, plain tensors that load weights-only, for
``KnowledgeTokens(token_file=OUT)`` in the student (stage 2). The teacher's
patch and position embedding go with the tokens: a student of another width
fits its map from the teacher's token space on them. The patch geometry
(stride, padding, grid) is read from the config saved in the checkpoint by
MMEngine, or from ``--config``.
"""
import argparse
import inspect
from typing import Optional

import torch
from mmengine.config import Config

from mmpose.registry import MODELS
from mmpose_ext.checkpoints import (safe_torch_load, save_knowledge_tokens,
                                    state_dict_of)
from mmpose_ext.models.backbones import PlainViT
from mmpose_ext.models.distillers.token_teacher import TOKEN_PARAM


def _backbone_cfg(checkpoint: str, raw: dict, config: Optional[str]):
    if config is not None:
        cfg = Config.fromfile(config)
    else:
        text = raw.get('meta', {}).get('cfg') if isinstance(raw, dict) \
            else None
        if not isinstance(text, str):
            raise ValueError(
                f'{checkpoint!r} carries no config (meta["cfg"]); pass the '
                'stage-1 config with --config')
        cfg = Config.fromstring(text, '.py')
    backbone = dict(cfg.model.backbone)
    if MODELS.get(backbone.get('type')) is not PlainViT:
        raise ValueError(f'the stage-1 backbone is {backbone.get("type")!r}; '
                         'knowledge tokens need a PlainViT')
    return backbone


def teacher_embedding(backbone_cfg: dict, state: dict) -> dict:
    """The teacher's patch and position embedding from a stage-1 state dict
    and its backbone config."""
    defaults = {
        k: p.default
        for k, p in inspect.signature(PlainViT).parameters.items()
    }
    # the geometry of the patch embedding, built without weights
    args = {k: backbone_cfg.get(k, defaults[k]) for k in (
        'arch', 'img_size', 'patch_size', 'patch_stride', 'patch_padding',
        'in_channels')}
    with torch.device('meta'):
        vit = PlainViT(**args)
    conv = vit.patch_embed.projection
    return dict(
        weight=state['backbone.patch_embed.projection.weight'],
        bias=state['backbone.patch_embed.projection.bias'],
        pos_embed=state['backbone.pos_embed'],
        grid=list(vit.patch_grid),
        stride=list(conv.stride),
        padding=list(conv.padding))


def export_knowledge_tokens(checkpoint: str, out: str,
                            config: Optional[str] = None):
    """Write the tokens of ``checkpoint`` (and the teacher embedding) to
    ``out``; returns the tokens ``(T, C)``."""
    raw = safe_torch_load(checkpoint)
    state = state_dict_of(raw)
    if TOKEN_PARAM not in state:
        raise KeyError(
            f'{checkpoint!r} holds no {TOKEN_PARAM!r}; export from a '
            'checkpoint of the stage-1 config (KnowledgeTokenTeacher)')
    tokens = state[TOKEN_PARAM]
    embedding = teacher_embedding(_backbone_cfg(checkpoint, raw, config),
                                  state)
    save_knowledge_tokens(tokens, out, source=checkpoint,
                          teacher_embedding=embedding)
    return tokens[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='stage-1 checkpoint')
    parser.add_argument('out', help='token file to write')
    parser.add_argument(
        '--config', help='stage-1 config (default: the one saved in the '
        'checkpoint)')
    args = parser.parse_args(argv)
    tokens = export_knowledge_tokens(args.checkpoint, args.out, args.config)
    print(f'wrote {tokens.shape[0]} knowledge tokens of width '
          f'{tokens.shape[1]} to {args.out}')


if __name__ == '__main__':
    main()
