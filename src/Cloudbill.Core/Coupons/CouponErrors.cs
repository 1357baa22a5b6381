using Cloudbill.Core.Problems;

namespace Cloudbill.Core.Coupons;

public static class CouponErrors
{
    public static Problem NotFound(long id) =>
        Problem.NotFound("Coupon.NotFound", $"Coupon {id} is not one of your vouchers.");

    public static Problem NotApplicable(long id, string reason) =>
        Problem.Conflict("Coupon.NotApplicable", $"Coupon {id} cannot be used for this order: {reason}");

    public static Problem Invalid(string field, string message) =>
        Problem.Invalid("Coupon.Invalid", $"{field}: {message}");
}
