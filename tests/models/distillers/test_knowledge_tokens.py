"""Knowledge tokens: the width map keeps the tokens' Gram matrix, the token
file round-trips weights-only, learned vs frozen tokens."""
import pytest
import torch

from mmpose_ext.models.distillers import (KnowledgeTokens,
                                          fit_tokens_to_width,
                                          load_knowledge_tokens,
                                          save_knowledge_tokens)


def gram(t):
    t = t.double()
    return t @ t.T


@pytest.mark.parametrize('num,src,dst', [(1, 1024, 768), (3, 1024, 384),
                                         (2, 64, 32), (2, 384, 1024)])
def test_width_map_keeps_norms_and_angles(num, src, dst):
    tokens = torch.randn(num, src, generator=torch.Generator().manual_seed(0))
    mapped = fit_tokens_to_width(tokens, dst)
    assert mapped.shape == (num, dst) and mapped.dtype == tokens.dtype
    torch.testing.assert_close(gram(mapped), gram(tokens), rtol=1e-5,
                               atol=1e-4)
    # dense, not the axis-aligned coordinates of the span
    assert (mapped.abs() > 1e-6).sum() > num * num
    # fixed: the same file always gives the same student tokens
    assert torch.equal(mapped, fit_tokens_to_width(tokens.clone(), dst))


def test_equal_width_keeps_the_tokens_verbatim():
    tokens = torch.randn(2, 64)
    assert torch.equal(fit_tokens_to_width(tokens, 64), tokens)


def test_more_tokens_than_channels_is_refused():
    with pytest.raises(ValueError, match='3 tokens cannot keep their '
                       'geometry in 2 channels'):
        fit_tokens_to_width(torch.randn(3, 8), 2)


def test_token_file_round_trip_and_errors(tmp_path):
    tokens = torch.randn(1, 2, 16)
    path = str(tmp_path / 'tokens.pth')
    save_knowledge_tokens(tokens, path, source='stage1.pth')
    data = torch.load(path, weights_only=True)
    assert set(data) == {'knowledge_tokens', 'source'}
    assert torch.equal(load_knowledge_tokens(path), tokens[0])

    with pytest.raises(FileNotFoundError, match='export_knowledge_tokens'):
        load_knowledge_tokens(str(tmp_path / 'absent.pth'))
    torch.save({'tokens': tokens}, tmp_path / 'wrong.pth')
    with pytest.raises(ValueError, match='not a knowledge token file'):
        load_knowledge_tokens(str(tmp_path / 'wrong.pth'))
    save_knowledge_tokens(torch.full((2, 16), float('nan')),
                          str(tmp_path / 'nan.pth'))
    with pytest.raises(ValueError, match='not finite'):
        load_knowledge_tokens(str(tmp_path / 'nan.pth'))
    with pytest.raises(ValueError, match=r'expected tokens \(T, C\)'):
        save_knowledge_tokens(torch.zeros(16), path)


def test_learned_tokens_are_a_parameter_file_tokens_a_buffer(tmp_path):
    learned = KnowledgeTokens(embed_dims=16, num_tokens=2)
    assert learned.trainable and learned.num_tokens == 2
    assert [n for n, _ in learned.named_parameters()] == ['tokens']
    assert learned(3).shape == (3, 2, 16)

    path = str(tmp_path / 'tokens.pth')
    save_knowledge_tokens(learned.tokens, path)
    frozen = KnowledgeTokens(embed_dims=8, token_file=path)
    assert not frozen.trainable and list(frozen.parameters()) == []
    assert 'tokens' in frozen.state_dict()
    torch.testing.assert_close(
        gram(frozen.tokens[0]), gram(learned.tokens.detach()[0]), rtol=1e-5,
        atol=1e-6)
    with pytest.raises(ValueError, match='num_tokens must be >= 1'):
        KnowledgeTokens(embed_dims=8, num_tokens=0)
