"""Build the compiled CPU operators now (the set-up script runs this):
``python -m mmpose_ext.ops.build``. Prints where the build lives; exits 1,
with the compiler's output, if the build fails (the package still works on
its PyTorch paths then)."""
import sys
import time

from .ms_deform_attn import kernel_build_dir, ms_deform_attn_kernel


def main() -> int:
    start = time.time()
    verbose = '-v' in sys.argv[1:]
    if ms_deform_attn_kernel(verbose=verbose) is None:
        print('mmpose_ext.ops: the CPU deformable-attention kernel is not '
              'available (see the warning above); rerun with -v for the '
              'compiler output', file=sys.stderr)
        return 1
    print(f'mmpose_ext.ops: CPU deformable-attention kernel ready in '
          f'{time.time() - start:.1f} s: {kernel_build_dir()}')
    return 0


if __name__ == '__main__':
    sys.exit(main())
