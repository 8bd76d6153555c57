from .simdr_cross_entropy_loss import SimDRCrossEntropyLoss

__all__ = ['SimDRCrossEntropyLoss']
