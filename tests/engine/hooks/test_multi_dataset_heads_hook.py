"""MultiDatasetHeadsHook: a dataset without a head, a head without a dataset,
a keypoint count or a codec that does not match are refused, naming the
dataset."""
from types import SimpleNamespace

import pytest
from mmengine.registry import init_default_scope
from mmpose.registry import DATASETS, MODELS

import mmpose_ext  # noqa: F401
from mmpose_ext.engine.hooks import check_heads_fit_datasets

CODEC = dict(type='UDPCodec', input_size=(48, 64), heatmap_size=(12, 16),
             sigma=2)


def head(k, codec=CODEC):
    return dict(type='HeatmapHead', in_channels=32, out_channels=k,
                deconv_out_channels=(), loss=dict(type='KeypointMSELoss'),
                decoder=codec)


def model(**heads):
    return MODELS.build(dict(
        type='MultiHeadTopdownPoseEstimator',
        backbone=dict(type='PlainViT', arch=dict(
            embed_dims=32, num_layers=1, num_heads=2,
            feedforward_channels=64), img_size=(64, 48)),
        heads=heads))


def dataset(kind, codec=CODEC):
    """A dataset object as the runner holds it (annotations not read)."""
    init_default_scope('mmpose')
    return DATASETS.build(dict(
        type=kind, ann_file='unused.json', lazy_init=True,
        pipeline=[dict(type='GenerateTarget', encoder=codec),
                  dict(type='PackPoseInputs')]))


def combined(*kinds):
    return SimpleNamespace(datasets=[dataset(k) for k in kinds])


def test_matching_heads_and_datasets_pass():
    check_heads_fit_datasets(model(coco=head(17), aic=head(14)),
                             combined('CocoDataset', 'AicDataset'))


def test_a_dataset_without_a_head():
    with pytest.raises(ValueError, match=r"val data: dataset 'mpii' "
                       r"\(MpiiDataset, datasets\[1\]\) has no head; the "
                       r"model's heads are 'coco', 'aic'"):
        check_heads_fit_datasets(model(coco=head(17), aic=head(14)),
                                 combined('CocoDataset', 'MpiiDataset'),
                                 'val')


def test_a_head_without_a_dataset():
    m = model(coco=head(17), aic=head(14))
    with pytest.raises(ValueError, match=r"head\(s\) 'aic' have no dataset; "
                       r"the training datasets are 'coco'"):
        check_heads_fit_datasets(m, combined('CocoDataset'))
    # validating on a subset of the heads' datasets is fine
    check_heads_fit_datasets(m, combined('CocoDataset'), 'val')


def test_a_keypoint_count_that_does_not_match():
    with pytest.raises(ValueError, match=r"dataset 'aic' \(AicDataset, "
                       r"datasets\[1\]\) has 14 keypoints but its head "
                       r'predicts 17'):
        check_heads_fit_datasets(model(coco=head(17), aic=head(17)),
                                 combined('CocoDataset', 'AicDataset'))


def test_a_codec_that_does_not_match():
    other = dict(CODEC, sigma=3)
    with pytest.raises(ValueError, match=r"dataset 'aic' .* encodes its "
                       r'targets with another codec .* sigma: 2 vs 3'):
        check_heads_fit_datasets(
            model(coco=head(17), aic=head(14, other)),
            combined('CocoDataset', 'AicDataset'))


def test_the_same_dataset_twice():
    with pytest.raises(ValueError, match="dataset 'coco' .* appears 2 times"):
        check_heads_fit_datasets(model(coco=head(17)),
                                 combined('CocoDataset', 'CocoDataset'))
