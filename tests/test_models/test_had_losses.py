import pytest
import torch

from mmhad.models.losses import (DistributionBalancedLoss, SalienceGuidedLoss,
                                 distribution_balanced_loss,
                                 salience_guided_loss, sobel_magnitude)


def test_geometric_group_means_are_averaged_with_equal_weight():
    loss_map = torch.tensor([[[1., 4.], [2., 8.]]])
    groups = torch.tensor([[[0, 0], [1, 1]]])
    # group 0: sqrt(1 * 4) = 2; group 1: sqrt(2 * 8) = 4; mean 3
    loss = distribution_balanced_loss(loss_map, groups, eps=0)
    assert loss.item() == pytest.approx(3.0, rel=1e-6)
    arith = distribution_balanced_loss(loss_map, groups, mean='arithmetic')
    assert arith.item() == pytest.approx((2.5 + 5.0) / 2)


def test_group_size_does_not_weight_the_average():
    # 1 pixel of loss 9 in group 1 counts as much as 5 pixels in group 0.
    loss_map = torch.tensor([[[1., 1., 1., 1., 1., 9.]]])
    groups = torch.tensor([[[0, 0, 0, 0, 0, 1]]])
    loss = distribution_balanced_loss(loss_map, groups, eps=0)
    assert loss.item() == pytest.approx(5.0, rel=1e-6)


def test_groups_span_the_batch_and_skip_missing_ids_and_invalid_pixels():
    loss_map = torch.tensor([[[2., 100.]], [[8., 3.]]])
    groups = torch.tensor([[[0, 5]], [[0, 5]]])  # ids 1-4 absent
    valid = torch.tensor([[[True, False]], [[True, True]]])
    # group 0 over both images: sqrt(2 * 8) = 4; group 5: only 3 is valid
    loss = distribution_balanced_loss(loss_map, groups, valid, eps=0)
    assert loss.item() == pytest.approx((4 + 3) / 2, rel=1e-6)


def test_geometric_mean_gradient_is_finite_with_zero_losses():
    loss_map = torch.tensor([[[0., 0.], [1., 2.]]], requires_grad=True)
    groups = torch.zeros(1, 2, 2, dtype=torch.long)
    loss = DistributionBalancedLoss()(loss_map, groups)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(loss_map.grad).all()


def test_db_loss_without_valid_pixels_is_zero_with_zero_gradient():
    loss_map = torch.rand(1, 3, 3, requires_grad=True)
    groups = torch.zeros(1, 3, 3, dtype=torch.long)
    valid = torch.zeros(1, 3, 3, dtype=torch.bool)
    loss = distribution_balanced_loss(loss_map, groups, valid)
    loss.backward()
    assert loss.item() == 0
    assert torch.equal(loss_map.grad, torch.zeros_like(loss_map))


def test_db_loss_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match='same shape'):
        distribution_balanced_loss(torch.rand(1, 2, 2),
                                   torch.zeros(1, 2, 3, dtype=torch.long))


def test_reference_segmentation_db_softmax_weights_and_counts_absent():
    loss_map = torch.tensor([[[1., 1.], [3., 3.]]])
    groups = torch.tensor([[[0, 0], [2, 2]]])  # classes 1 and 3 absent
    # group means (1, 0, 3, 0); weights softmax(-means) over all 4 classes;
    # the weighted sum is divided by 4, absent classes included.
    means = torch.tensor([1., 0., 3., 0.])
    expected = (torch.softmax(-means, 0) * means).sum() / 4
    loss = distribution_balanced_loss(
        loss_map, groups, mean='arithmetic', num_groups=4,
        group_weighting='softmax', group_reduction='mean_all')
    assert loss.item() == pytest.approx(expected.item(), rel=1e-6)
    # the weights are constants: d loss / d I = w_g / (4 |g|) per pixel
    loss_map.requires_grad_(True)
    distribution_balanced_loss(
        loss_map, groups, mean='arithmetic', num_groups=4,
        group_weighting='softmax', group_reduction='mean_all').backward()
    weights = torch.softmax(-means, 0)
    assert loss_map.grad[0, 0, 0].item() == pytest.approx(
        weights[0].item() / 8, rel=1e-6)


def test_reference_regression_db_sums_the_group_means():
    loss_map = torch.tensor([[[1., 3.], [10., 20.]]])
    groups = torch.tensor([[[0, 0], [1, 1]]])
    loss = DistributionBalancedLoss(mean='arithmetic',
                                    group_reduction='sum')(loss_map, groups)
    assert loss.item() == pytest.approx(2. + 15.)


def test_group_ids_outside_num_groups_are_refused():
    with pytest.raises(ValueError, match=r'\[0, 2\)'):
        distribution_balanced_loss(torch.rand(1, 2, 2),
                                   torch.full((1, 2, 2), 2), num_groups=2)
    with pytest.raises(ValueError, match='group_reduction'):
        DistributionBalancedLoss(group_reduction='median')


def _step_map(height=8, width=8):
    loss_map = torch.zeros(1, height, width)
    loss_map[..., width // 2:] = 1.0
    return loss_map


def test_sobel_on_a_step_marks_the_two_columns_of_the_step():
    grad = sobel_magnitude(_step_map())
    edge_cols = (grad[0] > 0).any(dim=0).nonzero().flatten().tolist()
    assert edge_cols == [3, 4]
    # Sobel gives 4 for a unit step: (1 + 2 + 1) * 1
    assert grad[0, 2:6, 3].tolist() == [4.0] * 4


def test_salience_guided_loss_averages_the_loss_over_the_step_edges():
    loss_map = _step_map().requires_grad_()
    loss = salience_guided_loss(loss_map, threshold=0.9)
    # salient columns 3 (loss 0) and 4 (loss 1), all rows: mean 0.5
    assert loss.item() == pytest.approx(0.5)
    loss.backward()
    grad = loss_map.grad[0]
    assert grad[:, [3, 4]].gt(0).all()
    assert grad[:, [0, 1, 2, 5, 6, 7]].eq(0).all()


def test_zero_padding_also_selects_the_image_border():
    loss_map = _step_map()
    replicate = salience_guided_loss(loss_map, padding='replicate')
    zeros = SalienceGuidedLoss(padding='zeros')(loss_map)
    assert replicate.item() != pytest.approx(zeros.item())
    grad = sobel_magnitude(loss_map, padding='zeros')[0]
    assert grad[:, 7].gt(0).all()  # the right border of the 1-region


def test_reduction_all_divides_by_every_pixel():
    loss = salience_guided_loss(_step_map(), reduction='all')
    # 8 salient pixels of loss 1 (column 4) over 64 pixels
    assert loss.item() == pytest.approx(8 / 64)


def test_salience_loss_of_a_flat_map_is_zero_with_finite_gradient():
    loss_map = torch.full((2, 6, 6), 0.3, requires_grad=True)
    loss = salience_guided_loss(loss_map)
    loss.backward()
    assert loss.item() == 0
    assert torch.isfinite(loss_map.grad).all()


def test_unnormalised_threshold_uses_raw_sobel_magnitude():
    loss_map = _step_map()
    # raw magnitude at the step is 4: k = 3 keeps it, k = 5 drops it
    assert salience_guided_loss(loss_map, 3.0, normalize=False).item() == \
        pytest.approx(0.5)
    assert salience_guided_loss(loss_map, 5.0, normalize=False).item() == 0


def test_bad_options_are_rejected_by_name():
    with pytest.raises(ValueError, match='mean'):
        distribution_balanced_loss(torch.rand(1, 2, 2),
                                   torch.zeros(1, 2, 2, dtype=torch.long),
                                   mean='harmonic')
    with pytest.raises(ValueError, match='padding'):
        sobel_magnitude(torch.rand(1, 4, 4), padding='reflect')
    with pytest.raises(ValueError, match='reduction'):
        salience_guided_loss(torch.rand(1, 4, 4), reduction='sum')


def test_negative_group_ids_and_exact_zeros_can_be_left_out():
    loss_map = torch.tensor([[[0., 4., 1., 9.]]])
    groups = torch.tensor([[[0, 0, -1, 1]]])
    # the pixel of id -1 is in no group; group 0 keeps only its non-zero 4
    loss = distribution_balanced_loss(loss_map, groups, eps=0.,
                                      drop_zeros=True)
    assert loss.item() == pytest.approx((4 + 9) / 2)
    with_zero = distribution_balanced_loss(loss_map, groups,
                                           mean='arithmetic')
    assert with_zero.item() == pytest.approx((2 + 9) / 2)


def test_small_groups_are_dropped_by_min_group_fraction():
    loss_map = torch.tensor([[[1., 1., 1., 1., 1., 1., 1., 1., 1., 50.]]])
    groups = torch.tensor([[[0, 0, 0, 0, 0, 0, 0, 0, 0, 1]]])
    kept = DistributionBalancedLoss(mean='arithmetic')(loss_map, groups)
    assert kept.item() == pytest.approx(25.5)
    guarded = DistributionBalancedLoss(
        mean='arithmetic', min_group_fraction=0.2)(loss_map, groups)
    assert guarded.item() == pytest.approx(1.0)


def test_salience_outside_the_valid_mask_is_ignored():
    loss_map = torch.zeros(1, 6, 6)
    loss_map[0, :, 3:] = 1.  # a vertical edge between columns 2 and 3
    every = salience_guided_loss(loss_map, threshold=0.5)
    assert every.item() == pytest.approx(0.5)  # half the edge pixels are 1
    left = torch.zeros(1, 6, 6, dtype=torch.bool)
    left[..., :3] = True
    only_left = salience_guided_loss(loss_map, threshold=0.5, valid=left)
    assert only_left.item() == 0.  # the salient pixels left have loss 0


def test_reference_broadcast_equals_the_explicit_broadcast_tensor():
    """The reference code's depth SG (its own type) scores each image at
    the pixels salient in any image, as the (N, N, H, W) product would."""
    from mmhad.components import ReferenceSalienceGuidedLoss
    torch.manual_seed(0)
    loss_map = torch.rand(3, 8, 9)
    loss_map[1, :2] = 0.
    ours = ReferenceSalienceGuidedLoss(threshold=0.6, padding='zeros',
                                       drop_zeros=True)(loss_map)
    grad = sobel_magnitude(loss_map, 'zeros').flatten(1)
    low, high = grad.min(1, keepdim=True)[0], grad.max(1, keepdim=True)[0]
    mask = ((grad - low) / (high - low) > 0.6).view_as(loss_map)
    explicit = loss_map[:, None] * mask[None]  # (3, 3, H, W)
    assert ours.item() == pytest.approx(
        (explicit.sum() / (explicit != 0).sum()).item(), rel=1e-6)
    averaged_all = ReferenceSalienceGuidedLoss(
        threshold=0.6, padding='zeros', reduction='all')(loss_map)
    assert averaged_all.item() == pytest.approx(explicit.mean().item(),
                                                rel=1e-6)
