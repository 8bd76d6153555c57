"""``python -m mmpose_ext.synthetic --out DIR [...]``: write the synthetic
person keypoint set (see :mod:`mmpose_ext.synthetic`)."""
import argparse
import sys
import time

from .writer import (DEFAULTS, EXTRA_FORMATS, check_arguments,
                     check_extra_formats, generate_dataset)


def parse_args(argv=None):
    parser = argparse.ArgumentParser(
        prog='python -m mmpose_ext.synthetic',
        description='Write the synthetic COCO-format person keypoint set '
        '(images, person_keypoints_{train,val}.json and person detections '
        'for val). The same arguments give the same bytes.')
    parser.add_argument('--out', required=True,
                        help='output folder (created if missing)')
    parser.add_argument('--num-train', type=int, default=DEFAULTS['num_train'],
                        help='training images (default: %(default)s)')
    parser.add_argument('--num-val', type=int, default=DEFAULTS['num_val'],
                        help='validation images (default: %(default)s)')
    parser.add_argument('--seed', type=int, default=DEFAULTS['seed'],
                        help='random seed, >= 0 (default: %(default)s)')
    parser.add_argument('--width', type=int, default=DEFAULTS['width'],
                        help='image width in pixels (default: %(default)s)')
    parser.add_argument('--height', type=int, default=DEFAULTS['height'],
                        help='image height in pixels (default: %(default)s)')
    parser.add_argument('--max-people', type=int,
                        default=DEFAULTS['max_people'],
                        help='most people per image (default: %(default)s)')
    parser.add_argument('--jpeg-quality', type=int,
                        default=DEFAULTS['jpeg_quality'],
                        help='JPEG quality 1-100 (default: %(default)s)')
    parser.add_argument('--extra-formats', nargs='*', default=[],
                        metavar='FORMAT',
                        help='also write the same people in these keypoint '
                        f'definitions ({", ".join(EXTRA_FORMATS)}; aic: AI '
                        'Challenger, 14 keypoints, '
                        'annotations/aic_keypoints_{train,val}.json; mpii: '
                        'MPII, 16 keypoints, annotations/mpii_{train,val}'
                        '.json and the val head boxes mpii_gt_val.mat); the '
                        'COCO files do not change')
    args = parser.parse_args(argv)
    try:
        check_arguments(args.num_train, args.num_val, args.seed, args.width,
                        args.height, args.max_people, args.jpeg_quality)
        check_extra_formats(args.extra_formats)
    except ValueError as e:
        parser.error(str(e))
    return args


def main(argv=None) -> int:
    args = parse_args(argv)
    start = time.perf_counter()
    try:
        counts = generate_dataset(
            args.out, num_train=args.num_train, num_val=args.num_val,
            seed=args.seed, width=args.width, height=args.height,
            max_people=args.max_people, jpeg_quality=args.jpeg_quality,
            extra_formats=args.extra_formats)
    except OSError as e:
        print(f'error: {e}', file=sys.stderr)
        return 1
    took = time.perf_counter() - start
    train, val = counts['train'], counts['val']
    print(f'synthetic set written to {args.out} in {took:.1f} s: '
          f'train {train["images"]} images / {train["people"]} people, '
          f'val {val["images"]} images / {val["people"]} people / '
          f'{val["detections"]} detections')
    return 0


if __name__ == '__main__':
    sys.exit(main())
