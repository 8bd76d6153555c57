"""The TFPose head traces to ONNX on the CPU with standard operators only,
without the auxiliary branch, and onnxruntime reproduces it."""
import numpy as np
import onnx
import onnxruntime as ort
import torch
from torch import nn

from tests.helpers.tfpose_head import tfpose_features, tiny_tfpose_head


class _HeadOnly(nn.Module):

    def __init__(self, head):
        super().__init__()
        self.head = head

    def forward(self, c3, c4, c5):
        return self.head((c3, c4, c5))


def test_head_exports_to_onnx(tmp_path):
    head = tiny_tfpose_head()
    feats = tuple(tfpose_features(batch=1))
    path = str(tmp_path / 'tfpose_head.onnx')
    with torch.no_grad():
        expected = head(feats).numpy()
        torch.onnx.export(
            _HeadOnly(head), feats, path, dynamo=False, opset_version=17,
            input_names=['c3', 'c4', 'c5'], output_names=['coords'])
    model = onnx.load(path)
    onnx.checker.check_model(model)
    ops = {(n.domain or 'ai.onnx', n.op_type) for n in model.graph.node}
    assert {d for d, _ in ops} == {'ai.onnx'}, ops  # no custom domain
    op_types = {t for _, t in ops}
    assert 'GridSample' in op_types  # the deformable sampling
    assert 'ConvTranspose' not in op_types  # no auxiliary heatmap branch
    session = ort.InferenceSession(path, providers=['CPUExecutionProvider'])
    (coords, ) = session.run(
        None, {n: f.numpy() for n, f in zip(('c3', 'c4', 'c5'), feats)})
    np.testing.assert_allclose(coords, expected, atol=1e-5, rtol=0)
