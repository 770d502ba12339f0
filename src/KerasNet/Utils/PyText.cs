#nullable enable
using System.Globalization;
using System.Numerics;
using System.Text;

namespace KerasNet.Utils;

/// <summary>
/// Python's text for numbers and values KerasNet prints or writes as Keras, numpy, json and scikit-learn would
/// (<c>repr</c> of floats, strings and dicts; <c>'%.Nf'</c>), in one place so every writer agrees.
/// </summary>
internal static class PyText
{
    /// <summary>Python's <c>repr(float)</c>: shortest round-trip digits, <c>1.0</c>, <c>1e-05</c>.</summary>
    public static string Repr(double v) => double.IsFinite(v) ? FromShortest(v.ToString("R", CultureInfo.InvariantCulture)) : NonFinite(v);

    /// <summary>numpy's <c>repr(np.float32)</c> digits: the shortest text that round-trips the float32.</summary>
    public static string Repr(float v) => float.IsFinite(v) ? FromShortest(v.ToString("R", CultureInfo.InvariantCulture)) : NonFinite(v);

    /// <summary>Python's <c>repr(str)</c>: single quotes unless the text holds one and no double quote.</summary>
    public static string Repr(string s)
    {
        char q = s.Contains('\'') && !s.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(q);
        foreach (char c in s)
        {
            if (c == '\\' || c == q) sb.Append('\\').Append(c);
            else if (c == '\n') sb.Append("\\n");
            else if (c == '\r') sb.Append("\\r");
            else if (c == '\t') sb.Append("\\t");
            else sb.Append(c);
        }
        return sb.Append(q).ToString();
    }

    /// <summary>Python's <c>repr(dict)</c> of a str-to-int dict in insertion order: <c>{'bart': 0, 'homer': 1}</c>.</summary>
    public static string Repr(IEnumerable<KeyValuePair<string, int>> dict) =>
        "{" + string.Join(", ", dict.Select(p => Repr(p.Key) + ": " + p.Value.ToString(CultureInfo.InvariantCulture))) + "}";

    /// <summary>
    /// Python's <c>'{:.{digits}f}'.format(v)</c>: rounds the exact binary value half to even. .NET's "F" format
    /// rounds ties away from zero, which differs on values such as 0.125 (1 of 8), common in small reports.
    /// </summary>
    public static string Fixed(double v, int digits)
    {
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return v > 0 ? "inf" : "-inf";
        bool negative = double.IsNegative(v);
        long bits = BitConverter.DoubleToInt64Bits(Math.Abs(v));
        int exponent = (int)((bits >> 52) & 0x7FF);
        long mantissa = bits & ((1L << 52) - 1);
        if (exponent == 0) exponent = 1; else mantissa |= 1L << 52;
        exponent -= 1075; // |v| = mantissa * 2^exponent exactly

        BigInteger num = mantissa * BigInteger.Pow(10, digits), den = BigInteger.One;
        if (exponent >= 0) num <<= exponent; else den <<= -exponent;
        var q = BigInteger.DivRem(num, den, out var rem);
        int half = (rem * 2).CompareTo(den);
        if (half > 0 || (half == 0 && !q.IsEven)) q += 1;

        string s = q.ToString(CultureInfo.InvariantCulture).PadLeft(digits + 1, '0');
        var sb = new StringBuilder();
        if (negative) sb.Append('-');
        sb.Append(s, 0, s.Length - digits);
        if (digits > 0) sb.Append('.').Append(s, s.Length - digits, digits);
        return sb.ToString();
    }

    private static string NonFinite(double v) => double.IsNaN(v) ? "nan" : v > 0 ? "inf" : "-inf";

    // .NET's "R" text (e.g. "1.5E-05", "123.25", "7") carries the shortest digits; Python lays them out differently:
    // scientific notation below 1e-4 and from 1e16, otherwise positional with at least one decimal.
    private static string FromShortest(string r)
    {
        bool negative = r.StartsWith('-');
        if (negative) r = r[1..];
        int e = r.IndexOfAny(['E', 'e']);
        int exp = e < 0 ? 0 : int.Parse(r[(e + 1)..], CultureInfo.InvariantCulture);
        string mantissa = e < 0 ? r : r[..e];
        int dot = mantissa.IndexOf('.');
        string intPart = dot < 0 ? mantissa : mantissa[..dot], all = intPart + (dot < 0 ? "" : mantissa[(dot + 1)..]);
        string digits = all.TrimStart('0');
        if (digits.Length == 0) return (negative ? "-" : "") + "0.0";
        int point = intPart.Length + exp - (all.Length - digits.Length); // value = 0.DIGITS * 10^point
        digits = digits.TrimEnd('0');
        int exp10 = point - 1;
        string text;
        if (exp10 < -4 || exp10 >= 16)
            text = digits[..1] + (digits.Length > 1 ? "." + digits[1..] : "") + "e" + (exp10 < 0 ? "-" : "+") + Math.Abs(exp10).ToString("00", CultureInfo.InvariantCulture);
        else if (point <= 0) text = "0." + new string('0', -point) + digits;
        else if (point >= digits.Length) text = digits + new string('0', point - digits.Length) + ".0";
        else text = digits[..point] + "." + digits[point..];
        return (negative ? "-" : "") + text;
    }
}
