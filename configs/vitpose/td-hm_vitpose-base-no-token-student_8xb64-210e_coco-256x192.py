# Control of knowledge-token distillation (stage 2): the student of
# td-hm_vitpose-base-token-student without any token, trained identically
# (same data, schedule and seed); it is the plain ViTPose-B config.
_base_ = ['./td-hm_vitpose-base_8xb64-210e_coco-256x192.py']
