# The short runs of the coco_tiny test variants, as variables (MMEngine
# refuses two bases with the same key): a config lists this file as a further
# base and takes one set.
#
# Two iterations (train, validate at iteration 2, one checkpoint there), for
# the test variants of the epoch-based COCO recipes:
#   train_cfg = dict(_delete_=True, **_base_.two_iteration_train_cfg)
#   param_scheduler = _base_.two_iteration_param_scheduler
#   default_hooks = _base_.two_iteration_default_hooks
#   log_processor = _base_.two_iteration_log_processor
# (_delete_ drops the recipe's epoch-based loop settings).
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

# Two epochs, validated and saved after each, merged into the recipe's
# epoch-based loop:
#   train_cfg = _base_.two_epoch_train_cfg
#   param_scheduler = _base_.two_epoch_param_scheduler
#   default_hooks = _base_.two_epoch_default_hooks
#   log_processor = _base_.two_epoch_log_processor
two_epoch_train_cfg = dict(max_epochs=2, val_interval=1)
two_epoch_param_scheduler = [
    dict(type='LinearLR', begin=0, end=10, start_factor=0.1, by_epoch=False),
]
two_epoch_default_hooks = dict(
    logger=dict(interval=1), checkpoint=dict(interval=1))
two_epoch_log_processor = dict(window_size=1)
