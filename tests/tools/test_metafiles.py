"""model-index.yml and the per-family metafiles: generated from the config
index and the experiment records, up to date, and what `mim search
mmpose_ext` reads."""
import json

import pytest

from mmpose_ext.tools import metafiles


def test_metafiles_are_up_to_date():
    # stale after a new config row or a new record: rewrite with
    # `python -m mmpose_ext.tools.metafiles`
    assert metafiles.main(['--check']) == 0


def test_mim_search_lists_every_indexed_config():
    search = pytest.importorskip('mim.commands.search')
    frame = search.get_model_info('mmpose_ext', to_dict=True)
    names = {row['config'].split('/')[-1][:-3] for row in
             metafiles.index_rows()}
    assert names <= set(frame), sorted(names - set(frame))[:5]
    tfpose = frame['tfpose_res50_8xb32-210e_coco-256x192']
    assert tfpose['coco (paper)/ap'] == pytest.approx(0.705)


def test_paper_numbers_are_marked_with_their_source():
    results = metafiles.paper_results(
        "74.4 AP without DARK, 7.1 GFLOPs (DARK notes); MMPose's zoo with "
        'DARK: 75.7 AP', 'COCO')
    assert [(r['Dataset'], r['Metrics']['AP']) for r in results] == [
        ('COCO (paper, without DARK)', 0.744),
        ('COCO (MMPose model zoo)', 0.757)]
    assert metafiles.paper_results(
        'heatmaps below 50 AP, SimDR +10.6 AP (SimDR notes)', 'COCO') == []


def _record(root, experiment, arm, seed, **fields):
    path = root / 'results' / experiment / arm / f'seed{seed}.json'
    path.parent.mkdir(parents=True, exist_ok=True)
    record = dict(kind='training', experiment=experiment)
    record.update(fields)
    path.write_text(json.dumps(record))


def test_measured_results_count_each_run_once(tmp_path):
    config = 'configs/experiments/a/model.py'
    for seed, ap in enumerate((0.1, 0.3)):
        _record(tmp_path, 'a', 'arm', seed, config=config,
                final={'coco/AP': ap, 'coco/AR': None})
        # the same run copied into another experiment that shares the arm
        _record(tmp_path, 'b', 'arm', seed, config=config,
                final={'coco/AP': ap, 'coco/AR': None},
                copied_from=f'results/a/arm/seed{seed}.json')
    # a pre-training arm: trained, but no pose metrics
    _record(tmp_path, 'b', 'mae', 0, config='configs/experiments/b/mae.py',
            final={})
    # a test-only record is not a training
    _record(tmp_path, 'c', 'readout', 0, config=config,
            final={'coco/AP': 0.9}, kind='test')

    assert metafiles.measured_results(str(tmp_path)) == {config: [dict(
        Dataset='synthetic (measured here, experiment a, mean of 2 seeds)',
        Metrics={'AP': 0.2}, Task='Body 2D Keypoint')]}
