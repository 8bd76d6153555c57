"""model-index.yml and the per-family metafiles: generated from the config
index and the experiment records, up to date, and what `mim search
mmpose_ext` reads."""
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
