#nullable enable
using System.Globalization;
using System.Text;
using KerasNet.Utils;

namespace KerasNet.Callbacks;

/// <summary>
/// The parts of Python's <c>str.format</c> and <c>repr(float)</c> that Keras callbacks rely on:
/// ModelCheckpoint file names such as <c>weights.{epoch:02d}-{val_loss:.2f}.hdf5</c> and CSVLogger's values.
/// Log values are float32 in tf.keras, so doubles are narrowed to float32 before formatting, as Keras would see them
/// (<c>'{}'.format(numpy.float32(x))</c> prints the float64 repr of that float32 value).
/// </summary>
internal static class PythonFormat
{
    /// <summary>Replaces <c>{name}</c> / <c>{name:spec}</c> fields (spec: [[fill]align][sign][0][width][,][.precision][type]).</summary>
    public static string Format(string template, IReadOnlyDictionary<string, object> values, string what)
    {
        var sb = new StringBuilder();
        for (int i = 0; i < template.Length; i++)
        {
            char ch = template[i];
            if (ch == '}' && i + 1 < template.Length && template[i + 1] == '}') { sb.Append('}'); i++; continue; }
            if (ch == '}') throw Bad(template, what, "single '}' encountered");
            if (ch != '{') { sb.Append(ch); continue; }
            if (i + 1 < template.Length && template[i + 1] == '{') { sb.Append('{'); i++; continue; }
            int end = template.IndexOf('}', i);
            if (end < 0) throw Bad(template, what, "single '{' encountered");
            string field = template[(i + 1)..end];
            int colon = field.IndexOf(':');
            string name = colon < 0 ? field : field[..colon], spec = colon < 0 ? "" : field[(colon + 1)..];
            int bang = name.IndexOf('!');
            if (bang >= 0) name = name[..bang];
            if (!values.TryGetValue(name, out var value))
                throw Bad(template, what, $"no value for '{name}' (available: {string.Join(", ", values.Keys)})");
            sb.Append(FormatValue(value, spec, template, what));
            i = end;
        }
        return sb.ToString();
    }

    private static KerasNetException Bad(string template, string what, string reason) =>
        new($"{what}: failed to format the filepath \"{template}\": {reason}.");

    private static string FormatValue(object value, string spec, string template, string what)
    {
        int p = 0;
        char fill = ' ', align = '\0', sign = '-';
        if (spec.Length >= 2 && spec[1] is '<' or '>' or '^' or '=') { fill = spec[0]; align = spec[1]; p = 2; }
        else if (spec.Length >= 1 && spec[0] is '<' or '>' or '^' or '=') { align = spec[0]; p = 1; }
        if (p < spec.Length && spec[p] is '+' or '-' or ' ') sign = spec[p++];
        if (p < spec.Length && spec[p] == '0') { if (align == '\0') { fill = '0'; align = '='; } p++; }
        int width = 0;
        while (p < spec.Length && char.IsAsciiDigit(spec[p])) width = width * 10 + (spec[p++] - '0');
        bool grouping = p < spec.Length && spec[p] == ',';
        if (grouping) p++;
        int? precision = null;
        if (p < spec.Length && spec[p] == '.')
        {
            int q = ++p, v = 0;
            while (p < spec.Length && char.IsAsciiDigit(spec[p])) v = v * 10 + (spec[p++] - '0');
            if (p == q) throw Bad(template, what, $"format specifier '{spec}' lacks a precision");
            precision = v;
        }
        char type = p < spec.Length ? spec[p++] : '\0';
        if (p != spec.Length) throw Bad(template, what, $"invalid format specifier '{spec}'");

        string body;
        bool negative;
        if (value is int or long)
        {
            long n = Convert.ToInt64(value, CultureInfo.InvariantCulture);
            negative = n < 0;
            if (type is '\0' or 'd' or 'n')
            {
                if (precision != null) throw Bad(template, what, "precision not allowed in integer format specifier");
                body = Math.Abs(n).ToString(grouping ? "N0" : "D", CultureInfo.InvariantCulture);
            }
            else body = Float(Math.Abs((double)n), type, precision, grouping, template, what);
        }
        else
        {
            double d = (float)Convert.ToDouble(value, CultureInfo.InvariantCulture);
            if (type == 'd') throw Bad(template, what, $"unknown format code 'd' for a float value");
            negative = d < 0 || (d == 0 && double.IsNegative(d));
            body = type == '\0' && precision == null ? PyText.Repr(Math.Abs(d)) : Float(Math.Abs(d), type == '\0' ? 'g' : type, precision, grouping, template, what);
        }
        string signText = negative ? "-" : sign == '+' ? "+" : sign == ' ' ? " " : "";
        if (align == '\0') align = '>';
        int padLen = Math.Max(0, width - signText.Length - body.Length);
        string pad = new(fill, padLen);
        return align switch
        {
            '<' => signText + body + pad,
            '^' => pad[..(padLen / 2)] + signText + body + pad[(padLen / 2)..],
            '=' => signText + pad + body,
            _ => pad + signText + body,
        };
    }

    private static string Float(double v, char type, int? precision, bool grouping, string template, string what)
    {
        int prec = precision ?? 6;
        if (double.IsNaN(v)) return "nan";
        if (double.IsInfinity(v)) return "inf";
        switch (type)
        {
            case 'f' or 'F': return v.ToString((grouping ? "N" : "F") + prec, CultureInfo.InvariantCulture);
            case 'e' or 'E': return Exp(v, prec, type);
            case '%': return (v * 100).ToString("F" + prec, CultureInfo.InvariantCulture) + "%";
            case 'g' or 'G':
            {
                int pg = prec == 0 ? 1 : prec;
                if (v == 0) return "0";
                int exp = (int)Math.Floor(Math.Log10(double.Parse(Exp(v, pg - 1, 'e'), CultureInfo.InvariantCulture)));
                string r = exp < -4 || exp >= pg ? Exp(v, pg - 1, type == 'G' ? 'E' : 'e') : v.ToString("F" + (pg - 1 - exp), CultureInfo.InvariantCulture);
                return StripZeros(r);
            }
            default: throw Bad(template, what, $"unknown format code '{type}' for a number");
        }
    }

    private static string Exp(double v, int prec, char type)
    {
        var s = v.ToString("E" + prec, CultureInfo.InvariantCulture); // 1.50E+003
        int e = s.IndexOf('E');
        int exp = int.Parse(s.AsSpan(e + 1), NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture);
        return s[..e] + type + (exp < 0 ? "-" : "+") + Math.Abs(exp).ToString("00", CultureInfo.InvariantCulture);
    }

    private static string StripZeros(string s)
    {
        int e = s.IndexOfAny(['e', 'E']);
        string mant = e < 0 ? s : s[..e], tail = e < 0 ? "" : s[e..];
        if (mant.Contains('.')) mant = mant.TrimEnd('0').TrimEnd('.');
        return mant + tail;
    }
}
