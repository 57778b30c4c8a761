"""The module-tree figure of notebook 08: one box per module, its own parameters and buffers."""

import torch
from torch import nn

from course_utils.plots import draw_module_tree, figure_png, module_tree_text


class TwoLayerNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.linear1 = nn.Linear(1000, 100)
        self.linear2 = nn.Linear(100, 10)
        self.register_buffer("offset", torch.tensor(1.0))


def test_every_module_is_a_box_with_its_own_parameters_and_an_edge_named_by_its_key():
    fig = draw_module_tree(TwoLayerNet())
    (ax,) = fig.axes
    texts = [t.get_text() for t in ax.texts]
    assert texts.count("Linear") == 2 and "TwoLayerNet" in texts
    assert "_modules['linear1']" in texts and "_modules['linear2']" in texts
    assert "weight (100, 1000)" in texts and "bias (10,)" in texts
    assert "offset () (buffer)" in texts
    assert "parameters()" in ax.get_title()
    assert figure_png(fig).startswith(b"\x89PNG")


def test_nested_modules_and_empty_nodes():
    model = nn.Sequential(nn.ModuleList([nn.Linear(2, 3), nn.ReLU()]))
    texts = [t.get_text() for t in draw_module_tree(model).axes[0].texts]
    assert "ModuleList" in texts and "_modules['0']" in texts and "_modules['1']" in texts
    assert texts.count("_parameters: {}") == 3  # Sequential, ModuleList, ReLU


def test_text_alternative_walks_the_tree():
    text = module_tree_text(TwoLayerNet())
    assert "model (TwoLayerNet) holds offset () (buffer)" in text
    assert "model._modules['linear1'] (Linear) holds weight (100, 1000), bias (100,)" in text
    assert "no parameters of its own" in module_tree_text(nn.Sequential(nn.Linear(1, 1)))
