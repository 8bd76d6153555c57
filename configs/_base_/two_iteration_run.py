# A test run of two iterations (train, then validate at iteration 2, one
# checkpoint there), as variables for the coco_tiny test variants of the
# COCO recipes. A config lists this file as a further base and writes
#   train_cfg = dict(_delete_=True, **_base_.two_iteration_train_cfg)
#   param_scheduler = _base_.two_iteration_param_scheduler
#   default_hooks = _base_.two_iteration_default_hooks
#   log_processor = _base_.two_iteration_log_processor
# (variables: MMEngine refuses two bases with the same key; _delete_ drops the
# recipe's epoch-based loop settings).
two_iteration_train_cfg = dict(
    type='IterBasedTrainLoop', max_iters=2, val_interval=2)
two_iteration_param_scheduler = [
    dict(type='LinearLR', begin=0, end=2, start_factor=0.1, by_epoch=False)
]
# log every iteration; no best-checkpoint search on two iterations
two_iteration_default_hooks = dict(
    logger=dict(interval=1),
    checkpoint=dict(by_epoch=False, interval=2, save_best=None))
two_iteration_log_processor = dict(by_epoch=False, window_size=1)
