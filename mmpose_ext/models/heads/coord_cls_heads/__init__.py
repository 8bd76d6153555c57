from .simdr_head import SimDRHead

__all__ = ['SimDRHead']
