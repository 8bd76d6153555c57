"""MMPose's metafile convention for mmpose_ext: ``model-index.yml`` and one
``configs/<family>/metafile.yml`` per family, generated from the config
index (``configs/README.md``) and the experiment records (``results/``), so
that ``mim search mmpose_ext`` lists every config as ``mim search mmpose``
lists MMPose's.

    python -m mmpose_ext.tools.metafiles           # write them
    python -m mmpose_ext.tools.metafiles --check   # exit 1 if they are stale

Each model lists, as separate results:
- ``COCO (paper)`` (or the dataset the paper reports): the paper's number
  from the index's "paper" column, marked as the paper's (0-1 scale, as
  MMPose's metafiles); numbers the index cites from MMPose's model zoo are
  marked ``(MMPose model zoo)``;
- ``synthetic (measured here)``: the mean over seeds of the final metrics of
  every experiment record whose arm is this config, once per experiment
  that trained it (a record copied into another experiment is not listed
  again; none are made up from the docs' prose: a config without a record
  has no measured result).
The project publishes no weights, so no model has ``Weights``.
"""
import argparse
import glob
import json
import os.path as osp
import re
import sys
from collections import defaultdict
from typing import Dict, List

import yaml

REPO = osp.dirname(osp.dirname(osp.dirname(osp.abspath(__file__))))
INDEX = osp.join(REPO, 'configs', 'README.md')
MODEL_INDEX = osp.join(REPO, 'model-index.yml')
ROW = re.compile(r'^\|\s*`([^`]+\.py)`\s*\|\s*(?:`([^`]+\.py)`|—|-)\s*\|'
                 r'([^|]*)\|([^|]*)\|([^|]*)\|\s*$', re.MULTILINE)

# family (config folder): collection name, paper title, URL, architecture
COLLECTIONS = {
    'tfpose': ('TFPose', 'TFPose: Direct Human Pose Estimation with '
               'Transformers', 'https://arxiv.org/abs/2103.15320',
               ['TFPose', 'ResNet', 'Deformable Transformer']),
    'simplebaseline': ('SimpleBaseline2D', 'Simple Baselines for Human Pose '
                       'Estimation and Tracking',
                       'https://arxiv.org/abs/1804.06208',
                       ['SimpleBaseline2D', 'ResNet']),
    'dark': ('DARK', 'Distribution-Aware Coordinate Representation for '
             'Human Pose Estimation', 'https://arxiv.org/abs/1910.06278',
             ['DARK']),
    'udp': ('UDP', 'The Devil is in the Details: Delving into Unbiased '
            'Data Processing for Human Pose Estimation',
            'https://arxiv.org/abs/1911.07524', ['UDP']),
    'simdr': ('SimDR', 'SimCC: a Simple Coordinate Classification '
              'Perspective for Human Pose Estimation',
              'https://arxiv.org/abs/2107.03332', ['SimDR']),
    'vitpose': ('ViTPose', 'ViTPose: Simple Vision Transformer Baselines '
                'for Human Pose Estimation',
                'https://arxiv.org/abs/2204.12484', ['ViTPose', 'ViT']),
    'experiments': ('mmpose_ext experiments', None, None, []),
}


def index_rows() -> List[Dict]:
    """The rows of configs/README.md: config, short name, description,
    paper text."""
    with open(INDEX) as f:
        text = f.read()
    return [dict(config=c, short=s or None, what=w.strip(), paper=p.strip())
            for c, s, w, p, _ in ROW.findall(text)]


def training_data(name: str) -> str:
    for key, data in (('coco-aic-mpii', 'COCO, AI Challenger, MPII'),
                      ('coco-aic', 'COCO, AI Challenger'),
                      ('coco-tiny', 'coco_tiny'),
                      ('coco-person', 'COCO person crops'),
                      ('synthetic', 'synthetic (mmpose_ext)'),
                      ('mpii', 'MPII'), ('coco', 'COCO')):
        if key in name:
            return data
    return 'unknown'


def paper_results(text: str, data: str) -> List[Dict]:
    """The AP numbers of the index's paper column, each marked with its
    source: the paper's, or MMPose's model zoo."""
    results = []
    dataset = data.split(',')[0]
    m = re.match(r'(\d+\.\d+) AP((?: [^,;(]+)?)', text)
    if m:  # the cell starts with the paper's AP, maybe qualified
        qualifier = m.group(2).strip()
        results.append(dict(
            Dataset=f'{dataset} (paper{", " + qualifier if qualifier else ""})',
            Metrics={'AP': round(float(m.group(1)) / 100, 3)},
            Task='Body 2D Keypoint'))
    for source, pattern in (
            ('MMPose model zoo', r"MMPose's zoo[^:]*:\s*(\d+\.\d+) AP"),
            ('ViTPose paper', r'ViTPose paper[^:]*:\s*(\d+\.\d+) AP')):
        m = re.search(pattern, text)
        if m:
            results.append(dict(
                Dataset=f'{dataset} ({source})',
                Metrics={'AP': round(float(m.group(1)) / 100, 3)},
                Task='Body 2D Keypoint'))
    return results


def measured_results(root: str = REPO) -> Dict[str, List[Dict]]:
    """config -> results measured here, from the training records under
    ``root/results``. Left out: a record with ``copied_from`` (an arm shared
    with another experiment, whose original record is listed already; listing
    the copy would count the same runs twice), and one whose ``final`` is
    empty (an arm that only pre-trains, with no pose metrics)."""
    runs = defaultdict(list)
    for path in sorted(glob.glob(osp.join(root, 'results', '*', '*',
                                          'seed*.json'))):
        with open(path) as f:
            rec = json.load(f)
        if rec.get('kind') != 'training' or rec.get('copied_from') or \
                not rec.get('final'):
            continue
        runs[rec['config'], rec['experiment']].append(rec)
    out = defaultdict(list)
    for (config, experiment), recs in sorted(runs.items()):
        metrics = {}
        for key in recs[0]['final']:
            values = [r['final'][key] for r in recs
                      if r['final'].get(key) is not None]
            if values:  # a metric with no value in any run is left out
                metrics[key.split('/')[-1]] = round(
                    sum(values) / len(values), 3)
        out[config].append(dict(
            Dataset=f'synthetic (measured here, experiment {experiment}, '
            f'mean of {len(recs)} seeds)',
            Metrics=metrics, Task='Body 2D Keypoint'))
    return out


def build() -> Dict[str, str]:
    """{path: YAML text} of every metafile and the model index."""
    measured = measured_results()
    families = defaultdict(list)
    for row in index_rows():
        family = row['config'].split('/')[0]
        if family not in COLLECTIONS:
            raise SystemExit(f'{INDEX}: no collection for family {family!r} '
                             f'({row["config"]}); add it to COLLECTIONS in '
                             f'{__file__}')
        name = osp.splitext(osp.basename(row['config']))[0]
        config = osp.join('configs', row['config'])
        data = training_data(name)
        meta = {'Architecture': COLLECTIONS[family][3] or None,
                'Training Data': data, 'Description': row['what']}
        if row['short']:
            meta['Short name'] = f'configs/{row["short"]}'
        if row['paper'] and row['paper'] != '—':
            meta['Paper result'] = row['paper']
        results = paper_results(row['paper'], data) + measured.get(config, [])
        model = {'Name': name, 'Config': config,
                 'In Collection': COLLECTIONS[family][0],
                 'Metadata': {k: v for k, v in meta.items() if v}}
        if results:
            model['Results'] = results
        families[family].append(model)
    files = {}
    for family, models in families.items():
        collection, title, url, _ = COLLECTIONS[family]
        col = {'Name': collection, 'README': 'configs/README.md'}
        if title:
            col['Paper'] = {'Title': title, 'URL': url}
        files[osp.join('configs', family, 'metafile.yml')] = yaml.safe_dump(
            {'Collections': [col], 'Models': models}, sort_keys=False,
            allow_unicode=True, width=79)
    files['model-index.yml'] = yaml.safe_dump(
        {'Import': sorted(p for p in files)}, sort_keys=False)
    return files


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    parser.add_argument('--check', action='store_true',
                        help='exit 1 if a metafile differs from what the '
                        'index and the records give')
    args = parser.parse_args(argv)
    stale = []
    for path, text in build().items():
        full = osp.join(REPO, path)
        old = open(full).read() if osp.isfile(full) else None
        if old != text:
            stale.append(path)
            if not args.check:
                with open(full, 'w') as f:
                    f.write(text)
    if args.check and stale:
        print('stale: ' + ', '.join(stale) +
              '\nrewrite with: python -m mmpose_ext.tools.metafiles')
        return 1
    print(('wrote ' if stale else 'up to date: ') +
          (', '.join(stale) if stale else 'model-index.yml and metafiles'))
    return 0


if __name__ == '__main__':
    sys.exit(main())
