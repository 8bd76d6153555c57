# Arm of the decoder experiments (docs/tfpose.md, "q2q and decoder depth on
# a frozen encoder"): the quickstart TFPose's decoder (N_D = 3, with the
# query-to-query attention) trained alone on the cached memory of a trained
# quickstart model (python -m mmpose_ext.tools.frozen_decoder). The other
# arms inherit this file and change one thing.
_base_ = ['../../tfpose/tfpose_res18_synthetic-128x96.py']

model = dict(head=dict(num_decoder_layers=3, with_q2q=True))

# decoder-only training: 2,000 steps of 32 cached crops (about 15 passes
# over the training crops), evaluated every 500
frozen_decoder = dict(iters=2000, batch_size=32, lr=3e-4, eval_every=500)
