# Control: the p8w96 token student with a fixed random token of the same
# norm, drawn in the teacher's space and sent through the same fitted map,
# instead of the knowledge token; all else identical.
_base_ = ['./td-hm_vitpose-p8w96-token-student_synthetic-128x96.py']

model = dict(backbone=dict(knowledge_tokens=dict(control='random')))
