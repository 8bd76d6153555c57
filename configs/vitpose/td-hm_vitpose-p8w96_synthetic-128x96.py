# The student of the synthetic distillation experiments (vitpose_token,
# vitpose_heatmap_distill), without any token (the no-token control): the
# quickstart ViTPose (td-hm_vitpose-p8w192_synthetic-128x96.py) at half
# width, patch 8 (16x12 tokens), width 96, 6 layers, 3 heads, the same
# decoder (one x2 deconvolution, 128 channels), from scratch (no MAE
# pre-training), with the quickstart's recipe and schedule (AdamW lr 1e-3,
# weight decay 0.1, layer decay 0.75, batch 16, 1,500 iterations) and
# evaluator (CocoMetric on the val split with the generated person
# detections). The teacher, the p8w192 model fine-tuned from MAE, is
# twice as wide and pre-trained.
_base_ = ['./td-hm_vitpose-p8w192_synthetic-128x96.py']

embed_dims = 96
model = dict(
    backbone=dict(
        arch=dict(embed_dims=embed_dims, num_heads=3,
                  feedforward_channels=embed_dims * 4),
        init_cfg=None),
    head=dict(in_channels=embed_dims))
