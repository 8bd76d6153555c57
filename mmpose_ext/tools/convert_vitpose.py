"""Convert an official ViTPose (or MMPose 1.x ViTPose) checkpoint into this
package's layout, for ``mim test --checkpoint`` / ``load_from`` with the
``configs/vitpose_*.py`` configs.

    python -m mmpose_ext.tools.convert_vitpose SRC DST

SRC is loaded weights-only. DST holds ``{'state_dict': ...}`` with
``backbone.*`` keys of ``PlainViT`` and ``head.*`` keys of MMPose's
``HeatmapHead``. See ``mmpose_ext.checkpoints.vit_conversion``.
"""
import argparse

import torch

from mmpose_ext.checkpoints import (convert_vitpose_checkpoint, safe_torch_load,
                                    state_dict_of)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('src', help='official ViTPose checkpoint')
    parser.add_argument('dst', help='converted checkpoint to write')
    args = parser.parse_args(argv)
    state = convert_vitpose_checkpoint(
        state_dict_of(safe_torch_load(args.src)))
    torch.save({'state_dict': state}, args.dst)
    print(f'wrote {len(state)} tensors to {args.dst}')


if __name__ == '__main__':
    main()
