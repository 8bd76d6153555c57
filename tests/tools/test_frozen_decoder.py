"""frozen_decoder: TFPose decoders trained on the cached memory of a frozen
encoder: the result file, one cache shared by seeds, seeded reproducibility,
the frozen weights, the layer-averaged loss and the metrics on hand-made
examples."""
import contextlib
import copy
import io
import json
import math
from types import SimpleNamespace

import pytest
import torch
from mmengine.config import Config
from mmengine.registry import DefaultScope

from mmpose_ext.checkpoints import CheckpointMismatchError
from mmpose_ext.synthetic import generate_dataset
from mmpose_ext.tools import frozen_decoder
from tests.helpers import REPO

TINY = REPO / 'tests/fixtures/configs/tfpose_tiny_synthetic.py'
METRICS = ('mean_error_px', 'pck@0.05', 'error_visible_px',
           'error_occluded_px', 'error_out_of_crop_px')


@pytest.fixture(scope='module')
def setup(tmp_path_factory):
    """A tiny synthetic set, a config deriving from the tiny TFPose with 20
    decoder iterations, and the checkpoint of a randomly initialized model
    saved as MMEngine saves one."""
    from mmpose.registry import MODELS
    root = tmp_path_factory.mktemp('frozen_decoder')
    data = root / 'synthetic'
    generate_dataset(str(data), num_train=8, num_val=4)
    config = root / 'tfpose_tiny_frozen.py'
    config.write_text(
        f'_base_ = [{str(TINY)!r}]\n'
        'frozen_decoder = dict(iters=20, batch_size=4, eval_every=10)\n')
    with pytest.MonkeyPatch.context() as env, \
            DefaultScope.overwrite_default_scope('mmpose'):
        env.setenv('MMPOSE_EXT_SYNTHETIC', str(data))
        cfg = Config.fromfile(str(config))
        torch.manual_seed(0)
        model = MODELS.build(cfg.model)
        model.init_weights()
    checkpoint = root / 'tfpose_tiny.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, checkpoint)
    return SimpleNamespace(root=root, data=data, config=config, cfg=cfg,
                           checkpoint=checkpoint,
                           state_dict=model.state_dict())


def _run(setup, seed, name):
    """Run the command in this process; ``(result.json, printed text)``."""
    work_dir = setup.root / 'runs' / name
    out = io.StringIO()
    with pytest.MonkeyPatch.context() as env, contextlib.redirect_stdout(out):
        # main sets it from --data-root; undone when the context ends
        env.setenv('MMPOSE_EXT_SYNTHETIC', str(setup.data))
        frozen_decoder.main([
            str(setup.config), '--checkpoint', str(setup.checkpoint),
            '--seed', str(seed), '--work-dir', str(work_dir),
            '--data-root', str(setup.data)])
    return json.loads((work_dir / 'result.json').read_text()), out.getvalue()


@pytest.fixture(scope='module')
def runs(setup):
    """Seed 0, seed 0 again and seed 1, in this order."""
    return {name: _run(setup, seed, name)
            for name, seed in (('seed0', 0), ('seed0_again', 0),
                               ('seed1', 1))}


def _finite_or_none(value, allow_none):
    if value is None:
        return allow_none
    return math.isfinite(value)


def test_result_file(runs):
    result, printed = runs['seed0']
    assert set(result) == {'evaluations', 'final', 'final_losses',
                           'iterations', 'train_s'}
    assert [e['iter'] for e in result['evaluations']] == [10, 20]
    for evaluation in result['evaluations']:
        assert set(evaluation) == {'iter', 'layer_errors_px', *METRICS}
        for key in METRICS[:4]:
            assert _finite_or_none(evaluation[key], allow_none=False), key
        assert _finite_or_none(evaluation['error_out_of_crop_px'],
                               allow_none=True)
        assert 0.0 <= evaluation['pck@0.05'] <= 1.0
        # the tiny config's N_D = 2; the last layer is the main metric
        assert len(evaluation['layer_errors_px']) == 2
        assert evaluation['layer_errors_px'][-1] == pytest.approx(
            evaluation['mean_error_px'], rel=1e-6)
    last = result['evaluations'][-1]
    assert result['final'] == {key: last[key] for key in METRICS}
    assert math.isfinite(result['final_losses']['loss'])
    assert result['iterations'] == 20 and result['train_s'] > 0
    assert printed.count('iter 10/20') == 1
    assert printed.count('iter 20/20') == 1


def test_cache_is_built_once_and_reused(setup, runs):
    caches = sorted((setup.root / 'runs').glob('memory_cache_*.pt'))
    assert len(caches) == 1, caches
    assert f'encoding the train and val crops into {caches[0]}' in \
        runs['seed0'][1]
    for name in ('seed0_again', 'seed1'):
        assert f'memory cache: reusing {caches[0]}' in runs[name][1]


def test_same_seed_same_result_other_seed_differs(runs):
    def outcome(name):
        result = runs[name][0]
        return result['evaluations'], result['final_losses']

    assert outcome('seed0') == outcome('seed0_again')
    assert outcome('seed0') != outcome('seed1')


def test_cache_key_ignores_the_decoder_only(setup):
    base = frozen_decoder.cache_path(setup.cfg, str(setup.checkpoint), 'wd')
    for key, value in (('num_decoder_layers', 4), ('with_q2q', False)):
        cfg = copy.deepcopy(setup.cfg)
        cfg.model.head[key] = value
        assert frozen_decoder.cache_path(cfg, str(setup.checkpoint),
                                         'wd') == base, key
    cfg = copy.deepcopy(setup.cfg)
    cfg.model.head.num_encoder_layers = 2
    assert frozen_decoder.cache_path(cfg, str(setup.checkpoint),
                                     'wd') != base


def test_frozen_parts_come_from_the_checkpoint_and_stay(
        setup, runs, tmp_path, mmpose_scope):
    model = frozen_decoder.build_frozen_parts(setup.cfg,
                                              str(setup.checkpoint))
    state = model.state_dict()
    frozen = [k for k in state if k.startswith(frozen_decoder.FROZEN_PREFIXES)]
    assert any(k.startswith('head.encoder.') for k in frozen)
    assert 'head.level_embed' in frozen
    for key in frozen:
        assert torch.equal(state[key], setup.state_dict[key]), key
    assert not model.training
    assert not any(p.requires_grad for p in model.parameters())

    # the decoder starts from its own seeded initialization, not the
    # checkpoint's decoder
    decoder = frozen_decoder.build_decoder(setup.cfg, seed=0)
    assert not torch.equal(decoder.query,
                           setup.state_dict['head.query_decoder.query'])
    assert torch.equal(
        decoder.query, frozen_decoder.build_decoder(setup.cfg, seed=0).query)

    # encoding again gives the cached memory exactly
    cache = frozen_decoder.cache_memory(model, setup.cfg,
                                        str(tmp_path / 'fresh.pt'),
                                        log=lambda line: None)
    cached = next((setup.root / 'runs').glob('memory_cache_*.pt'))
    reused = torch.load(cached, weights_only=True)
    for split in ('train', 'val'):
        for name, value in cache[split].items():
            assert torch.equal(value, reused[split][name]), (split, name)

    before = {k: v.clone() for k, v in model.state_dict().items()}
    decoder_before = [p.detach().clone() for p in decoder.parameters()]
    frozen_decoder.train_decoder(
        decoder, cache, seed=0, iters=2, batch_size=4, lr=1e-3,
        eval_every=2, log=lambda line: None)
    for key, value in model.state_dict().items():
        assert torch.equal(value, before[key]), key
    assert any(not torch.equal(p, q)
               for p, q in zip(decoder.parameters(), decoder_before))


def test_checkpoint_without_the_encoder_is_refused(setup, tmp_path,
                                                   mmpose_scope):
    partial = {k: v for k, v in setup.state_dict.items()
               if not k.startswith('head.encoder.')}
    path = tmp_path / 'no_encoder.pth'
    torch.save({'state_dict': partial, 'meta': {}}, path)
    with pytest.raises(CheckpointMismatchError,
                       match=r'missing in the checkpoint[\s\S]*head\.encoder'):
        frozen_decoder.build_frozen_parts(setup.cfg, str(path))


def test_unknown_setting_is_refused(setup, tmp_path):
    config = tmp_path / 'typo.py'
    config.write_text(f'_base_ = [{str(setup.config)!r}]\n'
                      'frozen_decoder = dict(iterations=5)\n')
    with pytest.MonkeyPatch.context() as env, \
            pytest.raises(ValueError, match=r"unknown setting\(s\) "
                          r"\['iterations'\]"):
        env.setenv('MMPOSE_EXT_SYNTHETIC', str(setup.data))
        frozen_decoder.main([
            str(config), '--checkpoint', str(setup.checkpoint), '--seed', '0',
            '--work-dir', str(tmp_path / 'wd')])


def test_loss_is_averaged_over_layers():
    targets = torch.tensor([[[0.5, 0.5], [0.2, 0.2]]])  # (B=1, K=2, 2)
    weights = torch.tensor([[1., 0.]])  # the second keypoint does not count
    coords = torch.tensor([
        [[[0.6, 0.5], [0.9, 0.9]]],  # layer 1: |0.1| + |0| over x, y: 0.05
        [[[0.5, 0.8], [0.0, 0.0]]],  # layer 2: (0 + 0.3) / 2 = 0.15
    ])  # (N_D=2, B, K, 2)
    loss = frozen_decoder.layer_averaged_l1(coords, targets, weights)
    # the mean of the layers (0.05 + 0.15) / 2, not their sum 0.2
    assert float(loss) == pytest.approx(0.1, abs=1e-6)


def test_keypoint_metrics_on_a_hand_made_crop():
    size = torch.tensor([100., 50.])  # (w, h): PCK threshold 5 px
    targets = torch.tensor([[[0.5, 0.5], [0.2, 0.4], [0.3, 0.3],
                             [1.1, 0.5]]])  # (M=1, K=4, 2)
    visibility = torch.tensor([[2, 1, 0, 2]], dtype=torch.uint8)
    outside = torch.tensor([[False, False, False, True]])
    # pixel errors of the last layer: 3 (visible, x), 10 (occluded, y),
    # 40 (unlabelled: ignored), 20 (outside the crop, x)
    offsets = torch.tensor([[[3., 0.], [0., 10.], [40., 0.], [20., 0.]]])
    last = targets + offsets / size
    coords = torch.stack([targets, last])  # (N_D=2, M, K, 2)
    metrics = frozen_decoder.keypoint_metrics(coords, targets, visibility,
                                              outside, size)
    assert metrics['mean_error_px'] == pytest.approx(6.5, abs=1e-4)
    assert metrics['pck@0.05'] == pytest.approx(0.5)
    assert metrics['error_visible_px'] == pytest.approx(3.0, abs=1e-4)
    assert metrics['error_occluded_px'] == pytest.approx(10.0, abs=1e-4)
    assert metrics['error_out_of_crop_px'] == pytest.approx(20.0, abs=1e-4)
    assert metrics['layer_errors_px'] == pytest.approx([0.0, 6.5], abs=1e-4)

    # nothing labelled outside the crop, nothing occluded: no number
    metrics = frozen_decoder.keypoint_metrics(
        coords, targets, torch.tensor([[2, 2, 0, 0]], dtype=torch.uint8),
        outside, size)
    assert metrics['error_out_of_crop_px'] is None
    assert metrics['error_occluded_px'] is None
