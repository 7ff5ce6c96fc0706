"""The HAD reference network: torchvision-dilated ResNet and DeepLabHead."""
import os.path as osp

import pytest
import torch
import torch.nn as nn
import torchvision
from mmengine.config import Config
from torchvision.models.segmentation.deeplabv3 import DeepLabHead

from mmhad.registry import MODELS
from tests.conftest import REPO_ROOT, TASKS

NYUV2_TASKS = dict(TASKS, semantic=dict(type='SemanticTask', num_classes=13))


def reference_model(config='configs/had/had_r18_nyuv2.py', head=None,
                    **backbone):
    cfg = Config.fromfile(osp.join(REPO_ROOT, config)).model.architecture
    cfg.backbone.init_cfg = None
    cfg.backbone.update(backbone)
    cfg.decode_head.update(head or {})
    model = MODELS.build(cfg)
    model.set_tasks(NYUV2_TASKS)
    for name in NYUV2_TASKS:
        model.add_task(name)
    return model


def dilate_like_the_reference(resnet: nn.Module) -> nn.Module:
    """Stride 1 in layer3 / layer4; every 3x3 conv there dilated 2 / 4, the
    formerly strided one half of that (the reference code's dilation,
    docs/en/reference_parity.md)."""
    for layer, dilation in ((resnet.layer3, 2), (resnet.layer4, 4)):
        for conv in layer.modules():
            if not isinstance(conv, nn.Conv2d):
                continue
            strided = conv.stride == (2, 2)
            conv.stride = (1, 1)
            if conv.kernel_size == (3, 3):
                d = dilation // 2 if strided else dilation
                conv.dilation, conv.padding = (d, d), (d, d)
    return resnet


@pytest.mark.parametrize('depth,count', [(18, 25_347_409), (50, 71_888_721)])
def test_parameter_count_with_the_three_nyuv2_heads(depth, count):
    # the reference code's counts (dilated torchvision ResNet + DeepLabHead)
    model = reference_model(
        'configs/had/had_r50_nyuv2.py' if depth == 50 else
        'configs/had/had_r18_nyuv2.py')
    assert model.backbone.depth == depth
    assert sum(p.numel() for p in model.parameters()) == count


@pytest.mark.parametrize('depth', [18, 50])
def test_backbone_equals_dilated_torchvision_resnet_with_its_weights(depth):
    torch.manual_seed(0)
    tv = getattr(torchvision.models, f'resnet{depth}')(weights=None)
    reference = dilate_like_the_reference(tv).eval()
    model = reference_model(depth=depth).eval()
    # torchvision's weights load unchanged; only the classifier is left over
    missing, unexpected = model.backbone.load_state_dict(
        tv.state_dict(), strict=False)
    assert missing == [] and sorted(unexpected) == ['fc.bias', 'fc.weight']
    x = torch.randn(2, 3, 64, 80)
    with torch.no_grad():
        expected = reference.layer4(reference.layer3(reference.layer2(
            reference.layer1(reference.maxpool(reference.relu(
                reference.bn1(reference.conv1(x))))))))
        feats = model.backbone(x)[0]
    assert feats.shape == (2, 512 if depth == 18 else 2048, 8, 10)
    torch.testing.assert_close(feats, expected, rtol=1e-4, atol=1e-4)


def test_basic_block_conv2_is_dilated_unlike_mmseg_resnet():
    model = reference_model()
    layer3, layer4 = model.backbone.layer3, model.backbone.layer4
    assert [b.conv1.dilation[0] for b in layer3] == [1, 2]
    assert [b.conv2.dilation[0] for b in layer3] == [2, 2]
    assert [b.conv1.dilation[0] for b in layer4] == [2, 4]
    assert [b.conv2.dilation[0] for b in layer4] == [4, 4]
    native = MODELS.build(
        dict(type='ResNetV1c', depth=18, dilations=(1, 1, 2, 4),
             strides=(1, 2, 1, 1), contract_dilation=True))
    assert [b.conv2.dilation[0] for b in native.layer4] == [1, 1]


def test_head_equals_torchvision_deeplab_head_with_its_weights():
    torch.manual_seed(0)
    reference = DeepLabHead(64, 5).eval()
    head = MODELS.build(
        dict(type='TorchvisionDeepLabHead', in_channels=64, channels=256,
             num_classes=5, norm_cfg=dict(type='BN'))).eval()
    theirs = reference.state_dict()
    # both list their tensors in the same order (ASPP 1x1, 3x3 x3, pooling,
    # projection, 3x3 conv, classifier) once mmseg's classifier, which its
    # base head registers first, is moved to the end
    ours = sorted(head.state_dict(), key=lambda k: k.startswith('conv_seg'))
    assert len(ours) == len(theirs)
    head.load_state_dict(dict(zip(ours, theirs.values())), strict=True)
    x = torch.randn(2, 64, 9, 11)
    with torch.no_grad():
        torch.testing.assert_close(head([x]), reference(x))


def test_outputs_are_upsampled_with_align_corners():
    model = reference_model(
        base_channels=8, stem_channels=8, head=dict(in_channels=64))
    assert model.align_corners is True
    model.eval()
    with torch.no_grad():
        out = model.predict_tasks(torch.rand(2, 3, 48, 64))
    assert out['semantic'].shape == (2, 13, 48, 64)
    assert torch.allclose(out['semantic'].exp().sum(1), torch.ones(1))
    assert torch.allclose(out['normal'].norm(dim=1), torch.ones(1))


def test_native_network_stays_its_own_base():
    cfg = Config.fromfile(
        osp.join(REPO_ROOT, 'configs/had/had_r18-v1c_nyuv2.py'))
    assert cfg.model.architecture.backbone.type == 'ResNetV1c'
    assert cfg.model.architecture.decode_head.type == 'ASPPHead'
    had = Config.fromfile(osp.join(REPO_ROOT, 'configs/had/had_r18_nyuv2.py'))
    assert cfg.model.components == had.model.components  # same HAD


def weight_stds(modules):
    return [m.weight.std().item() for m in modules
            if isinstance(m, (nn.Conv2d, nn.BatchNorm2d))]


@pytest.mark.parametrize('config,init', [
    ('configs/had/had_r18_nyuv2.py', 'pytorch'),
    ('configs/baselines/finetune_r18_nyuv2.py', 'pytorch'),
    ('configs/had/had_r18_cityscapes.py', 'pytorch'),
    ('configs/had/had-mm_r18_nyuv2.py', 'mmcv'),
    ('configs/baselines/finetune-mm_r18_nyuv2.py', 'mmcv'),
])
def test_reference_configs_start_heads_as_torchvision_does(config, init):
    torch.manual_seed(0)
    model = reference_model(config)
    head = model.heads['semantic']
    assert head.weight_init == init
    reference = DeepLabHead(512, 13)
    ours = weight_stds([*head.aspp_convs.modules(),
                        *head.image_pool.modules(), *head.project.modules(),
                        *head.bottleneck.modules(), head.conv_seg])
    theirs = weight_stds(reference.modules())
    assert len(ours) == len(theirs)
    # each layer's spread (thousands of weights: sampling noise < 5 %)
    close = [abs(a - b) / b < 0.1 for a, b in zip(ours, theirs) if b > 0]
    if init == 'pytorch':
        assert all(close)
    else:  # mmcv's kaiming-normal convs and N(0, 0.01) classifier
        assert not any(close[:5])
    # BatchNorm starts at weight 1, bias 0 with both
    bn = head.bottleneck.bn
    assert torch.equal(bn.weight, torch.ones_like(bn.weight))


def test_unknown_head_init_is_refused():
    with pytest.raises(ValueError, match="weight_init='xavier'"):
        MODELS.build(
            dict(type='TorchvisionDeepLabHead', in_channels=8, channels=8,
                 num_classes=2, weight_init='xavier'))
