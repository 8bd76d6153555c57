# Arm `msra` of codecs_lowres_128x96: MMPose's standard MSRAHeatmap
# (quantised Gaussian, quarter-pixel shift at decoding), the baseline the
# other codecs are paired with. Its codec, head and pipelines are those of
# the experiment's common file.
_base_ = ['./td-hm_res18_lowres_synthetic-128x96.py']
