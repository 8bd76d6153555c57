# Arm of the decoder experiments (docs/tfpose.md, "q2q and decoder depth on
# a frozen encoder"): the quickstart TFPose's decoder (N_D = 3, with the
# query-to-query attention) trained alone on the cached memory of a trained
# quickstart model (python -m mmpose_ext.tools.frozen_decoder). The other
# arms inherit this file and change one thing.
_base_ = ['../../tfpose/tfpose_res18-aux-deconv4x4_synthetic-128x96.py']

model = dict(head=dict(num_decoder_layers=3, with_q2q=True))

# decoder-only training: 1,000 steps of 32 cached crops (about 9 passes over
# the 3,606 training crops), evaluated every 250. At 1e-3 (the quickstart
# trains the whole model at 3e-3): 30 such runs fit the 2 cores in about
# half an hour (a step of the three-layer decoder is about 0.1 s).
frozen_decoder = dict(iters=1000, batch_size=32, lr=1e-3, eval_every=250)
