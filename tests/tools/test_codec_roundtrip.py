"""codec_roundtrip on coco_tiny: the issue's acceptance numbers."""
import json

import pytest

from mmpose_ext.tools import codec_roundtrip
from tests.helpers import REPO


def parse_table(text):
    rows = {}
    for line in text.splitlines():
        if not line.startswith('| '):
            continue  # CocoMetric's own summary lines
        cells = [c.strip() for c in line.strip().strip('|').split('|')]
        if len(cells) < 2 or cells[0] in ('codec', '---'):
            continue
        rows[cells[0]] = [tuple(map(float, c.split(' / '))) for c in cells[1:]]
    return rows


def test_roundtrip_table(coco_tiny, capsys):
    codec_roundtrip.main([
        f'{REPO}/configs/dark_r50.py', f'{REPO}/configs/udp_r50.py',
        f'{REPO}/configs/simdr_r50.py',
        '--with-mmpose', '--input-sizes', '256x192', '64x48', '--data-root',
        coco_tiny, '--ann-file', 'person_keypoints_tiny.json', '--img-prefix',
        ''
    ])
    rows = parse_table(capsys.readouterr().out)
    dark, udp = rows['DARKHeatmap'], rows['UDPCodec']
    simdr = rows['SimDRLabel (simcc_split_ratio=2.0, label_type=gaussian)']
    standard = rows['MSRAHeatmap standard (MMPose)']
    for ours in (dark, udp, simdr):
        assert ours[0][0] >= 0.99  # AP at 256x192
    # at 64x48 the standard decoder loses clearly against DARK and SimDR
    assert standard[1][0] < dark[1][0] - 0.2
    assert standard[1][0] < simdr[1][0] - 0.2
    # same decoded locations as MMPose's unbiased MSRAHeatmap and SimCCLabel
    assert dark == rows['MSRAHeatmap unbiased (MMPose)']
    assert simdr == rows['SimCCLabel (MMPose)']


def test_sizes_scale_the_codec():
    codec = dict(type='DARKHeatmap', input_size=(192, 256),
                 heatmap_size=(48, 64), sigma=2, blur_kernel_size=11)
    small = codec_roundtrip.scale_codec(codec, (96, 128))
    assert small['heatmap_size'] == (24, 32)
    assert small['sigma'] == 1 and small['blur_kernel_size'] == 5
    assert codec_roundtrip.scale_codec(codec, (192, 256)) == codec
    with pytest.raises(Exception, match='HEIGHTxWIDTH'):
        codec_roundtrip.parse_size('256-192')


def test_codec_options_override_every_codec(coco_tiny, capsys):
    codec_roundtrip.main([
        f'{REPO}/configs/dark_r50.py', '--codec-options', 'encoding=quantized',
        'decoding=shift', '--input-sizes', '128x96', '--data-root',
        coco_tiny, '--ann-file', 'person_keypoints_tiny.json', '--img-prefix',
        ''
    ])
    rows = parse_table(capsys.readouterr().out)
    # the standard codec: below the unbiased DARK round trip's 1.0 at 128x96
    ap, error = rows['DARKHeatmap (encoding=quantized, decoding=shift)'][0]
    assert ap < 0.95 and error > 1.0


def test_variants_make_one_row_each_and_the_record(coco_tiny, tmp_path,
                                                   capsys):
    record = tmp_path / 'roundtrip.json'
    codec_roundtrip.main([
        f'{REPO}/configs/dark_r50.py', '--variant', '--variant',
        'encoding=quantized', 'decoding=shift', '--input-sizes', '128x96',
        '--data-root', coco_tiny, '--ann-file', 'person_keypoints_tiny.json',
        '--img-prefix', '', '--record', str(record)
    ])
    rows = parse_table(capsys.readouterr().out)
    assert list(rows) == [
        'DARKHeatmap', 'DARKHeatmap (encoding=quantized, decoding=shift)'
    ]
    assert rows['DARKHeatmap'][0][0] > rows[
        'DARKHeatmap (encoding=quantized, decoding=shift)'][0][0]
    rec = json.loads(record.read_text())
    assert (rec['kind'], rec['benchmark']) == ('benchmark', 'codec_roundtrip')
    assert [(r['codec'], r['input_size']) for r in rec['rows']] == [
        ('DARKHeatmap', '128x96'),
        ('DARKHeatmap (encoding=quantized, decoding=shift)', '128x96')
    ]
    # the rendered table: the record's table lines after the first
    assert parse_table('\n'.join(rec['table'][1:])) == rows


def test_rows_of_the_same_name_are_refused(tmp_path):
    # sigma is not in the row name: both variants would be 'DARKHeatmap',
    # the second silently overwriting the first; refused before any data
    # is read (the data root does not exist); the scaled kernel size
    # follows sigma
    with pytest.raises(ValueError) as info:
        codec_roundtrip.main([
            f'{REPO}/configs/dark_r50.py', '--variant', '--variant',
            'sigma=3', '--input-sizes', '128x96', '--data-root',
            str(tmp_path / 'none')
        ])
    assert str(info.value) == (
        "codec_roundtrip: two rows would be named 'DARKHeatmap' at 128x96, "
        f'from {REPO}/configs/dark_r50.py and from {REPO}/configs/'
        'dark_r50.py with --variant sigma=3, but they differ '
        "(blur_kernel_size, sigma); a "
        "row's name shows only the codec type and "
        + ', '.join(codec_roundtrip.NAME_KEYS) +
        ', so run such codecs in separate commands')


def test_identical_rows_of_two_variants_are_one_row():
    # MMPose's UDPHeatmap reference of two UDPCodec variants that differ
    # only in an argument UDPHeatmap lacks: the same codec, one row
    udp = dict(type='UDPCodec', input_size=(96, 128), heatmap_size=(24, 32),
               sigma=1.)
    reference = codec_roundtrip.reference_codecs(udp)['UDPHeatmap (MMPose)']
    data = dict(data_root='a', ann_file='b.json')
    plan = {}
    for guarded in (True, False):
        ours = dict(udp, guarded_decoding=guarded)
        assert codec_roundtrip.reference_codecs(ours) == {
            'UDPHeatmap (MMPose)': reference}
        codec_roundtrip.add_row(plan, codec_roundtrip.codec_name(ours),
                                (96, 128), ours, data, f'v{guarded}')
        codec_roundtrip.add_row(plan, 'UDPHeatmap (MMPose)', (96, 128),
                                reference, data, f'v{guarded}')
    assert [name for name, _ in plan] == [
        'UDPCodec (guarded_decoding=True)', 'UDPHeatmap (MMPose)',
        'UDPCodec (guarded_decoding=False)']
    # the same codec on other data is another row's numbers: refused
    with pytest.raises(ValueError, match='differ .in their data.'):
        codec_roundtrip.add_row(plan, 'UDPHeatmap (MMPose)', (96, 128),
                                reference, dict(data, ann_file='c.json'),
                                'other')
