# Arm `mae` of vitpose_multi_dataset (no evaluation): vitpose_mae's MAE
# pre-training of the quickstart's p8w192 backbone, unchanged (1,800
# iterations of 64 person crops of data/synthetic_mae, 75 % masked), run
# again inside this experiment because its fine-tuning arms need the
# checkpoint on this machine: records travel with the repository,
# checkpoints do not, and the runner does not re-train a recorded run by
# itself. Its final checkpoint initialises both arms at the same seed.
_base_ = ['../vitpose_mae/mae_vitpose-p8w192_synthetic-128x96_pretrain.py']
