using System.Globalization;

namespace EnvScore.Domain.Scoring;

/// <summary>The single rounding rule and the display format of points.</summary>
public static class Points
{
    /// <summary>
    /// 四舍五入 to 2 decimals (MidpointRounding.AwayFromZero). Applied only to the normalised base
    /// score and the combined final score; every other figure is exact.
    /// </summary>
    public static decimal Round(decimal value) => Math.Round(value, 2, MidpointRounding.AwayFromZero);

    /// <summary>
    /// The same value with exactly 2 decimal places (scale 2), so that equal figures are equal bit for
    /// bit whichever path computed them. Only for values that already have at most 2 decimals.
    /// </summary>
    public static decimal Canonical(decimal value) => Round(value) + 0.00m;

    /// <summary>Points as a secretary writes them: 2, 0.5, 94.74 (no trailing zeros).</summary>
    public static string Format(decimal value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
