"""configs/README.md indexes every config: each file under configs/ (except
_base_/) has exactly one row, every row names a file that exists, and each
short name listed in a row is a one-line alias of that row's config.

A row is a table line whose first cell is a backquoted path relative to
configs/ and whose second cell is the backquoted short name or a dash:
    | `tfpose/tfpose_res50_8xb32-210e_coco-256x192.py` | `tfpose_r50.py` | ...
A new config passes once its row is added to its family's table. A row
whose "measured here" cell says a config has not run (itself, or by "same"
the row above it) must not have a run on record (results/), so the index
cannot fall behind the records."""
import json
import re
from pathlib import Path

import pytest

CONFIGS = Path(__file__).resolve().parents[2] / 'configs'
INDEX = CONFIGS / 'README.md'
RESULTS = CONFIGS.parent / 'results'
ROW = re.compile(r'^\|\s*`([^`]+\.py)`\s*\|\s*(?:`([^`]+\.py)`|—|-)\s*\|',
                 re.MULTILINE)


def index_rows():
    """[(config, short name or None)] in the order of the index."""
    return [(config, alias or None)
            for config, alias in ROW.findall(INDEX.read_text())]


def indexed_names():
    """Every file name the index lists, configs and short names."""
    return [name for row in index_rows() for name in row if name]


def config_files():
    """Every config under configs/ as a path relative to it, bases left
    out."""
    return sorted(
        path.relative_to(CONFIGS).as_posix()
        for path in CONFIGS.rglob('*.py')
        if '_base_' not in path.relative_to(CONFIGS).parts)


def test_the_index_has_rows():
    # guards the two tests below against a row format the pattern misses
    assert len(index_rows()) >= 40


def test_every_config_is_in_the_index():
    missing = sorted(set(config_files()) - set(indexed_names()))
    assert not missing, (
        f'configs/README.md has no row for {missing}: add one line per '
        'config to the table of its family (`path` | `short name` or — | '
        'what it is | paper | measured here)')


def test_every_indexed_file_exists():
    absent = sorted(set(indexed_names()) - set(config_files()))
    assert not absent, (
        f'configs/README.md names {absent}, which are not under configs/: '
        'fix the path or remove the row')


def test_each_config_is_listed_once():
    names = indexed_names()
    repeated = sorted({name for name in names if names.count(name) > 1})
    assert not repeated, (
        f'configs/README.md lists {repeated} more than once: one row per '
        'config, short names only in the row of the config they alias')


@pytest.mark.parametrize(
    'config, alias', [row for row in index_rows() if row[1]],
    ids=lambda value: value)
def test_short_name_is_an_alias_of_its_row(config, alias):
    statements = [
        line for line in (CONFIGS / alias).read_text().splitlines()
        if line.strip() and not line.lstrip().startswith('#')
    ]
    assert statements == [f"_base_ = ['./{config}']"], (
        f'configs/{alias} should be the one-line alias '
        f"_base_ = ['./{config}'] of the config in its index row")


def recorded_configs():
    """Configs (relative to configs/) that some experiment record trained
    or tested."""
    return {
        json.loads(path.read_text())['config'].split('configs/', 1)[-1]
        for path in RESULTS.glob('*/*/seed*.json')
    }


def test_no_row_calls_a_recorded_config_unrun():
    ran = recorded_configs()
    assert ran, 'no experiment records under results/'
    rows = re.findall(r'^\|\s*`([^`]+\.py)`\s*\|[^\n]*\|([^|\n]*)\|\s*$',
                      INDEX.read_text(), re.MULTILINE)
    assert len(rows) == len(index_rows())
    stale, above = [], ''
    for config, measured in rows:
        # "same" repeats the cell above it (a group of arms of one run)
        measured = above if measured.strip() == 'same' else measured
        if 'not run' in measured and config in ran:
            stale.append(config)
        above = measured
    assert not stale, (
        f'configs/README.md says {stale} have not run, but results/ holds '
        'their records: put the recorded result in the "measured here" cell')
