# Arm `simdr-k3` of codecs_lowres_64x48: SimDRLabel with 3 bins per
# input pixel (Gaussian labels of the common file's width in input pixels),
# MMPose's SimCCHead without deconvolutions (the SimDR paper's plain head: a
# linear map from the flattened features to every bin) and KLDiscretLoss.
# A new codec means restating the pipelines: MMEngine evaluated the parent's
# with the parent's codec.
_base_ = ['./td-hm_res18_lowres_synthetic-64x48.py']

simcc_split_ratio = 3.
simdr_codec = dict(
    type='SimDRLabel',
    input_size=_base_.input_size,
    sigma=_base_.simdr_sigma_px * simcc_split_ratio,  # in bins
    simcc_split_ratio=simcc_split_ratio)
# the config's `codec` is this arm's; `_delete_` drops what the base's
# heatmap codec has and SimDR has not (heatmap_size). The head and the
# pipelines take `simdr_codec`, in which no `_delete_` can be left behind.
codec = dict(simdr_codec, _delete_=True)

# the heatmap head replaced as a whole (none of its arguments apply)
model = dict(
    head=dict(
        _delete_=True,
        type='SimCCHead',
        in_channels=512,
        out_channels=17,
        input_size=simdr_codec['input_size'],
        in_featuremap_size=_base_.feature_size,
        simcc_split_ratio=simcc_split_ratio,
        deconv_out_channels=None,
        loss=dict(type='KLDiscretLoss', use_target_weight=True),
        decoder=simdr_codec))

train_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='RandomFlip', direction='horizontal'),
    dict(type='RandomHalfBody'),
    dict(type='RandomBBoxTransform', rotate_factor=30,
         scale_factor=(0.75, 1.25)),
    dict(type='TopdownAffine', input_size=simdr_codec['input_size']),
    dict(type='GenerateTarget', encoder=simdr_codec),
    dict(type='PackPoseInputs')
]
val_pipeline = [
    dict(type='LoadImage'),
    dict(type='GetBBoxCenterScale'),
    dict(type='TopdownAffine', input_size=simdr_codec['input_size']),
    dict(type='PackPoseInputs')
]
train_dataloader = dict(dataset=dict(pipeline=train_pipeline))
val_dataloader = dict(dataset=dict(pipeline=val_pipeline))
test_dataloader = val_dataloader
