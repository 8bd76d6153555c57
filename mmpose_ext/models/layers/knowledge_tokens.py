"""ViTPose's knowledge tokens (Sec. 3.4, Eq. 5-6).

Token distillation in two stages:

1. A randomly initialised, learnable knowledge token ``t`` is appended to the
   visual tokens after the patch embedding of a trained, frozen teacher, and
   only ``t`` is trained with the pose loss:
   ``t* = argmin_t MSE(T({t; X}), K_gt)``
   (:class:`KnowledgeTokens` with ``token_file=None``, inside
   :class:`~mmpose_ext.models.distillers.KnowledgeTokenTeacher`).
2. ``t*`` is exported (``python -m mmpose_ext.tools.export_knowledge_tokens``)
   and appended, frozen, to the visual tokens of the student, which trains
   everything else: ``MSE(S({t*; X}), K_gt)`` (:class:`KnowledgeTokens` with
   ``token_file=...``; add output distillation with
   :class:`~mmpose_ext.models.distillers.HeatmapDistillPoseEstimator`).

How ``t*`` reaches a student of another width (the paper distils ViTPose-L,
1024 channels, into ViTPose-B, 768, and does not say how): ``t*`` is an input
token of the teacher, and what the teacher learned is where ``t*`` lies among
the tokens the teacher makes of images. So the student receives ``W t* + b``,
the affine map ``(W, b)`` being fitted by least squares on data, once, so that
it sends the teacher's input tokens of image patches (patch embedding plus
position embedding) to the student's input tokens of the same patches,
``min_{W,b} sum ||W e_t(x) + b - e_s(x)||^2`` over the patches of the first
training batch, the student as initialised (at random or from MAE weights).
The mapped token stands to the student's patch tokens as ``t*`` to the
teacher's: a token near the embedding of, say, a limb patch in the teacher
lands near the student's embedding of that patch. The map is then frozen, and
so is the token (a buffer, never seen by an optimizer), as the paper freezes
``t*`` in stage 2; it needs neither a seed nor equal widths, and it is
deterministic for the same data and student initialisation. The paper's
verbatim use at equal widths is ``transfer='verbatim'``. (The former map, a
seeded random isometry, kept only the Gram matrix of the tokens: one token
became its norm times a fixed random direction, which is the random-token
control below.)

Controls (``control='random'``): each token of the file replaced by a fixed,
seeded random direction with the norm of the token it replaces, so that a
student with the knowledge token can be compared with one with a token of the
same size that carries nothing; with ``transfer='fit'`` the random token is
drawn in the teacher's space and sent through the same fitted map as ``t*``
(so it looks to the student like a mapped token, offset included, and differs
only in what ``t*`` learned). The other control is a student without tokens.

The fitted token is stored in the student (``backbone.knowledge_tokens.
tokens``, with ``backbone.knowledge_tokens.ready``), so testing or resuming a
stage-2 checkpoint never reads the token file.

The token file is read and written by
:mod:`mmpose_ext.checkpoints.knowledge_token_file`; the teacher-to-student
map is fitted by :mod:`mmpose_ext.models.utils.knowledge_token_fit`.
"""
from typing import Optional, Tuple

import torch
from mmengine.model import BaseModule
from mmengine.model.weight_init import trunc_normal_
from torch import Tensor, nn

from mmpose.registry import MODELS
from mmpose_ext.checkpoints.knowledge_token_file import read_token_file
from ..utils.knowledge_token_fit import fit_token_map, teacher_patch_tokens

__all__ = ['KnowledgeTokens', 'random_like_tokens']

# seed of the random-token control: part of the method, so that the same
# token file always gives the same control token
_CONTROL_SEED = 0
_TRANSFERS = ('fit', 'verbatim')
_CONTROLS = (None, 'random')


def random_like_tokens(tokens: Tensor) -> Tensor:
    """The random-token control: ``(T, C)`` tokens with a fixed seeded
    random direction each and the norms of ``tokens``."""
    gen = torch.Generator().manual_seed(_CONTROL_SEED)
    noise = torch.randn(tokens.shape, generator=gen, dtype=torch.float64)
    norms = tokens.double().norm(dim=1, keepdim=True)
    out = noise / noise.norm(dim=1, keepdim=True) * norms
    return out.to(tokens)


@MODELS.register_module()
class KnowledgeTokens(BaseModule):
    """Knowledge tokens appended to the patch tokens of a :class:`PlainViT`.

    Stage 1 (``token_file=None``): ``num_tokens`` learned tokens, an
    ``nn.Parameter`` ``(1, T, C)``.

    Stage 2 (``token_file`` given): a frozen buffer ``(1, T, C)`` (saved in
    checkpoints, never seen by an optimizer) with a ``ready`` flag. The file
    is read by :meth:`init_weights`, i.e. only when training starts, so
    testing a stage-2 checkpoint (which holds the tokens) does not need it.
    With ``transfer='verbatim'`` the file's tokens are taken as they are
    (equal widths, as the paper); with ``transfer='fit'`` they are mapped by
    :meth:`fit` on the first training batch (``KnowledgeTokenFitHook``).

    Args:
        embed_dims (int): Channels C of the backbone (filled in by
            :class:`PlainViT`).
        num_tokens (int): T, learned tokens in stage 1, and the number of
            tokens the file must hold in stage 2.
        token_file (str, optional): Exported tokens (stage 2).
        transfer (str): ``'fit'`` (a linear map between teacher and student
            token spaces fitted on data, see the module docstring) or
            ``'verbatim'``.
        control (str, optional): ``'random'``: the random-token control.
        init_std (float): Std of the truncated-normal initialisation of
            learned tokens.
    """

    def __init__(self,
                 embed_dims: int,
                 num_tokens: int = 1,
                 token_file: Optional[str] = None,
                 transfer: str = 'fit',
                 control: Optional[str] = None,
                 init_std: float = 0.02,
                 init_cfg=None):
        super().__init__(init_cfg)
        name = type(self).__name__
        if num_tokens < 1:
            raise ValueError(f'{name}: num_tokens must be >= 1, got '
                             f'{num_tokens}')
        if transfer not in _TRANSFERS:
            raise ValueError(f'{name}: transfer must be one of {_TRANSFERS}, '
                             f'got {transfer!r}')
        if control not in _CONTROLS:
            raise ValueError(f'{name}: control must be one of {_CONTROLS}, '
                             f'got {control!r}')
        if token_file is None and control is not None:
            raise ValueError(f'{name}: control={control!r} needs the '
                             'token_file whose tokens it replaces')
        self.embed_dims = embed_dims
        self.token_file = token_file
        self.transfer = transfer
        self.control = control
        self._embedding: Optional[dict] = None
        self._file_tokens: Optional[Tensor] = None
        if token_file is None:
            self.tokens = nn.Parameter(torch.zeros(1, num_tokens, embed_dims))
            trunc_normal_(self.tokens, std=init_std)
        else:
            self.register_buffer('tokens',
                                 torch.zeros(1, num_tokens, embed_dims))
            self.register_buffer('ready', torch.zeros((), dtype=torch.bool))

    @property
    def num_tokens(self) -> int:
        """T, the number of tokens."""
        return self.tokens.shape[1]

    @property
    def trainable(self) -> bool:
        """Whether the tokens are learned here (stage 1)."""
        return isinstance(self.tokens, nn.Parameter)

    @property
    def needs_fit(self) -> bool:
        """Stage 2 tokens waiting for :meth:`fit`."""
        return not self.trainable and not bool(self.ready)

    def init_weights(self):
        """Stage 1: nothing (initialised on construction). Stage 2: read the
        token file; with ``transfer='verbatim'`` the tokens are ready."""
        if not self.trainable:
            tokens, embedding = read_token_file(self.token_file)
            name = type(self).__name__
            if tokens.shape[0] != self.num_tokens:
                raise ValueError(
                    f'{name}: {self.token_file!r} holds {tokens.shape[0]} '
                    f'tokens, the config asks for num_tokens='
                    f'{self.num_tokens}; set num_tokens={tokens.shape[0]}')
            if self.transfer == 'verbatim':
                if tokens.shape[1] != self.embed_dims:
                    raise ValueError(
                        f"{name}: transfer='verbatim' needs tokens of the "
                        f'student width {self.embed_dims}, {self.token_file!r}'
                        f" holds width {tokens.shape[1]}; use transfer='fit'")
                self._set(tokens)
            else:
                if embedding is None:
                    raise ValueError(
                        f"{name}: transfer='fit' needs the teacher embedding "
                        f'in {self.token_file!r}; export the tokens again '
                        'with `python -m mmpose_ext.tools.'
                        'export_knowledge_tokens` (or use transfer='
                        "'verbatim' at equal widths)")
                self._file_tokens, self._embedding = tokens, embedding
        self._is_init = True

    def _set(self, tokens: Tensor, randomise: bool = True) -> None:
        if randomise and self.control == 'random':
            tokens = random_like_tokens(tokens)
        self.tokens.copy_(tokens[None].to(self.tokens))
        self.ready.fill_(True)

    @torch.no_grad()
    def fit(self, images: Tensor, student_tokens: Tensor,
            student_hw: Tuple[int, int]) -> Tuple[Tensor, Tensor]:
        """Fit the teacher-to-student map on a batch and set the tokens.

        Args:
            images (Tensor): Normalised images ``(B, c, H_img, W_img)``.
            student_tokens (Tensor): The student's input tokens of the same
                images ``(B, h*w, C)`` (patch plus position embedding).
            student_hw (tuple[int, int]): The student's grid ``(h, w)``.

        Returns:
            tuple: the map ``W`` ``(C, C_t)`` and ``b`` ``(C,)``.
        """
        if self._embedding is None:
            raise RuntimeError(
                f'{type(self).__name__}.fit: no teacher embedding; call '
                "init_weights() first (stage 2 with transfer='fit')")
        teacher, hw = teacher_patch_tokens(images, self._embedding)
        if tuple(hw) != tuple(student_hw):
            raise ValueError(
                f'{type(self).__name__}: the teacher makes a {hw[0]}x{hw[1]} '
                f'token grid of these images, the student '
                f'{student_hw[0]}x{student_hw[1]}; the map is fitted patch '
                'by patch, so give both the same patch size, stride and '
                'padding')
        weight, bias = fit_token_map(
            teacher.flatten(0, 1), student_tokens.flatten(0, 1))
        source = self._file_tokens.double()
        if self.control == 'random':
            # drawn in the teacher's space and sent through the same map, so
            # that the control differs from the knowledge token only in what
            # t* learned, not in looking like a mapped patch token (the
            # offset b, the map's anisotropy)
            source = random_like_tokens(source)
        self._set(source @ weight.T + bias, randomise=False)
        return weight, bias

    def forward(self, batch_size: int) -> Tensor:
        """The tokens for a batch: ``(B, T, C)``."""
        if not self.trainable and not bool(self.ready):
            raise RuntimeError(
                f'{type(self).__name__}: the stage-2 tokens are not set: '
                'load a stage-2 checkpoint (it holds them), or train with '
                "custom_hooks=[dict(type='KnowledgeTokenFitHook')] (transfer="
                "'fit') so that they are fitted on the first batch")
        return self.tokens.expand(batch_size, -1, -1)
