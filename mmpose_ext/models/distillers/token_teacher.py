"""Stage 1 of knowledge-token distillation: tokens on a frozen teacher."""
from mmpose.models.pose_estimators import TopdownPoseEstimator
from mmpose.registry import MODELS
from mmpose_ext.checkpoints import load_pose_checkpoint

TOKEN_PARAM = 'backbone.knowledge_tokens.tokens'


@MODELS.register_module()
class KnowledgeTokenTeacher(TopdownPoseEstimator):
    """A trained top-down model, frozen, with learnable knowledge tokens.

    ViTPose Eq. 5: ``t* = argmin_t MSE(T({t; X}), K_gt)``. The teacher is
    built from the usual ``backbone``/``neck``/``head`` configs (the backbone
    a :class:`PlainViT` with ``knowledge_tokens=dict(num_tokens=T)``), its
    weights come from ``teacher_checkpoint`` (this package's or an official
    ViTPose checkpoint), and every parameter except the tokens is frozen. The
    frozen teacher also stays in eval mode during training: batch norm uses its
    running statistics (which are therefore never updated) and stochastic
    depth is off, so the tokens are fitted to the teacher as it predicts.

    The loss is the head's pose loss against the ground truth, so the usual
    training pipeline and ``mim train`` apply; export the tokens afterwards
    with ``python -m mmpose_ext.tools.export_knowledge_tokens``.

    Args:
        teacher_checkpoint (str): Checkpoint of the trained teacher; it must
            hold every tensor of the model except the knowledge tokens.
        Others: as :class:`~mmpose.models.TopdownPoseEstimator`.
    """

    def __init__(self,
                 backbone: dict,
                 teacher_checkpoint: str,
                 neck=None,
                 head=None,
                 train_cfg=None,
                 test_cfg=None,
                 data_preprocessor=None,
                 init_cfg=None,
                 metainfo=None):
        super().__init__(
            backbone=backbone,
            neck=neck,
            head=head,
            train_cfg=train_cfg,
            test_cfg=test_cfg,
            data_preprocessor=data_preprocessor,
            init_cfg=init_cfg,
            metainfo=metainfo)
        tokens = getattr(self.backbone, 'knowledge_tokens', None)
        if tokens is None or not tokens.trainable:
            raise ValueError(
                f'{type(self).__name__}: the backbone needs learnable '
                'knowledge tokens: backbone=dict(type="PlainViT", ..., '
                'knowledge_tokens=dict(type="KnowledgeTokens", num_tokens=1)) '
                'without token_file')
        self.teacher_checkpoint = teacher_checkpoint
        for name, param in self.named_parameters():
            param.requires_grad = name == TOKEN_PARAM

    def init_weights(self):
        """The teacher's weights from ``teacher_checkpoint``; the tokens keep
        their random initialisation."""
        load_pose_checkpoint(
            self, self.teacher_checkpoint, allow_missing=(TOKEN_PARAM, ))
        self._is_init = True

    def train(self, mode: bool = True):
        """Always eval mode: the teacher is frozen (see the class note)."""
        return super().train(False)
