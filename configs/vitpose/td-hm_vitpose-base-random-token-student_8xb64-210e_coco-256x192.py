# Control of knowledge-token distillation (stage 2): the same student, data,
# schedule and seed as td-hm_vitpose-base-token-student, but its frozen token
# is a fixed seeded random direction with the norm of the knowledge token it
# replaces, so it carries nothing the teacher learned.
_base_ = ['./td-hm_vitpose-base-token-student_8xb64-210e_coco-256x192.py']

model = dict(backbone=dict(knowledge_tokens=dict(control='random')))
