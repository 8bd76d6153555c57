# Arm `msra` of codecs_lowres_64x48: MMPose's standard MSRAHeatmap
# (quantised Gaussian, quarter-pixel shift at decoding), the baseline the
# other codecs are paired with. Its codec, head and pipelines are those of
# the experiment's common file.
_base_ = ['./td-hm_res18_lowres_synthetic-64x48.py']
