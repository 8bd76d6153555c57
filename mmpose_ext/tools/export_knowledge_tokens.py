"""Export the knowledge tokens learned in stage 1 to a token file.

    python -m mmpose_ext.tools.export_knowledge_tokens CHECKPOINT OUT

CHECKPOINT is a checkpoint of a ``KnowledgeTokenTeacher`` run (stage 1);
OUT receives ``{'knowledge_tokens': Tensor (T, C), 'source': CHECKPOINT}``,
plain tensors that load weights-only, for ``KnowledgeTokens(token_file=OUT)``
in the student (stage 2).
"""
import argparse

from mmpose_ext.engine.checkpoint import safe_torch_load
from mmpose_ext.models.distillers.knowledge_tokens import save_knowledge_tokens
from mmpose_ext.models.distillers.token_teacher import TOKEN_PARAM
from mmpose_ext.models.utils.vit_checkpoint import state_dict_of


def export_knowledge_tokens(checkpoint: str, out: str):
    """Write the tokens of ``checkpoint`` to ``out``; returns them ``(T,
    C)``."""
    state = state_dict_of(safe_torch_load(checkpoint))
    if TOKEN_PARAM not in state:
        raise KeyError(
            f'{checkpoint!r} holds no {TOKEN_PARAM!r}; export from a '
            'checkpoint of the stage-1 config (KnowledgeTokenTeacher)')
    tokens = state[TOKEN_PARAM]
    save_knowledge_tokens(tokens, out, source=checkpoint)
    return tokens[0]


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('checkpoint', help='stage-1 checkpoint')
    parser.add_argument('out', help='token file to write')
    args = parser.parse_args(argv)
    tokens = export_knowledge_tokens(args.checkpoint, args.out)
    print(f'wrote {tokens.shape[0]} knowledge tokens of width '
          f'{tokens.shape[1]} to {args.out}')


if __name__ == '__main__':
    main()
